"""The image step's photo reads (credscore_aws.logic.images._photos): in order, a bounded number in flight, one
GET per run of photos lying together in an archive, every reader gone with the batch, a failing read raised rather
than skipped."""

from __future__ import annotations

import gc
import io
import itertools
import threading
import time
import zipfile
from typing import Any

import boto3
import pytest

from credscore.errors import TransientError
from credscore.profile import MediaRef, Platform
from credscore_aws.dal import s3io, storage
from credscore_aws.logic import images


def _archive(count: int, size: int = 1_200_000) -> tuple[bytes, dict[str, bytes]]:
    photos = {f"photos/{i}.jpg": b"\xff\xd8" + bytes([i % 251]) * size for i in range(count)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name, data in photos.items():
            zf.writestr(name, data)
    return buffer.getvalue(), photos


def _ref(archive: str, member: str) -> MediaRef:
    return MediaRef(platform=Platform.FACEBOOK, archive=archive, member=member, src=0)


class SlowCountingClient:
    """The real (moto) client, with every GetObject taking `delay` seconds and the calls in flight counted."""

    def __init__(self, inner: Any, delay: float) -> None:
        self.inner = inner
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.gets = 0
        self.heads = 0

    def head_object(self, **kwargs: Any) -> Any:
        self.heads += 1
        return self.inner.head_object(**kwargs)

    def get_object(self, **kwargs: Any) -> Any:
        with self.lock:
            self.in_flight += 1
            self.gets += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
            return self.inner.get_object(**kwargs)
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.fixture
def slow_s3(bucket: str, monkeypatch: pytest.MonkeyPatch) -> SlowCountingClient:
    monkeypatch.setenv("BUCKET_NAME", bucket)
    client = SlowCountingClient(boto3.client("s3"), delay=0.02)
    monkeypatch.setattr(images, "s3_client", lambda: client)
    return client


def test_photos_come_in_order_with_a_bounded_number_fetched_at_once(
    slow_s3: SlowCountingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "RUN_BYTES", 1_500_000)  # a run per photo here: runs are the next test's
    body_a, photos_a = _archive(12)
    body_b, photos_b = _archive(5, size=300_000)
    slow_s3.inner.put_object(Bucket="work", Key="u/a.zip", Body=body_a)
    slow_s3.inner.put_object(Bucket="work", Key="u/b.zip", Body=body_b)
    refs = [_ref("u/a.zip", m) for m in photos_a] + [_ref("u/b.zip", m) for m in photos_b]
    refs.insert(3, _ref("u/a.zip", "photos/missing.jpg"))
    got = list(images._photos(refs, read_ahead=3))
    assert [key for key, _ in got] == [f"{ref.archive}#{i}" for i, ref in enumerate(refs)]
    contents = {"u/a.zip": photos_a, "u/b.zip": photos_b}
    expected = [contents[ref.archive].get(ref.member) for ref in refs]
    assert [data for _, data in got] == expected, "each photo's bytes, and None for one the archive lacks"
    assert slow_s3.most_in_flight == 3, "reads overlap, never more than read_ahead"
    # One GET per photo (a run each), plus each archive's directory once (its end, and its start where a photo
    # begins); the reading threads share it.
    assert slow_s3.heads == 2
    assert slow_s3.gets <= len(photos_a) + len(photos_b) + 2 * 2


def test_each_archives_directory_is_parsed_once_per_batch_whatever_the_threads(
    slow_s3: SlowCountingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parsed once per reading thread, an archive at the 200,000-entry limit held ~200 MB per thread (4 s each).
    body_a, photos_a = _archive(8, size=50_000)
    body_b, photos_b = _archive(8, size=50_000)
    slow_s3.inner.put_object(Bucket="work", Key="u/a.zip", Body=body_a)
    slow_s3.inner.put_object(Bucket="work", Key="u/b.zip", Body=body_b)
    parses: list[int] = []
    real_parse = zipfile.ZipFile._RealGetContents  # type: ignore[attr-defined]

    def counted(self: zipfile.ZipFile) -> None:
        parses.append(threading.get_ident())
        real_parse(self)

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", counted)
    refs = [_ref("u/a.zip", m) for m in photos_a] + [_ref("u/b.zip", m) for m in photos_b]
    refs = [ref for pair in zip(refs[:8], refs[8:], strict=True) for ref in pair]  # the archives interleaved
    got = [data for _, data in images._photos(refs, read_ahead=4)]
    assert got == [{"u/a.zip": photos_a, "u/b.zip": photos_b}[ref.archive][ref.member] for ref in refs]
    assert len(parses) == 2, "one parse per archive, none per reading thread"


def test_one_read_at_a_time_when_asked(slow_s3: SlowCountingClient) -> None:
    body, photos = _archive(4)
    slow_s3.inner.put_object(Bucket="work", Key="u/a.zip", Body=body)
    got = list(images._photos([_ref("u/a.zip", m) for m in photos], read_ahead=1))
    assert [data for _, data in got] == list(photos.values())
    assert slow_s3.most_in_flight == 1


def test_readers_end_with_the_batch_even_when_it_stops_early(
    slow_s3: SlowCountingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, photos = _archive(10)
    slow_s3.inner.put_object(Bucket="work", Key="u/a.zip", Body=body)
    alive: set[int] = set()
    original = s3io.S3RangedReader.__init__

    def tracked(self: s3io.S3RangedReader, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        alive.add(id(self))
        import weakref

        weakref.finalize(self, alive.discard, id(self))

    monkeypatch.setattr(s3io.S3RangedReader, "__init__", tracked)
    reading = images._photos([_ref("u/a.zip", m) for m in photos], read_ahead=4)
    assert next(reading)[1] == photos["photos/0.jpg"]
    assert alive, "readers exist while the batch is read"
    reading.close()
    gc.collect()
    assert not alive, "no reader (nor its cached blocks) outlives the batch"


def test_a_failing_read_fails_the_batch(slow_s3: SlowCountingClient, monkeypatch: pytest.MonkeyPatch) -> None:
    body, photos = _archive(6)
    slow_s3.inner.put_object(Bucket="work", Key="u/a.zip", Body=body)
    calls = 0
    real_get = slow_s3.get_object

    def flaky(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError("connection reset")
        return real_get(**kwargs)

    monkeypatch.setattr(slow_s3, "get_object", flaky)
    with pytest.raises(TransientError):
        list(images._photos([_ref("u/a.zip", m) for m in photos], read_ahead=2))


def test_the_cached_client_is_the_one_storage_makes() -> None:
    assert images.s3_client is storage.s3_client


def test_a_batch_short_of_time_stops_and_says_how_many_photos_it_did_not_reach(
    slow_s3: SlowCountingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from credscore.analysis.images import ImageModerator
    from credscore_aws.models.states import ImageBatchInput

    body, photos = _archive(10, size=20_000)
    slow_s3.inner.put_object(Bucket="work", Key="u/a.zip", Body=body)
    refs = [_ref("u/a.zip", m) for m in photos]
    manifest = json.dumps([ref.model_dump(mode="json") for ref in refs])
    slow_s3.inner.put_object(Bucket="work", Key="u/batch-0.json", Body=manifest.encode())
    monkeypatch.setattr(images, "moderator", lambda: ImageModerator.from_model_cards(threads=1))
    checks = 0

    def time_left() -> float:  # exactly the reserve for four photos (still started), then a millisecond under
        nonlocal checks
        checks += 1
        return images.TIME_RESERVE_SECONDS - (0 if checks <= 4 else 0.001)

    request = ImageBatchInput(application_id="a", batch="u/batch-0.json")
    result = images.moderate_batch(request, time_left=time_left)
    assert result.analysed + result.not_analysed == 4
    assert [cap.model_dump() for cap in result.caps] == [
        {
            "items": "photos",
            "platform": None,
            "kind": None,
            "analysed": 4,
            "capped": 6,
            "reason": "time_limit",
        }
    ]
    assert slow_s3.gets <= 4 + images.PHOTO_READ_AHEAD + 2, "photos past the deadline are not all fetched"
    plenty = images.moderate_batch(request, time_left=lambda: 900.0)
    assert (plenty.analysed + plenty.not_analysed, plenty.caps) == (10, [])


def test_a_thread_keeps_one_archives_reader_at_a_time(
    slow_s3: SlowCountingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each reader keeps a block cache of up to 16 MiB; keeping every archive's per thread made a batch of 23
    # archives hold 1.4 GiB in the image function's 1,769 MB.
    import weakref

    refs: list[MediaRef] = []
    for a in range(12):
        body, photos = _archive(2, size=1_000)
        slow_s3.inner.put_object(Bucket="work", Key=f"u/{a}.zip", Body=body)
        refs += [_ref(f"u/{a}.zip", m) for m in photos]
    forks: set[int] = set()
    fork = s3io.S3RangedReader.fork

    def tracked(self: s3io.S3RangedReader) -> s3io.S3RangedReader:
        twin = fork(self)
        forks.add(id(twin))
        weakref.finalize(twin, forks.discard, id(twin))
        return twin

    monkeypatch.setattr(s3io.S3RangedReader, "fork", tracked)
    most = 0
    for _ in images._photos(refs, read_ahead=2):
        gc.collect()
        most = max(most, len(forks))
    assert most <= 2, "one per reading thread"


def _extents(spans: dict[str, tuple[int, int] | None]) -> Any:
    """Extents with each photo decompressing to its bytes in the archive (stored, as a JPEG is)."""

    def extent(archive: str, member: str) -> tuple[int, int, int] | None:
        span = spans[f"{archive}/{member}"]
        return None if span is None else (span[0], span[1], span[1] - span[0])

    return extent


def test_photos_lying_together_make_one_run_up_to_its_size() -> None:
    unit = images.RUN_BYTES // 8  # the spans below are in eighths of a run
    spans: dict[str, tuple[int, int] | None] = {
        "a/1": (0, 3 * unit),
        "a/2": (3 * unit - 64, 6 * unit),  # within the one before's slack for its header: joins
        "a/3": (
            6 * unit + images.RUN_GAP_BYTES,
            8 * unit,
        ),  # the largest gap: joins, and fills RUN_BYTES exactly
        "a/4": (8 * unit, 9 * unit),  # would pass RUN_BYTES: a new run
        "a/5": (9 * unit + images.RUN_GAP_BYTES + 1, 10 * unit),  # one byte too far on: a new run
        "a/6": (9 * unit + images.RUN_GAP_BYTES + 1, 10 * unit),  # not after the run's last: a new run
        "a/gone": None,  # nothing to read: a run of its own, no bytes
        "a/7": (3 * unit, 4 * unit),  # not joined to a run with nothing in it
        "b/8": (4 * unit, 5 * unit),  # another archive
        "a/9": (12 * unit, 30 * unit),  # larger than RUN_BYTES: alone
    }
    refs = [_ref(key.split("/")[0], key.split("/")[1]) for key in spans]
    runs = list(images._runs(refs, _extents(spans), itertools.repeat(images.RUN_BYTES)))
    assert [(run.archive, [m for _, m in run.photos], run.start, run.stop) for run in runs] == [
        ("a", ["1", "2", "3"], 0, 8 * unit),
        ("a", ["4"], 8 * unit, 9 * unit),
        ("a", ["5"], 9 * unit + images.RUN_GAP_BYTES + 1, 10 * unit),
        ("a", ["6"], 9 * unit + images.RUN_GAP_BYTES + 1, 10 * unit),
        ("a", ["gone"], 0, 0),
        ("a", ["7"], 3 * unit, 4 * unit),
        ("b", ["8"], 4 * unit, 5 * unit),
        ("a", ["9"], 12 * unit, 30 * unit),
    ]
    assert [i for run in runs for i, _ in run.photos] == list(range(len(refs))), "every photo once, in order"
    assert list(images._runs([], _extents({}))) == []


def test_a_batch_starts_with_a_short_run_and_doubles_up_to_the_longest() -> None:
    """The first photo waits only for a short GET; the next runs double in length up to the cap (a photo too big
    for its run's limit is a run of its own and takes the next limit)."""
    unit = 1 << 20
    sizes = [1] * 40 + [9]
    spans: dict[str, tuple[int, int] | None] = {}
    offset = 0
    for i, size in enumerate(sizes):
        if i == 2:
            spans["a/gone"] = None  # a photo the archive lacks takes no limit from the ramp
        spans[f"a/{i}"] = (offset, offset + size * unit)
        offset += size * unit
    refs = [_ref(*key.split("/")) for key in spans]
    runs = list(images._runs(refs, _extents(spans), images.run_limits(first=2 * unit, most=8 * unit)))
    assert [(run.stop - run.start) // unit for run in runs] == [2, 0, 4, 8, 8, 8, 8, 2, 9]
    assert [len(run.photos) for run in runs] == [2, 1, 4, 8, 8, 8, 8, 2, 1]
    first = images.FIRST_RUN_BYTES
    assert list(itertools.islice(images.run_limits(), 4)) == [
        min(first * 2**k, images.RUN_BYTES) for k in range(4)
    ]
    assert first < images.RUN_BYTES
    assert images.RUN_BYTES <= s3io.DEFAULT_BLOCK_SIZE * s3io.DEFAULT_CACHED_BLOCKS, "a run is one GET"


def test_a_run_is_one_get_and_a_missing_photo_none(slow_s3: SlowCountingClient) -> None:
    body, photos = _archive(6, size=1_000_000)
    slow_s3.inner.put_object(Bucket="work", Key="u/a.zip", Body=body)
    refs = [_ref("u/a.zip", m) for m in photos]
    refs.insert(2, _ref("u/a.zip", "photos/none.jpg"))
    gets = slow_s3.gets
    got = list(images._photos(refs, read_ahead=2))
    assert [data for _, data in got] == [photos.get(ref.member) for ref in refs]
    assert slow_s3.gets - gets == 2 + 2, (
        "the directory (two reads), the two photos before the missing one, the four after"
    )


def test_a_run_is_bounded_by_what_its_photos_decompress_to() -> None:
    # 500 deflated photos of zeros, each half a run, lie in 2 MB: one run by their bytes in the archive, 250 runs'
    # worth read out.
    refs = [_ref("a", f"{i}.jpg") for i in range(500)]

    def extent(archive: str, member: str) -> tuple[int, int, int]:
        i = int(member.removesuffix(".jpg"))
        return i * 4000, (i + 1) * 4000, images.RUN_BYTES // 2

    runs = list(images._runs(refs, extent, itertools.repeat(images.RUN_BYTES)))
    assert [len(run.photos) for run in runs] == [2] * 250
    assert all(run.size <= images.RUN_BYTES for run in runs)
