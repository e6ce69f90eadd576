"""The local stack's ranged-GET patch (credscore_local.s3_ranges): the same responses as moto's, byte for byte, for
every kind of range and object the product meets, while a small range of a large object reads only that range."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from credscore_local import s3_ranges
from credscore_local.deployment import ACCOUNT_ID, REGION, aws_client
from tests.moto_server import moto_server

# Per response, what differs between any two calls (request ids, the clock).
_VOLATILE_HEADERS = {"date", "x-amz-request-id", "x-amzn-requestid", "x-amz-id-2"}
_VOLATILE_XML = re.compile(rb"<(RequestId|HostId)>[^<]*</\1>")

SMALL = os.urandom(1000)
LARGE = os.urandom(9 << 20)  # past moto's 8 MiB in-memory buffer: stored in a temporary file
PARTS = [os.urandom(5 << 20), os.urandom(5 << 20), os.urandom(1024)]


def _ranges(size: int) -> list[str]:
    """Single, open, suffix, clamped, past-the-end, inverted, unparseable and multiple ranges."""
    return [
        "bytes=0-0",
        "bytes=0-99",
        f"bytes={size // 3}-{size // 3 + 1023}",
        f"bytes={max(0, size - 10)}-",
        "bytes=7-",
        "bytes=-1",
        "bytes=-1024",
        f"bytes=-{size + 50}",
        "bytes=-0",
        f"bytes={max(0, size - 5)}-{size + 100}",
        f"bytes={size}-",
        f"bytes={size + 10}-{size + 20}",
        "bytes=20-10",
        "bytes=abc-def",
        "bytes=0-1,5-9",
        "bytes=-",
        "",
    ]


@pytest.fixture(scope="module")
def server() -> Iterator[dict[str, Any]]:
    """A moto server as the local stack runs it, with the objects the product stores (plain and as the template
    encrypts them: SSE-KMS with a bucket key; put whole, with a checksum, and uploaded in parts)."""
    with moto_server(s3_ranges) as endpoint:
        s3 = aws_client(endpoint, "s3")
        key_arn = aws_client(endpoint, "kms").create_key()["KeyMetadata"]["Arn"]
        s3.create_bucket(Bucket="plain")
        s3.create_bucket(Bucket="sealed")
        s3.put_bucket_encryption(
            Bucket="sealed",
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": key_arn,
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
        )
        objects: dict[str, bytes] = {}
        for bucket in ("plain", "sealed"):
            for name, data in (("empty", b""), ("small", SMALL), ("large", LARGE)):
                s3.put_object(Bucket=bucket, Key=name, Body=data)
                objects[f"{bucket}/{name}"] = data
            s3.put_object(Bucket=bucket, Key="checksummed", Body=SMALL, ChecksumAlgorithm="SHA256")
            objects[f"{bucket}/checksummed"] = SMALL
            upload = s3.create_multipart_upload(Bucket=bucket, Key="multipart")["UploadId"]
            etags = [
                s3.upload_part(Bucket=bucket, Key="multipart", UploadId=upload, PartNumber=n, Body=part)[
                    "ETag"
                ]
                for n, part in enumerate(PARTS, start=1)
            ]
            s3.complete_multipart_upload(
                Bucket=bucket,
                Key="multipart",
                UploadId=upload,
                MultipartUpload={
                    "Parts": [{"ETag": e, "PartNumber": n} for n, e in enumerate(etags, start=1)]
                },
            )
            objects[f"{bucket}/multipart"] = b"".join(PARTS)
        yield {"endpoint": endpoint, "objects": objects, "s3": s3}


_HTTP = requests.Session()


def _call(endpoint: str, method: str, path: str, headers: dict[str, str]) -> tuple[int, list[Any], bytes]:
    """One signed request; the response with what differs between any two calls taken out."""
    request = AWSRequest(method=method, url=f"{endpoint}/{path}", headers=headers)
    S3SigV4Auth(Credentials("testing", "testing"), "s3", REGION).add_auth(request)
    response = _HTTP.request(method, request.url, headers=dict(request.headers.items()), timeout=30)
    kept = sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() not in _VOLATILE_HEADERS)
    return response.status_code, kept, _VOLATILE_XML.sub(rb"<\1/>", response.content)


def _both(endpoint: str, method: str, path: str, headers: dict[str, str]) -> tuple[Any, Any]:
    s3_ranges.uninstall()
    before = _call(endpoint, method, path, headers)
    s3_ranges.install()
    assert s3_ranges.installed()
    return before, _call(endpoint, method, path, headers)


@pytest.mark.parametrize("obj", ["empty", "small", "large", "checksummed", "multipart"])
@pytest.mark.parametrize("bucket", ["plain", "sealed"])
def test_every_range_is_answered_byte_for_byte_as_moto_answers_it(
    server: dict[str, Any], bucket: str, obj: str
) -> None:
    path = f"{bucket}/{obj}"
    data = server["objects"][path]
    variants: list[tuple[str, str, dict[str, str]]] = []
    for rng in _ranges(len(data)):
        for method in ("GET", "HEAD"):
            variants.append((method, path, {"Range": rng}))
            if obj == "checksummed":  # a whole-object answer carries the checksum, a partial one does not
                variants.append((method, path, {"Range": rng, "x-amz-checksum-mode": "ENABLED"}))
    for rng in ("bytes=0-99", "bytes=-10", "bytes=0-1,5-9"):
        variants.append(("GET", f"{path}?partNumber=1", {"Range": rng}))
    etag = server["s3"].head_object(Bucket=bucket, Key=obj)["ETag"]
    variants.append(("GET", path, {"Range": "bytes=0-9", "If-None-Match": etag}))
    variants.append(("GET", path, {"Range": "bytes=0-9", "If-Match": etag}))
    variants.append(("GET", path, {"Range": "bytes=0-9", "If-Match": '"0123"'}))
    variants.append(("GET", f"{bucket}/missing", {"Range": "bytes=0-9"}))

    differences = []
    statuses = set()
    for method, target, headers in variants:
        before, after = _both(server["endpoint"], method, target, headers)
        statuses.add(before[0])
        if before != after:
            differences.append((method, target, headers, before[:2], after[:2]))
    assert differences == []
    # The cases reach every answer moto gives a range: partial, whole, unsatisfiable, not modified, failed.
    assert {206, 200, 304, 404, 412} <= statuses
    assert 416 in statuses or not data


def test_ranged_bodies_are_the_objects_bytes(server: dict[str, Any]) -> None:
    s3_ranges.install()
    s3 = server["s3"]
    for path, data in server["objects"].items():
        if not data:
            continue
        bucket, key = path.split("/")
        for rng, expected in (
            ("bytes=0-0", data[:1]),
            (f"bytes={len(data) // 2}-{len(data) // 2 + 4095}", data[len(data) // 2 : len(data) // 2 + 4096]),
            ("bytes=-333", data[-333:]),
            (f"bytes={len(data) - 3}-", data[-3:]),
        ):
            assert s3.get_object(Bucket=bucket, Key=key, Range=rng)["Body"].read() == expected, (path, rng)


class _CountingBuffer:
    """A key's stored buffer that counts the bytes read from it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.bytes_read += len(data)
        return bytes(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_small_range_of_a_large_object_reads_only_that_range(server: dict[str, Any]) -> None:
    from moto.s3.models import s3_backends

    s3 = server["s3"]
    data = os.urandom(64 << 20)
    s3.put_object(Bucket="sealed", Key="archive.zip", Body=data)
    key = s3_backends[ACCOUNT_ID]["aws"].buckets["sealed"].keys["archive.zip"]
    counting = _CountingBuffer(key._value_buffer)
    key._value_buffer = counting

    def bytes_read(call: Any) -> int:
        counting.bytes_read = 0
        call()
        return counting.bytes_read

    def get(rng: str, expected: bytes) -> Any:
        def call() -> None:
            assert s3.get_object(Bucket="sealed", Key="archive.zip", Range=rng)["Body"].read() == expected

        return call

    def head() -> None:
        assert (
            s3.head_object(Bucket="sealed", Key="archive.zip", Range="bytes=0-1023")["ContentLength"] == 1024
        )

    try:
        s3_ranges.uninstall()
        assert bytes_read(get("bytes=1000-2023", data[1000:2024])) == len(data)  # moto reads it all
        s3_ranges.install()
        assert bytes_read(get("bytes=1000-2023", data[1000:2024])) == 1024
        assert bytes_read(get("bytes=-1024", data[-1024:])) == 1024
        assert bytes_read(get(f"bytes={len(data) - 1024}-", data[-1024:])) == 1024
        assert bytes_read(head) == 0
        # A GET without a range is the whole object, read once.
        assert bytes_read(lambda: s3.get_object(Bucket="sealed", Key="archive.zip")["Body"].read()) == len(
            data
        )
    finally:
        key._value_buffer = counting.inner
        s3.delete_object(Bucket="sealed", Key="archive.zip")


@pytest.mark.parametrize(
    "index",
    [
        slice(0, 1),
        slice(10, 20),
        slice(990, 5000),
        slice(5, 5),
        slice(9, 3),
        slice(-10, None),
        slice(None, -990),
        slice(None, None),
        slice(0, 100, 3),
        slice(None, None, -1),
        0,
        -1,
    ],
)
def test_stored_body_slices_as_the_bytes_do(index: Any) -> None:
    from moto.s3.models import FakeKey

    key = FakeKey("k", SMALL, ACCOUNT_ID, REGION)
    try:
        body = s3_ranges.StoredBody(key, lambda k: bytes(SMALL))
        assert len(body) == len(SMALL)
        assert body[index] == SMALL[index]
        assert body.read() == SMALL
    finally:
        key.dispose()
