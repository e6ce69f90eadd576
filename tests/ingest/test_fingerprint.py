"""The archive hash recorded for audit: whole when the upload is small enough, its tail when not."""

from __future__ import annotations

import hashlib
import io

import pytest

from credscore.ingest.ingest_archive import archive_fingerprint

MIB = 1 << 20


def test_a_small_upload_is_hashed_whole() -> None:
    data = bytes(range(256)) * 9000  # 2.2 MiB: more than one chunk
    assert archive_fingerprint(io.BytesIO(data), 4 * MIB) == f"sha256:{hashlib.sha256(data).hexdigest()}"


def test_an_upload_past_the_limit_is_hashed_by_its_last_mib_and_size() -> None:
    data = bytes(range(256)) * 9000
    expected = f"sha256-tail:{len(data)}:{hashlib.sha256(data[-MIB:]).hexdigest()}"
    assert archive_fingerprint(io.BytesIO(data), len(data) - 1) == expected
    assert archive_fingerprint(io.BytesIO(data), len(data)).startswith("sha256:")


class _Hashing(io.BytesIO):
    """A reader that hashes itself (as the S3 reader does in one GET) and must not be read for it."""

    calls = 0

    def sha256(self) -> str:
        self.calls += 1
        return "feed"

    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("read while hashing")


def test_a_reader_that_hashes_itself_does_so_within_the_limit_only() -> None:
    reader = _Hashing(b"x" * 100)
    assert archive_fingerprint(reader, 100) == "sha256:feed"
    assert reader.calls == 1
    with pytest.raises(AssertionError, match="read while hashing"):
        archive_fingerprint(reader, 99)  # past the limit: the tail is read, never the whole
    assert reader.calls == 1


def test_a_known_hash_is_taken_whatever_the_size() -> None:
    reader = _Hashing(b"x" * 100)
    reader.known_sha256 = "abc"  # type: ignore[attr-defined]
    assert archive_fingerprint(reader, 0) == "sha256:abc"
    assert reader.calls == 0
