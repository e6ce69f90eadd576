from __future__ import annotations

import io
import zipfile

import boto3
import pytest
from moto import mock_aws

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
    assert report.archive_sha256[0].startswith("sha256:")
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
    import hashlib

    body = b"PK\x05\x06" + b"\0" * 18
    s3.put_object(Bucket=BUCKET, Key="c", Body=body, ChecksumAlgorithm="SHA256")
    reader = S3RangedReader(s3, BUCKET, "c")
    reader.seek(0, io.SEEK_END)
    assert reader.known_sha256 in (None, hashlib.sha256(body).hexdigest())


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


def test_will_need_fetches_only_missing_blocks_and_no_more_than_the_cache(s3) -> None:
    data = bytes(range(256)) * 40  # 10 240 bytes
    s3.put_object(Bucket=BUCKET, Key="k", Body=data)
    reader = S3RangedReader(s3, BUCKET, "k", block_size=1000, cached_blocks=4)
    reader.seek(2500)
    assert reader.read(10) == data[2500:2510]
    requests = reader.requests
    reader.will_need(1500, 10_240)  # blocks 1..10; 2 is cached; at most 4 blocks from the first
    assert reader.requests == requests + 2  # block 1, then blocks 3 and 4 in one request
    assert reader.bytes_fetched == 1000 + 3000
    reader.seek(1500)
    assert reader.read(3500) == data[1500:5000]
    assert reader.requests == requests + 2, "served from what will_need fetched"
    reader.will_need(20_000, 30_000)
    reader.will_need(500, 500)
    assert reader.requests == requests + 2, "nothing to fetch past the end or for an empty range"
