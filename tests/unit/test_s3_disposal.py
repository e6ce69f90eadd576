"""The local stack's deferred disposal (credscore_local.s3_disposal): a delete or overwrite answers while the old
bytes' file is still being closed, the key is gone at once, and the file is closed afterwards."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from credscore_local import s3_disposal
from credscore_local.deployment import ACCOUNT_ID, aws_client
from tests.moto_server import moto_server

LARGE = 9 << 20  # past moto's 8 MiB in-memory buffer: stored in a temporary file
BUCKET = "disposal"


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    with moto_server(s3_disposal) as endpoint:
        s3_disposal.install()
        client = aws_client(endpoint, "s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[Any], threading.Event]]:
    """The files handed to the reaper, and the event that lets it close them (held until set)."""
    s3_disposal.drain()  # the files an earlier reset handed over are closed before this test's are watched
    handed: list[Any] = []
    release = threading.Event()

    def close_when_released(stored: Any) -> None:
        handed.append(stored)
        release.wait(30)
        stored.close()

    monkeypatch.setattr(s3_disposal.reaper, "close", close_when_released)
    yield handed, release
    release.set()
    s3_disposal.drain()


def _stored(key: str) -> Any:
    """The key's buffer in moto's backend (the server runs in this process)."""
    from moto.s3.models import s3_backends

    return s3_backends[ACCOUNT_ID]["aws"].buckets[BUCKET].keys[key]._value_buffer


def _gone(s3: Any, key: str) -> bool:
    try:
        s3.head_object(Bucket=BUCKET, Key=key)
    except ClientError as error:
        return error.response["Error"]["Code"] == "404"
    return False


def test_a_delete_answers_before_the_deleted_file_is_closed(
    s3: Any, held: tuple[list[Any], threading.Event]
) -> None:
    handed, release = held
    s3.put_object(Bucket=BUCKET, Key="archive.zip", Body=os.urandom(LARGE))
    s3.put_object(Bucket=BUCKET, Key="small.json", Body=b"{}")
    archive, small = _stored("archive.zip"), _stored("small.json")
    with ThreadPoolExecutor(1) as pool:
        deleting = pool.submit(
            s3.delete_objects,
            Bucket=BUCKET,
            Delete={"Objects": [{"Key": "archive.zip"}, {"Key": "small.json"}]},
        )
        # The close is held: a delete that waited for it would not answer.
        answer = deleting.result(timeout=20)
    assert sorted(d["Key"] for d in answer["Deleted"]) == ["archive.zip", "small.json"]
    assert _gone(s3, "archive.zip")
    assert _gone(s3, "small.json")
    for _ in range(500):  # until the reaper has taken the file from its queue
        if handed:
            break
        release.wait(0.01)
    assert handed == [archive], "only the file on disk is handed over"
    assert small.closed, "the small key's buffer is closed in place"
    assert not archive.closed
    release.set()
    s3_disposal.drain()
    assert archive.closed


def test_an_overwrite_serves_the_new_bytes_while_the_old_file_is_closed_later(
    s3: Any, held: tuple[list[Any], threading.Event]
) -> None:
    handed, release = held
    old, new = os.urandom(LARGE), os.urandom(LARGE)
    s3.put_object(Bucket=BUCKET, Key="overwritten.zip", Body=old)
    first = _stored("overwritten.zip")
    s3.put_object(Bucket=BUCKET, Key="overwritten.zip", Body=new)
    assert s3.get_object(Bucket=BUCKET, Key="overwritten.zip")["Body"].read() == new
    release.set()
    s3_disposal.drain()
    assert handed == [first]
    assert first.closed
    s3.delete_object(Bucket=BUCKET, Key="overwritten.zip")


def test_a_failed_close_leaves_the_reaper_working_and_drain_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    s3_disposal.drain()
    closed: list[Any] = []

    def close_or_fail(stored: Any) -> None:
        if stored == "bad":
            raise OSError("disk gone")
        closed.append(stored)

    monkeypatch.setattr(s3_disposal.reaper, "close", close_or_fail)
    s3_disposal.reaper.put("bad")
    s3_disposal.reaper.put("good")
    assert s3_disposal.drain()
    assert closed == ["good"], "the thread outlived the failure"
    stuck = threading.Event()
    monkeypatch.setattr(s3_disposal.reaper, "close", lambda stored: stuck.wait(30))
    s3_disposal.reaper.put("slow")
    try:
        assert not s3_disposal.drain(timeout=0.2), "a stop does not wait for ever"
    finally:
        stuck.set()
        s3_disposal.drain()


def test_a_key_the_garbage_collector_disposes_of_is_closed_in_place(
    held: tuple[list[Any], threading.Event],
) -> None:
    from moto.s3.models import FakeKey

    handed, _ = held
    was_installed = s3_disposal.installed()
    s3_disposal.install()
    try:
        large = FakeKey(
            "k", b"x" * 2048, account_id=ACCOUNT_ID, region_name="us-east-1", max_buffer_size=1024
        )
        stored = large._value_buffer
        large.dispose(garbage=True)
    finally:
        if not was_installed:
            s3_disposal.uninstall()
    assert stored.closed
    assert handed == []


def test_a_key_in_memory_is_closed_in_place() -> None:
    from moto.s3.models import FakeKey

    was_installed = s3_disposal.installed()
    s3_disposal.install()
    try:
        small = FakeKey("k", b"x" * 100, account_id="123456789012", region_name="us-east-1")
        large = FakeKey(
            "k", b"x" * 2048, account_id="123456789012", region_name="us-east-1", max_buffer_size=1024
        )
        stored_small, stored_large = small._value_buffer, large._value_buffer
        small.dispose()
        large.dispose()
        s3_disposal.drain()
    finally:
        if not was_installed:
            s3_disposal.uninstall()
    assert stored_small.closed
    assert stored_large.closed
    assert small.disposed
    assert large.disposed
    with pytest.raises(ValueError):
        large.value  # noqa: B018 - a disposed key's bytes are gone, as after moto's own close
