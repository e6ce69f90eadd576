"""Ingest is linear in the archive's size (issue 13.4), shown by counting, never by timing: the Python lines the
whole ingest executes (sys.monitoring) for N and 4N members grow about four times, not sixteen. Before the fix,
recording a data file scanned every file recorded so far and resolving a photo scanned every member sharing its
base name: 2k / 4k / 8k one-post files took 1.1 / 3.4 / 9.3 s, 45,000 members sharing a base name 267 s."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any

import pytest

from credscore.ingest.archive import SafeArchive
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus

from .helpers import make_zip

TOOL = 4  # a sys.monitoring tool id no debugger or profiler uses while the tests run


def lines_executed(action: Callable[[], Any]) -> int:
    """How many Python lines `action` executes (every loop iteration counts: the operation count)."""
    count = 0

    def on_line(code: object, line: int) -> None:
        nonlocal count
        count += 1

    monitoring = sys.monitoring
    monitoring.use_tool_id(TOOL, "ingest-linearity")
    try:
        monitoring.register_callback(TOOL, monitoring.events.LINE, on_line)
        monitoring.set_events(TOOL, monitoring.events.LINE)
        action()
    finally:
        monitoring.set_events(TOOL, 0)
        monitoring.register_callback(TOOL, monitoring.events.LINE, None)
        monitoring.free_tool_id(TOOL)
    return count


def one_post_files(n: int) -> io.BytesIO:
    """The issue's first case: n posts files of one post each (every one a provenance file)."""
    return make_zip(
        {
            f"posts/your_posts_{i}.json": [{"timestamp": 1_600_000_000 + i, "data": [{"post": f"p{i}"}]}]
            for i in range(1, n + 1)
        }
    )


def shared_base_name(n: int) -> io.BytesIO:
    """The issue's second case: n photos with one base name, each named by its own post."""
    uris = [f"posts/media/album{i}/photo.jpg" for i in range(n)]
    posts = [
        {"timestamp": 1_600_000_000, "attachments": [{"data": [{"media": {"uri": uri}}]}]} for uri in uris
    ]
    return make_zip({"posts/your_posts_1.json": posts, **{uri: b"\xff\xd8" for uri in uris}})


def _ingest(upload: io.BytesIO) -> Profile:
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.FACEBOOK, upload, "uploads/a/facebook/1")
    assert report.status == SourceStatus.PARSED
    return profile


@pytest.mark.parametrize(("make", "items"), [(one_post_files, "texts"), (shared_base_name, "media")])
def test_whole_ingest_grows_linearly(make: Callable[[int], io.BytesIO], items: str) -> None:
    small, large = 400, 1600
    small_zip, large_zip = make(small), make(large)
    profiles: list[Profile] = []
    small_ops = lines_executed(lambda: profiles.append(_ingest(small_zip)))
    large_ops = lines_executed(lambda: profiles.append(_ingest(large_zip)))
    assert [len(getattr(p, items)) for p in profiles] == [small, large]
    # Linear: 4x the members, about 4x the work (sorting member names adds a log factor); quadratic was ~16x.
    assert large_ops / small_ops < 5.5, (small_ops, large_ops)


def test_photo_resolution_probes_are_counted_per_photo() -> None:
    counts = []
    for n in (500, 2000):
        archive = SafeArchive(shared_base_name(n))
        for i in range(n):
            assert archive.resolve(f"posts/media/album{i}/photo.jpg") == f"posts/media/album{i}/photo.jpg"
        assert archive.resolve("posts/media/elsewhere/photo.jpg") is None
        counts.append(archive.lookups)
    # One index build over the members sharing the name, then one probe per photo: 2n + 2, not n^2 / 2.
    assert counts == [2 * 500 + 2, 2 * 2000 + 2]


def test_resolution_keeps_its_meaning_under_a_wrapper_and_deeper_roots() -> None:
    archive = SafeArchive(
        make_zip(
            {
                "facebook-me/posts/media/a/photo.jpg": b"1",
                "facebook-me/other/posts/media/a/photo.jpg": b"2",
                "posts/media/b/PHOTO.jpg": b"3",
            }
        )
    )
    # The first member (directory order) that is the uri or ends with '/' + uri, case-insensitively.
    assert archive.resolve("posts/media/a/photo.jpg") == "facebook-me/posts/media/a/photo.jpg"
    assert archive.resolve("/other/posts/media/a/photo.jpg") == "facebook-me/other/posts/media/a/photo.jpg"
    assert archive.resolve("posts/media/b/photo.jpg") == "posts/media/b/PHOTO.jpg"
    assert archive.resolve("media/a/photo.jpg") == "facebook-me/posts/media/a/photo.jpg"
    assert archive.resolve("edia/a/photo.jpg") is None  # a component boundary, not any suffix
    assert archive.resolve("x/facebook-me/posts/media/a/photo.jpg") is None
    assert archive.resolve("") is None
