"""Storage trouble while reading an archive is retryable (TransientError), never a damaged export or lost data."""

from __future__ import annotations

import io
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from moto import mock_aws

from credscore.errors import TransientError
from credscore.ingest.archive import read_member
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus
from credscore.synth import make_export
from credscore_aws.dal.s3io import S3RangedReader

BUCKET = "uploads"
KEY = "uploads/app/facebook/part-1.zip"


def _export() -> bytes:
    buffer = io.BytesIO()
    make_export("facebook", buffer, seed=5, layout="B", posts=60, comments=20, photos=3)
    return buffer.getvalue()


class FlakyClient:
    """A real (moto) S3 client whose chosen GetObject calls fail or come back short."""

    def __init__(self, client: Any, failing_calls: set[int], failure: str) -> None:
        self._client = client
        self._failing = failing_calls
        self._failure = failure
        self.calls = 0

    def head_object(self, **kwargs: Any) -> Any:
        return self._client.head_object(**kwargs)

    def get_object(self, **kwargs: Any) -> Any:
        self.calls += 1
        response = self._client.get_object(**kwargs)
        if self.calls not in self._failing:
            return response
        if self._failure == "slowdown":
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "slow"}}, "GetObject")
        if self._failure == "timeout":
            raise ReadTimeoutError(endpoint_url="https://s3.example")
        data = response["Body"].read()
        return {"Body": io.BytesIO(data[: len(data) // 2])}  # the connection dropped mid-body


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_object(Bucket=BUCKET, Key=KEY, Body=_export())
        yield client


def _ingest(client: Any) -> tuple[Profile, Any]:
    profile = Profile(application_id="a")
    reader = S3RangedReader(client, BUCKET, KEY, block_size=4096, cached_blocks=2)
    return profile, ingest_archive(profile, Platform.FACEBOOK, reader, KEY)


@pytest.mark.parametrize("failure", ["slowdown", "timeout", "short"])
def test_a_failed_read_mid_parse_is_retryable_and_leaves_the_profile_as_it_was(s3, failure: str) -> None:
    _, complete = _ingest(s3)
    assert complete.status == SourceStatus.PARSED
    flaky = FlakyClient(s3, failing_calls={6}, failure=failure)  # after the directory, inside the members
    profile = Profile(application_id="a")
    reader = S3RangedReader(flaky, BUCKET, KEY, block_size=4096, cached_blocks=2)
    with pytest.raises(TransientError):
        ingest_archive(profile, Platform.FACEBOOK, reader, KEY)
    assert flaky.calls == 6
    assert profile == Profile(application_id="a")


def test_the_retry_reads_everything(s3) -> None:
    reference, _ = _ingest(s3)
    with pytest.raises(TransientError):
        _ingest(FlakyClient(s3, failing_calls={4}, failure="slowdown"))
    retried, report = _ingest(FlakyClient(s3, failing_calls=set(), failure="slowdown"))
    assert report.status == SourceStatus.PARSED
    assert retried.texts == reference.texts
    assert len(retried.texts) == 60 + 20


def test_a_failed_directory_read_is_retryable_not_a_bad_zip(s3) -> None:
    profile = Profile(application_id="a")
    reader = S3RangedReader(FlakyClient(s3, {1}, "slowdown"), BUCKET, KEY)
    with pytest.raises(TransientError, match="SlowDown"):
        ingest_archive(profile, Platform.FACEBOOK, reader, KEY)


def test_a_missing_object_is_an_error_not_an_empty_archive(s3) -> None:
    reader = S3RangedReader(s3, BUCKET, "uploads/app/gone.zip")
    with pytest.raises(TransientError) as raised:
        ingest_archive(Profile(application_id="a"), Platform.FACEBOOK, reader, "uploads/app/gone.zip")
    assert "gone.zip" not in str(raised.value)  # no key (it names the application) in the message


def test_photo_reads_propagate_storage_trouble_instead_of_reporting_a_bad_photo(s3) -> None:
    profile, _ = _ingest(s3)
    member = profile.media[0].member
    counting = FlakyClient(s3, set(), "timeout")
    assert read_member(S3RangedReader(counting, BUCKET, KEY, block_size=4096), member, 1 << 20)
    last_read = counting.calls  # the photo's own bytes, after the directory
    flaky = S3RangedReader(FlakyClient(s3, {last_read}, "timeout"), BUCKET, KEY, block_size=4096)
    with pytest.raises(TransientError):
        read_member(flaky, member, 1 << 20)
