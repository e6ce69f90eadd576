from __future__ import annotations

import hashlib
import io
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from credscore.errors import TransientError
from credscore.ingest.archive import read_member
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus
from credscore.synth import make_export
from credscore_aws.dal.s3io import S3RangedReader

BUCKET = "uploads-bucket"


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_reads_seeks_and_counts_bytes(s3) -> None:
    data = bytes(range(256)) * 40  # 10 240 bytes
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=1000)
    assert reader.seek(0, io.SEEK_END) == len(data)
    reader.seek(-10, io.SEEK_END)
    assert reader.read() == data[-10:]
    reader.seek(995)
    assert reader.read(10) == data[995:1005]  # spans two blocks
    assert reader.tell() == 1005
    reader.seek(-5, io.SEEK_CUR)
    assert reader.read(5) == data[1000:1005]
    fetched = reader.bytes_fetched
    reader.seek(996)
    reader.read(4)
    assert reader.bytes_fetched == fetched  # served from the block cache
    assert reader.read(0) == b""
    reader.seek(len(data) + 10)
    assert reader.read(5) == b""
    buffer = bytearray(7)
    reader.seek(3)
    assert reader.readinto(buffer) == 7
    assert bytes(buffer) == data[3:10]
    with pytest.raises(OSError):
        reader.seek(-1)


def test_long_reads_fetch_runs_of_blocks_in_one_request(s3) -> None:
    data = b"abcdefghij" * 1000
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=1000, cached_blocks=4)
    assert reader.read() == data
    assert reader.bytes_fetched == len(data)
    assert reader.requests == 1 + 3  # head + ceil(10 blocks / 4 per run)


def test_zip_over_s3_fetches_only_directory_and_needed_members(s3, tmp_path) -> None:
    path = tmp_path / "fb.zip"
    make_export("facebook", path, seed=3, layout="B", posts=30, photos=2, padding=6 << 20)
    s3.upload_file(str(path), BUCKET, "uploads/a/facebook/part-1.zip")
    reader = S3RangedReader(s3, BUCKET, "uploads/a/facebook/part-1.zip", block_size=256 << 10)
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.FACEBOOK, reader, "uploads/a/facebook/part-1.zip")
    assert report.status == SourceStatus.PARSED
    assert report.archive_sha256 == [f"sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}"]
    # head, the first block, the directory's, the hash's one streamed GET (the posts lie beside the directory)
    assert reader.requests == 4, reader.requests
    assert len(profile.texts) == 40
    assert len(profile.media) == 2
    size = path.stat().st_size
    assert size > 6 << 20
    # the full hash reads the whole object once; parsing alone touches far less
    parse_only = S3RangedReader(s3, BUCKET, "uploads/a/facebook/part-1.zip", block_size=256 << 10)
    from dataclasses import replace

    from credscore.ingest.archive import DEFAULT_LIMITS

    ingest_archive(
        Profile(application_id="b"),
        Platform.FACEBOOK,
        parse_only,
        "k",
        replace(DEFAULT_LIMITS, full_hash_bytes=0),
    )
    assert parse_only.bytes_fetched < size / 4
    photo = S3RangedReader(s3, BUCKET, "uploads/a/facebook/part-1.zip", block_size=64 << 10)
    data = read_member(photo, profile.media[0].member, 1 << 20)
    assert data is not None
    assert data.startswith(b"\xff\xd8")
    with zipfile.ZipFile(path) as zf:
        assert data == zf.read(profile.media[0].member)
    assert photo.bytes_fetched < size / 8


def test_full_object_checksum_is_used_as_the_archive_hash(s3) -> None:

    body = b"PK\x05\x06" + b"\0" * 18
    s3.put_object(Bucket=BUCKET, Key="c", Body=body, ChecksumAlgorithm="SHA256")
    reader = S3RangedReader(s3, BUCKET, "c")
    assert reader.known_sha256 is None, "unknown until the object's head is read"
    reader.seek(0, io.SEEK_END)
    assert reader.known_sha256 == hashlib.sha256(body).hexdigest()
    assert reader.fork().known_sha256 == reader.known_sha256
    s3.put_object(Bucket=BUCKET, Key="plain", Body=body)  # uploaded without a checksum: it must be hashed
    plain = S3RangedReader(s3, BUCKET, "plain")
    plain.seek(0, io.SEEK_END)
    assert plain.known_sha256 is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            {"ChecksumSHA256": "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="},
            "2cf24dba5fb0a30e26e83b2ac5b9e29e",
        ),
        (
            {"ChecksumSHA256": "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "ChecksumType": "FULL_OBJECT"},
            "2cf2",
        ),
        # A multipart upload's checksum is of its parts' checksums, not of the archive: never its hash.
        ({"ChecksumSHA256": "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=-3"}, None),
        (
            {"ChecksumSHA256": "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "ChecksumType": "COMPOSITE"},
            None,
        ),
        ({"ChecksumCRC32": "AAAAAA=="}, None),
        ({"ChecksumSHA256": "not base64!"}, None),
        ({"ChecksumSHA256": None}, None),
    ],
)
def test_only_a_full_object_sha256_is_taken_for_the_archive_hash(
    head: dict[str, object], expected: str | None
) -> None:
    from credscore_aws.dal.s3io import _full_object_sha256

    found = _full_object_sha256(head)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(expected)
        assert found == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"  # sha256(b"hello")


def test_each_photo_of_an_archive_costs_one_request(s3) -> None:
    """zipfile reads a member's header, then its data 1 MiB at a time; the archive tells the reader the whole
    range first (`will_need`), so a 3 MB photo is one GET, not one per MiB."""
    import os

    from credscore.ingest.archive import ArchiveMembers

    photos = {f"photos/{i}.jpg": b"\xff\xd8" + os.urandom(3_000_000 + i * 7919) for i in range(4)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name, data in photos.items():
            zf.writestr(name, data)
    s3.put_object(Bucket=BUCKET, Key="p.zip", Body=buffer.getvalue())
    reader = S3RangedReader(s3, BUCKET, "p.zip")
    members = ArchiveMembers(reader, 25 << 20)
    assert members.read("photos/0.jpg") == photos["photos/0.jpg"]
    for name, data in list(photos.items())[1:]:
        before = reader.requests
        assert members.read(name) == data
        assert reader.requests - before == 1, name
    assert reader.bytes_fetched < len(buffer.getvalue()) + (2 << 20)


def test_the_small_files_beside_an_archives_directory_cost_no_request(s3) -> None:
    """Exports keep their JSON files together, often next to the central directory at the end: the blocks read
    for the directory already hold them, so reading them asks S3 for nothing more (it was a GET per file)."""
    import os

    from credscore.ingest.archive import ArchiveMembers

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("media/big.jpg", os.urandom(3 << 20))
        for i in range(6):
            zf.writestr(f"posts/{i}.json", b'{"posts": []}' * (i + 1))
    s3.put_object(Bucket=BUCKET, Key="e.zip", Body=buffer.getvalue())
    reader = S3RangedReader(s3, BUCKET, "e.zip")
    members = ArchiveMembers(reader, 25 << 20)
    assert members.open()
    requests = reader.requests
    for i in range(6):
        assert members.read(f"posts/{i}.json") == b'{"posts": []}' * (i + 1)
    assert reader.requests == requests
    assert members.read("media/big.jpg") is not None
    assert reader.requests == requests + 1, "a member outside the cached blocks: one GET, as before"


def test_will_need_fetches_exactly_its_range_at_most_the_caches_worth_in_one_request(s3) -> None:
    data = bytes(range(256)) * 40  # 10 240 bytes
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=1000, cached_blocks=4)
    reader.seek(2500)
    assert reader.read(10) == data[2500:2510]
    requests, fetched = reader.requests, reader.bytes_fetched
    reader.will_need(1500, 10_240)  # capped at the cache's worth (4 blocks) from its start
    assert (reader.requests, reader.bytes_fetched) == (requests + 1, fetched + 4000)
    reader.seek(1500)
    assert reader.read(3500) == data[1500:5000]
    reader.seek(2000)
    assert reader.read(100) == data[2000:2100]
    reader.will_need(3000, 5500)
    assert reader.requests == requests + 1, "reads and a range inside what was fetched cost nothing"
    reader.seek(5400)
    assert reader.read(300) == data[5400:5700], "past it, the blocks as before"
    assert reader.requests == requests + 2
    reader.will_need(20_000, 30_000)
    reader.will_need(500, 500)
    assert reader.requests == requests + 2, "nothing to fetch past the end or for an empty range"


def test_a_read_running_past_what_will_need_fetched_takes_the_rest_from_the_blocks(s3) -> None:
    data = bytes(range(256)) * 40
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=1000, cached_blocks=4)
    reader.will_need(1234, 2345)
    assert (reader.requests, reader.bytes_fetched) == (2, 1111), "the head, then exactly the range"
    reader.seek(1300)
    assert reader.read(2000) == data[1300:3300]
    assert (reader.requests, reader.bytes_fetched) == (3, 1111 + 2000), "blocks 2 and 3, in one request"
    assert reader.tell() == 3300
    reader.will_need(6000, 6100)
    reader.seek(1300)
    assert reader.read(100) == data[1300:1400]
    assert reader.requests == 5, "one range is kept: the earlier one went when the next came"


def test_a_fork_does_not_share_what_will_need_fetched(s3) -> None:
    data = bytes(range(256)) * 40
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=1000)
    reader.will_need(0, 5000)
    twin = reader.fork()
    twin.seek(100)
    assert twin.read(10) == data[100:110]
    assert twin.requests == 1, "its own block: a reading thread keeps only its own range"


def test_reads_fetch_exactly_the_blocks_they_span(s3) -> None:
    data = bytes(range(256)) * 4  # 1 024 bytes
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=4)
    assert reader.read(5) == data[:5]  # one byte into the second block
    assert (reader.requests, reader.bytes_fetched) == (2, 8)  # the head, then blocks 0 and 1 together
    reader.seek(8)
    assert reader.read(8) == data[8:16]  # exactly blocks 2 and 3: one request, not a third block
    assert (reader.requests, reader.bytes_fetched) == (3, 16)
    reader.seek(len(data))
    assert reader.read(4) == b""
    assert reader.readall() == b""
    assert reader.requests == 3, "a read at the end costs no request"
    reader.seek(0)
    assert reader.readall() == data
    assert reader.readable()
    assert reader.seekable()


def test_will_need_from_the_first_byte_to_the_last(s3) -> None:
    data = bytes(range(256)) * 4
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=4)
    reader.will_need(0, 8)
    assert (reader.requests, reader.bytes_fetched) == (2, 8)
    assert reader.read(8) == data[:8]
    assert reader.requests == 2
    reader.will_need(len(data) - 9, len(data) + 50)  # the last 9 bytes: more than the cache's 4 blocks
    assert (reader.requests, reader.bytes_fetched) == (3, 17)
    reader.seek(len(data) - 9)
    assert reader.read() == data[-9:]
    assert reader.requests == 3


def test_a_one_block_cache_and_one_byte_blocks_work(s3) -> None:
    data = b"abcdefgh"
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=1, cached_blocks=1)
    assert reader.read(1) == b"a"
    assert reader.read(1) == b"b"
    reader.seek(0)
    assert reader.read(1) == b"a"
    assert reader.requests == 1 + 3, "one block kept: the first was dropped when the second came"
    twin = S3RangedReader(s3, BUCKET, "k", block_size=1, cached_blocks=1).fork()
    twin.read(1)
    twin.read(1)
    twin.seek(0)
    twin.read(1)
    assert twin.requests == 1 + 3, "a fork keeps the cache's size"


def test_bad_arguments_and_closed_readers_are_refused_plainly(s3) -> None:
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"abc")
    with pytest.raises(ValueError, match=r"^block_size must be positive$"):
        S3RangedReader(s3, BUCKET, "k", block_size=0)
    reader = S3RangedReader(s3, BUCKET, "k")
    with pytest.raises(OSError, match=r"^negative seek position$"):
        reader.seek(-1)
    with pytest.raises(ValueError, match=r"^invalid whence 7$"):
        reader.seek(0, 7)
    reader.close()
    with pytest.raises(ValueError, match=r"^I/O operation on closed reader$"):
        reader.read(1)


class _Answers:
    """An S3 client whose GetObject answers are given: a short body, or an error."""

    def __init__(self, size: int, error: Exception | None = None, body: bytes = b"") -> None:
        self.size, self.error, self.body = size, error, body

    def head_object(self, **_: object) -> dict[str, object]:
        return {"ContentLength": self.size}

    def get_object(self, **_: object) -> dict[str, object]:
        if self.error is not None:
            raise self.error
        return {"Body": io.BytesIO(self.body)}


@pytest.mark.parametrize(
    ("client", "message"),
    [
        (_Answers(4, body=b"abc"), "reading the archive returned 3 of 4 bytes"),
        (_Answers(12, body=b"abc"), "reading the archive returned 3 of 4 bytes"),  # at an offset: 8 + 4
        (
            _Answers(4, ClientError({"Error": {"Code": "SlowDown", "Message": "uploads/x"}}, "GetObject")),
            "reading the archive failed: SlowDown",
        ),
        (_Answers(4, ClientError({}, "GetObject")), "reading the archive failed: ClientError"),
        (_Answers(4, ConnectionResetError("peer")), "reading the archive failed: ConnectionResetError"),
    ],
)
def test_a_failed_or_short_read_is_transient_and_names_no_key(client: _Answers, message: str) -> None:
    reader = S3RangedReader(client, BUCKET, "uploads/app/facebook/part-1.zip", block_size=4)
    reader.seek(reader.size - 4)
    with pytest.raises(TransientError) as failed:
        reader.read(4)
    assert str(failed.value) == message


def test_the_hash_streams_the_object_in_one_request_and_keeps_the_cached_blocks(s3) -> None:
    import random

    data = random.Random(1).randbytes(10_500)
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=1000, cached_blocks=4)
    reader.seek(-10, io.SEEK_END)
    tail = reader.read()
    assert (reader.requests, reader.bytes_fetched) == (2, 500)  # head + the last block
    assert reader.sha256() == hashlib.sha256(data).hexdigest()
    assert (reader.requests, reader.bytes_fetched) == (3, 500 + len(data))  # one GET, not eleven
    reader.seek(-10, io.SEEK_END)
    assert reader.read() == tail
    assert reader.requests == 3, "hashing must not evict the blocks already read"


def test_an_object_whose_blocks_are_all_cached_is_hashed_without_a_request(s3) -> None:

    data = bytes(range(256)) * 10
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    s3.put_object(Bucket=BUCKET, Key="empty", Body=b"")
    reader = S3RangedReader(s3, BUCKET, "k", block_size=1000)
    reader.read(1)
    reader.seek(2000)
    reader.read(1)
    assert reader.requests == 3  # head, block 0, block 2: block 1 is missing
    assert reader.sha256() == hashlib.sha256(data).hexdigest()
    assert reader.requests == 4
    whole = S3RangedReader(s3, BUCKET, "k", block_size=1000)
    whole.read()
    fetched = (whole.requests, whole.bytes_fetched)
    assert whole.sha256() == hashlib.sha256(data).hexdigest()
    assert (whole.requests, whole.bytes_fetched) == fetched
    empty = S3RangedReader(s3, BUCKET, "empty")
    assert empty.sha256() == hashlib.sha256(b"").hexdigest()
    assert empty.requests == 1  # the head alone


def test_a_known_checksum_is_the_hash_without_a_read(s3) -> None:

    body = b"PK\x05\x06" + b"\0" * 18
    s3.put_object(Bucket=BUCKET, Key="c", Body=body, ChecksumAlgorithm="SHA256")
    reader = S3RangedReader(s3, BUCKET, "c")
    assert reader.sha256() == hashlib.sha256(body).hexdigest()
    assert (reader.requests, reader.bytes_fetched) == (1, 0)


class _BrokenStream(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        if self.tell() > 0:
            raise ConnectionResetError("peer")
        return super().read(2)


@pytest.mark.parametrize(
    ("client", "message"),
    [
        (_Answers(4, body=b"abc"), "hashing the archive read 3 of 4 bytes"),
        (
            _Answers(4, ClientError({"Error": {"Code": "SlowDown", "Message": "uploads/x"}}, "GetObject")),
            "hashing the archive failed: SlowDown",
        ),
    ],
)
def test_a_failed_or_short_hash_read_is_transient_and_names_no_key(client: _Answers, message: str) -> None:
    reader = S3RangedReader(client, BUCKET, "uploads/app/facebook/part-1.zip")
    with pytest.raises(TransientError) as failed:
        reader.sha256()
    assert str(failed.value) == message


def test_a_stream_broken_halfway_is_transient() -> None:
    class Client(_Answers):
        def get_object(self, **_: object) -> dict[str, object]:
            return {"Body": _BrokenStream(b"abcd")}

    reader = S3RangedReader(Client(4), BUCKET, "uploads/app/facebook/part-1.zip")
    with pytest.raises(TransientError, match=r"^hashing the archive failed: ConnectionResetError$"):
        reader.sha256()
    assert reader.bytes_fetched == 2


def test_a_stream_longer_than_the_object_is_cut_off_not_read_to_its_end() -> None:
    class Endless(io.RawIOBase):
        def read(self, size: int | None = -1) -> bytes:
            return b"abc"

    stream = Endless()

    class Client(_Answers):
        def get_object(self, **_: object) -> dict[str, object]:
            return {"Body": stream}

    reader = S3RangedReader(Client(4), BUCKET, "uploads/app/facebook/part-1.zip")
    with pytest.raises(TransientError, match=r"^hashing the archive read 6 of 4 bytes$"):
        reader.sha256()
    assert stream.closed, "a stream left half read must be closed, or it holds its connection"
