"""SafeArchive.read called directly (credscore.ingest.archive): each refusal's code and text, which the parsers
copy into the source report, the cap and the read budget at their exact edges, the count of bytes read, and the
streaming guard behind the declared size. Written for the survivors of `make mutate` (MUTATION.md): the parser
tests reach `read` only through code that catches MemberError whatever it says."""

from __future__ import annotations

import gc
import io
import threading
import time
import tracemalloc
import zipfile
from typing import Any

import pytest

from credscore.ingest.archive import (
    MIB,
    ArchiveLimits,
    ArchiveMembers,
    MemberError,
    SafeArchive,
    _unsafe_name,
    _zip_over,
)


def _archive(members: dict[str, bytes], limits: ArchiveLimits | None = None) -> SafeArchive:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    buffer.seek(0)
    return SafeArchive(buffer, limits) if limits else SafeArchive(buffer)


def _refusal(archive: SafeArchive, name: str, max_bytes: int | None = None) -> tuple[str, str]:
    with pytest.raises(MemberError) as caught:
        archive.read(name, max_bytes)
    return caught.value.code, str(caught.value)


@pytest.mark.parametrize(
    ("name", "code", "text"),
    [
        ("messages/inbox/a.json", "private_member", "a private area of the export is never read"),
        ("notes/a.txt", "not_readable", "only data files and photos are ever read"),
        ("posts/absent.json", "absent", "no such member"),
    ],
)
def test_a_refused_member_says_why_in_its_code_and_text(name: str, code: str, text: str) -> None:
    archive = _archive({"messages/inbox/a.json": b"{}", "notes/a.txt": b"x", "posts/a.json": b"{}"})
    assert _refusal(archive, name) == (code, text)
    assert archive.bytes_read == 0


def test_a_readable_extension_is_matched_in_any_case() -> None:
    archive = _archive({"posts/A.JSON": b"[1]", "media/b.Jpg": b"JPEG"})
    assert archive.read("posts/A.JSON") == b"[1]"
    assert archive.read("media/b.Jpg") == b"JPEG"


def test_the_cap_is_the_smaller_of_the_callers_and_the_limit_and_a_member_at_it_is_read() -> None:
    limits = ArchiveLimits(max_member_bytes=2 * MIB)
    archive = _archive({"a.json": b"a" * MIB, "b.json": b"b" * (2 * MIB), "c.json": b"c" * (MIB + 1)}, limits)
    assert archive.read("a.json", MIB) == b"a" * MIB, "a member exactly at the caller's cap is read"
    assert archive.read("b.json") == b"b" * (2 * MIB), "no cap given: the limit, and exactly at it is read"
    assert _refusal(archive, "c.json", MIB) == (
        "member_too_large",
        "a file is larger than 1 MiB and was skipped",
    )
    # a caller asking for more than the limit still gets the limit
    big = _archive({"d.json": b"d" * (2 * MIB + 1)}, limits)
    assert _refusal(big, "d.json", 10 * MIB) == (
        "member_too_large",
        "a file is larger than 2 MiB and was skipped",
    )


def test_every_read_counts_against_the_budget_up_to_its_exact_end() -> None:
    limits = ArchiveLimits(max_read_bytes=3 * MIB + 10)
    members = {"a.json": b"a" * (MIB + MIB // 2), "b.json": b"b" * (MIB + MIB // 2), "c.json": b"c" * 10}
    archive = _archive({**members, "d.json": b"d"}, limits)
    # members over one MiB come back whole although they are streamed in one-MiB chunks
    assert archive.read("a.json") == members["a.json"]
    assert archive.bytes_read == MIB + MIB // 2
    assert archive.read("b.json") == members["b.json"]
    assert archive.bytes_read == 3 * MIB
    assert archive.read("c.json") == members["c.json"], "a member that exactly spends the budget is read"
    assert archive.bytes_read == 3 * MIB + 10
    assert _refusal(archive, "d.json") == (
        "read_budget",
        "the archive's read budget is spent; remaining files were skipped",
    )


def test_a_damaged_member_says_so() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.json", "hello world " * 50)
    raw = bytearray(buffer.getvalue())
    start = 30 + len("a.json")  # the only local header, no extra field
    raw[start + 2 : start + 12] = b"\xff" * 10
    archive = SafeArchive(io.BytesIO(bytes(raw)))
    assert _refusal(archive, "a.json") == (
        "corrupt_member",
        "a file in the archive is damaged and was skipped",
    )


class _Endless(io.RawIOBase):
    """A member stream that never ends, as a reader trusting no declared size would see a hostile one."""

    def __init__(self) -> None:
        self.handed_out = 0

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("an unbounded read of a member")
        if self.handed_out > 16 * MIB:
            raise AssertionError("read far past the cap and the budget")
        self.handed_out += size
        return b"x" * size

    def readable(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("limits", "max_bytes"),
    [
        (ArchiveLimits(), 3 * MIB),  # the cap stops it (the budget is far away)
        (ArchiveLimits(max_read_bytes=3 * MIB), None),  # the budget stops it (the cap is far away)
    ],
)
def test_a_stream_longer_than_declared_is_cut_one_chunk_past_the_cap_or_budget(
    limits: ArchiveLimits, max_bytes: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """zipfile itself stops at the declared size; the streaming guard holds if a reader ever did not."""
    archive = _archive({"a.json": b"{}"}, limits)
    stream = _Endless()
    monkeypatch.setattr(archive._zip, "open", lambda info, *a, **k: stream)
    assert _refusal(archive, "a.json", max_bytes) == (
        "member_too_large",
        "a file expands beyond its declared size",
    )
    assert stream.handed_out == 4 * MIB, "read in one-MiB chunks, stopped at the first past the limit"
    assert archive.bytes_read == 4 * MIB, "what was decompressed counts against the budget"


def test_the_stream_is_opened_for_the_member_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _archive({"a.json": b"[1]", "b.json": b"[2]"})
    opened: list[Any] = []
    real_open = archive._zip.open

    def spy(info: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(info.filename)
        return real_open(info, *args, **kwargs)

    monkeypatch.setattr(archive._zip, "open", spy)
    assert archive.read("b.json") == b"[2]"
    assert opened == ["b.json"]


# ------------------------------------------------------------------------------------------ hints and batches
class _HintedFile(io.BytesIO):
    """A file that, like the S3 reader, is told which bytes a member's read is about to ask for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.hints: list[tuple[int, int]] = []

    def will_need(self, start: int, stop: int) -> None:
        self.hints.append((start, stop))


def _zip_with_extra(name: str, data: bytes, extra: bytes) -> bytes:
    info = zipfile.ZipInfo(name)
    info.extra = extra  # written into the local header and the directory alike
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("photos/a.jpg", b""),
        (
            "fotos/été/ünïcödé_名前.jpg",
            b"\xfe\xca\x3c\x00" + bytes(60),
        ),  # name longer in UTF-8 than in characters
    ],
)
def test_a_read_hints_the_members_whole_range_and_at_most_64_bytes_more(name: str, extra: bytes) -> None:
    data = bytes(range(256)) * 40
    hinted = _HintedFile(_zip_with_extra(name, data, extra))
    archive = SafeArchive(hinted)
    assert archive.read(name) == data
    ((start, stop),) = hinted.hints
    info = archive._members[name]
    data_end = info.header_offset + 30 + len(name.encode("utf-8")) + len(extra) + len(data)
    assert start == info.header_offset
    assert data_end <= stop <= data_end + 64


def test_a_hint_is_capped_whatever_the_directory_declares() -> None:
    raw = bytearray(_zip_with_extra("photos/a.jpg", b"x" * 100, b""))
    central = raw.find(b"PK\x01\x02")
    raw[central + 20 : central + 24] = (10 * MIB).to_bytes(4, "little")  # a lying compressed size
    hinted = _HintedFile(bytes(raw))
    archive = SafeArchive(hinted)
    with pytest.raises(MemberError):
        archive.read("photos/a.jpg", max_bytes=1000)
    ((start, stop),) = hinted.hints
    assert stop - start <= 30 + len("photos/a.jpg") + 64 + 1000


def test_archive_members_open_once_and_cap_each_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("p/small.jpg", b"s" * 10)
        zf.writestr("p/big.jpg", b"b" * 11)
    members = ArchiveMembers(io.BytesIO(buffer.getvalue()), max_bytes=10)
    assert members.open() is True
    assert members.read("p/small.jpg") == b"s" * 10
    assert members.read("p/big.jpg") is None, "one byte over the batch's cap"
    refused = ArchiveMembers(io.BytesIO(b"not a zip at all"), max_bytes=10)
    assert refused.open() is False
    assert refused.read("p/small.jpg") is None


class _OneHandle(io.BytesIO):
    """A handle that fails if two reads interleave on it (a reader over S3 is not thread-safe either)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads = 0
        self._busy = threading.Lock()

    def read(self, size: int | None = -1) -> bytes:
        if not self._busy.acquire(blocking=False):
            raise AssertionError("two threads read through one handle at once")
        try:
            self.reads += 1
            time.sleep(0)  # let another thread in, if it can be
            return super().read(size)
        finally:
            self._busy.release()


def _photo_zip(count: int) -> tuple[bytes, dict[str, bytes]]:
    photos = {f"p/{i}.jpg": bytes([i]) * (3000 + i) for i in range(count)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in photos.items():
            zf.writestr(name, data)
        zf.writestr("messages/inbox/x.jpg", b"private")
    return buffer.getvalue(), photos


def test_threads_read_through_their_own_handles_with_the_directory_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body, photos = _photo_zip(40)
    parses = 0
    real_parse = zipfile.ZipFile._RealGetContents  # type: ignore[attr-defined]

    def counted(self: zipfile.ZipFile) -> None:
        nonlocal parses
        parses += 1
        real_parse(self)

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", counted)
    opened = _OneHandle(body)
    members = ArchiveMembers(opened, max_bytes=3020)
    assert members.open()
    reads_to_open = opened.reads
    handles = [_OneHandle(body) for _ in range(4)]
    twins = [members.through(handle) for handle in handles]
    got: dict[int, list[bytes | None]] = {}

    def read_all(n: int) -> None:
        got[n] = [twins[n].read(name) for name in photos]

    threads = [threading.Thread(target=read_all, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert parses == 1, "the directory is parsed once, not once per thread"
    capped = [data if len(data) <= 3020 else None for data in photos.values()]
    assert all(got[n] == capped for n in range(4)), "each thread reads every photo, the cap applies to each"
    assert opened.reads == reads_to_open, "the threads read through their own handles only"
    assert all(handle.reads > 0 for handle in handles)
    assert twins[0].read("messages/inbox/x.jpg") is None, "the deny-list holds for a twin"
    for handle in handles:  # a twin closes what it opened, never the handle it was given
        assert not handle.closed


def test_a_twin_of_a_refused_archive_is_refused_without_reading() -> None:
    refused = ArchiveMembers(io.BytesIO(b"not a zip at all"), max_bytes=10)
    handle = _OneHandle(b"not a zip at all")
    twin = refused.through(handle)
    assert twin.read("p/0.jpg") is None
    assert handle.reads == 0


def test_a_twin_counts_its_own_reads() -> None:
    body, photos = _photo_zip(3)
    hinted = _HintedFile(body)
    archive = SafeArchive(hinted)
    hinted_twin = _HintedFile(body)
    assert archive.reading_through(hinted_twin).read("p/0.jpg") == photos["p/0.jpg"]
    assert len(hinted_twin.hints) == 1, "the member's range is hinted to the twin's handle, which fetches it"
    assert hinted.hints == []
    handle = io.BytesIO(body)
    twin = archive.reading_through(handle)
    assert twin.read("p/1.jpg") == photos["p/1.jpg"]
    assert (twin.bytes_read, archive.bytes_read) == (len(photos["p/1.jpg"]), 0)
    assert twin.names == archive.names
    del twin
    gc.collect()
    assert not handle.closed, "the handle is the caller's: a twin gone does not close it"


def test_without_zipfiles_handle_attributes_a_twin_parses_the_directory_again() -> None:
    body, photos = _photo_zip(3)
    parsed = zipfile.ZipFile(io.BytesIO(body))
    del parsed._fileRefCnt  # type: ignore[attr-defined]  # another Python's zipfile, say
    twin = _zip_over(parsed, io.BytesIO(body))
    assert twin is not parsed
    assert twin.filelist is not parsed.filelist, "parsed again"
    assert twin.read("p/2.jpg") == photos["p/2.jpg"]
    parsed._fileRefCnt = 1  # type: ignore[attr-defined]  # so that it can close


def test_many_twins_cost_next_to_nothing_beside_one_parsed_directory() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for i in range(20_000):
            zf.writestr(f"media/album_{i // 100}/photo_{i:06d}.jpg", b"x")
    body = buffer.getvalue()
    tracemalloc.start()
    try:
        members = ArchiveMembers(io.BytesIO(body), max_bytes=MIB)
        assert members.open()
        parsed = tracemalloc.get_traced_memory()[0]
        twins = [members.through(io.BytesIO(body)) for _ in range(8)]
        added = tracemalloc.get_traced_memory()[0] - parsed
    finally:
        tracemalloc.stop()
    assert parsed > 5 * MIB, "the measure sees a parsed directory"
    assert added < parsed / 100, f"eight twins added {added} bytes beside a {parsed}-byte directory"
    assert twins[7].read("media/album_3/photo_000300.jpg") == b"x"


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("posts/a.json", False),
        ("posts/a..b.json", False),
        ("...json", False),
        ("../a.json", True),
        ("posts/../../a.json", True),
        ("posts\\..\\a.json", True),
        ("/etc/a.json", True),
        ("\\windows\\a.json", True),
        ("C:/a.json", True),
        ("c:a.json", True),
        ("posts/a\x00.json", True),
    ],
)
def test_unsafe_names_are_traversal_absolute_drive_or_nul(name: str, unsafe: bool) -> None:
    assert _unsafe_name(name) is unsafe


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_member_compressed_other_than_deflate_is_refused_before_anything_is_decompressed(
    method: int,
) -> None:
    # zipfile inflates bzip2 and LZMA without an output bound and trusts the declared size only afterwards: 1.7 KB
    # declaring 1,000 bytes expanded to 2 GB.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("posts/a.json", b"[]" * 1000, compress_type=method)
        zf.writestr("posts/b.json", b"[]", compress_type=zipfile.ZIP_DEFLATED)
    buffer.seek(0)
    archive = SafeArchive(buffer)
    assert _refusal(archive, "posts/a.json") == (
        "unsupported_compression",
        "a file is compressed with a method exports do not use (only stored and deflate) and was skipped",
    )
    assert archive.bytes_read == 0
    assert archive.read("posts/b.json") == b"[]", "the rest of the archive is read as before"
