"""Counts capped at ingest (issue 13.3): a tiny zip of millions of tiny items keeps the profile and the ingest's
heap bounded, and the source says which cap was reached ("first N of M kept")."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from credscore.ingest.archive import DEFAULT_LIMITS
from credscore.ingest.ingest_archive import ingest_archive
from credscore.ingest.jsondecode import CappedList, decode_bounded, estimated_heap
from credscore.profile import Platform, Profile, SourceStatus

from .helpers import make_zip

MIB = 1 << 20
TINY_POST = '{"data":[{"post":"a"}]}'


def hostile_posts_zip(files: int = 4, mib_each: int = 4) -> bytes:
    """The issue's upload: a few posts files, each MiBs of the tiniest posts (compresses to tens of KB)."""
    per_file = mib_each * MIB // (len(TINY_POST) + 1)
    body = "[" + ",".join([TINY_POST] * per_file) + "]"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for i in range(1, files + 1):
            zf.writestr(f"posts/your_posts_{i}.json", body)
    return buffer.getvalue()


_MEASURE = """
import io, json, sys
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile
profile = Profile(application_id="a")
report = ingest_archive(profile, Platform.FACEBOOK, open(sys.argv[1], "rb"), "uploads/a/facebook/1")
# VmHWM is this process image's own peak; getrusage's ru_maxrss keeps the forking parent's peak across exec.
hwm_kib = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({
    "peak_rss_mib": hwm_kib / 1024,
    "report": report.model_dump(mode="json"),
    "texts": len(profile.texts),
    "srcs": sorted({t.src for t in profile.texts}),
}))
"""


def test_the_hostile_posts_zip_is_capped_with_a_reason_and_a_bounded_peak_rss(tmp_path: Path) -> None:
    upload = tmp_path / "hostile.zip"
    upload.write_bytes(hostile_posts_zip())
    assert upload.stat().st_size < 200_000  # the upload itself is tiny
    per_file = 4 * MIB // (len(TINY_POST) + 1)
    # A fresh interpreter, so its peak RSS is this ingest's (what Lambda's MemorySize limits), imports included.
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(upload)], capture_output=True, text=True, check=True, timeout=600
    )
    measured = json.loads(run.stdout)
    report = measured["report"]
    cap = DEFAULT_LIMITS.max_texts_per_kind
    assert (report["status"], report["reason_code"]) == ("parsed", "cap_reached")
    assert f"cap reached: first {cap} of {4 * per_file} posts kept" in report["warnings"]
    assert measured["texts"] == cap
    assert measured["srcs"] == [0]  # deterministic: the first posts of the first file are the ones kept
    # Uncapped, these posts took ingest to 1.8 GB (issue 13.3); the function has 1024 MB.
    assert measured["peak_rss_mib"] < 512, measured["peak_rss_mib"]


def test_caps_count_across_the_parts_of_one_export() -> None:
    limits = replace(DEFAULT_LIMITS, max_texts_per_kind=5)
    profile = Profile(application_id="a")
    for part in (1, 2):
        posts = [{"timestamp": 1_600_000_000 + i, "data": [{"post": f"p{part}-{i}"}]} for i in range(4)]
        report = ingest_archive(
            profile, Platform.FACEBOOK, make_zip({"posts/your_posts_1.json": posts}), f"k{part}", limits
        )
    assert [t.text for t in profile.texts] == ["p1-0", "p1-1", "p1-2", "p1-3", "p2-0"]
    assert report.warnings[-1] == "cap reached: first 5 of 8 posts kept"


def test_every_capped_kind_is_cut_and_reported() -> None:
    limits = replace(
        DEFAULT_LIMITS,
        max_texts_per_kind=2,
        max_names_per_kind=2,
        max_photos_per_source=2,
        max_rows_per_kind=2,
        max_text_chars=10,
    )
    members = {
        "posts/your_posts_1.json": [
            {
                "timestamp": 1_600_000_000,
                "data": [{"post": "x" * 50}],
                "attachments": [{"data": [{"media": {"uri": f"posts/media/{i}.jpg"}}]}],
            }
            for i in range(3)
        ],
        **{f"posts/media/{i}.jpg": b"\xff\xd8" for i in range(3)},
        "pages/pages_you've_liked.json": {"page_likes_v2": [{"name": f"page {i}"} for i in range(3)]},
        "profile_information/profile_information.json": {
            "profile_v2": {"work_experiences": [{"employer": f"e{i}"} for i in range(3)]}
        },
    }
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.FACEBOOK, make_zip(members), "k", limits)
    assert report.status == SourceStatus.PARSED
    assert (len(profile.texts), len(profile.names), len(profile.media), len(profile.positions)) == (
        2,
        2,
        2,
        2,
    )
    assert all(len(t.text) == 10 for t in profile.texts)
    for note in (
        "cap reached: first 2 of 3 posts kept",
        "cap reached: first 2 of 3 pages kept",
        "cap reached: first 2 of 3 photos kept",
        "cap reached: first 2 of 3 positions kept",
    ):
        assert note in report.warnings
        assert note in (report.reason or "")


def test_linkedin_rows_are_streamed_and_counts_stay_exact() -> None:
    limits = replace(DEFAULT_LIMITS, max_rows_per_kind=3)
    connections = "First Name,Connected On\n" + "A,01 Jan 2020\n" * 5000
    skills = "Name\n" + "".join(f"skill {i}\n" for i in range(10))
    profile = Profile(application_id="a")
    report = ingest_archive(
        profile,
        Platform.LINKEDIN,
        make_zip({"Connections.csv": connections, "Skills.csv": skills}),
        "k",
        limits,
    )
    assert profile.accounts[0].connections == 5000  # a count is never capped
    assert profile.skills == ["skill 0", "skill 1", "skill 2"]
    assert "cap reached: first 3 of 10 skills kept" in report.warnings


# ---------------------------------------------------------------------------------------- bounded decoding
def test_a_document_over_the_budget_is_decoded_with_its_lists_cut_and_counts_kept() -> None:
    text = json.dumps({"friends_v2": [{"name": "x"}] * 20_000, "other": {"deep": [[1, 2], {"k": "v"}]}})
    assert estimated_heap(text) > 64 << 10
    decoded = decode_bounded(text, budget=64 << 10, max_items=50_000)
    friends = decoded.value["friends_v2"]
    assert isinstance(friends, CappedList)
    assert friends.total == 20_000
    assert 0 < len(friends) < 20_000
    assert friends[0] == {"name": "x"}
    assert decoded.value["other"] == {"deep": [[1, 2], {"k": "v"}]}
    assert decoded.cut_lists == 1
    # Under the budget it is plain json.loads.
    assert decode_bounded(text, budget=1 << 40, max_items=50_000).value == json.loads(text)


def test_bounded_decoding_agrees_with_json_loads_when_nothing_is_cut() -> None:
    document = {"a": [{"b": "c" * 5000, "d": [1.5, None, True, "é\u2603"]}] * 3, "e": '\\"q'}
    text = json.dumps(document, ensure_ascii=False)
    # Just under the whole document's estimate: walked piece by piece, yet everything fits.
    assert decode_bounded(text, budget=estimated_heap(text) - 1, max_items=1000).value == document


@pytest.mark.parametrize("walked", [True, False], ids=["walked", "whole"])
def test_a_number_of_more_digits_than_int_takes_is_an_infinity_not_a_lost_file(walked: bool) -> None:
    # json.loads raises ValueError past 4,300 digits: the whole file was skipped for one value.
    text = (
        '[{"t": '
        + "9" * 100_000
        + '}, {"t": -'
        + "9" * 4301
        + '}, {"t": 1600000000, "big": '
        + "9" * 4300
        + "}]"
    )
    budget = estimated_heap(text) - (1 if walked else 0)  # just under: walked piece by piece, nothing cut
    assert decode_bounded(text, budget=budget, max_items=10).value == [
        {"t": math.inf},
        {"t": -math.inf},
        {"t": 1_600_000_000, "big": int("9" * 4300)},
    ]


def test_bounded_decoding_rejects_what_json_loads_rejects() -> None:
    for bad in ('[{"a": 1} {"b": 2}]', '{"a" 1}', "[1, 2", '{"a": [1, 2]} x', "[" + "1," * 3000 + "]"):
        try:
            json.loads(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(bad)
        try:
            decode_bounded(bad, budget=0, max_items=10)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad!r}")


def test_a_huge_data_file_of_tiny_objects_stays_within_its_decode_budget() -> None:
    body = "[" + ",".join(['{"a":[]}'] * 100_000) + "]"  # 0.9 MiB of text, ~25 MiB as Python objects
    limits = replace(DEFAULT_LIMITS, json_decode_budget=2 * MIB)
    tracemalloc.start()
    try:
        zipped = make_zip({"friends_and_followers/friends.json": body})
        profile = Profile(application_id="a")
        tracemalloc.reset_peak()
        report = ingest_archive(profile, Platform.FACEBOOK, zipped, "k", limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.status == SourceStatus.PARSED
    assert profile.accounts[0].friends == 100_000  # counted exactly, though the list was cut
    assert any("too large to decode whole" in w for w in report.warnings)
    assert peak < 12 * MIB, peak / MIB  # the bytes and the text of the member, plus the budget


def test_an_instagram_following_list_cut_while_decoding_is_still_counted_whole() -> None:
    following = {
        "relationships_following": [{"title": f"u{i}", "string_list_data": []} for i in range(20_000)]
    }
    limits = replace(DEFAULT_LIMITS, json_decode_budget=256 << 10, max_names_per_kind=100)
    profile = Profile(application_id="a")
    report = ingest_archive(
        profile,
        Platform.INSTAGRAM,
        make_zip({"followers_and_following/following.json": following}),
        "k",
        limits,
    )
    assert report.status == SourceStatus.PARSED
    assert profile.accounts[0].following == 20_000
    assert len(profile.names) == 100
    assert any("too large to decode whole" in w for w in report.warnings)


def test_the_characters_a_source_keeps_are_bounded_across_its_parts_and_a_name_is_cut() -> None:
    # Under the item counts alone, 511 MiB of posts of 20,000 4-byte characters kept 2 GB, and a page name of 64 M
    # characters was kept whole.
    limits = replace(DEFAULT_LIMITS, max_chars_per_source=250, max_field_chars=40)
    posts = {"posts/your_posts_1.json": [{"data": [{"post": "\U0001f600" * 100}]} for _ in range(2)]}
    pages = {"pages/pages_you've_liked.json": {"page_likes_v2": [{"name": "p" * 5000}]}}
    profile = Profile(application_id="a")
    first = ingest_archive(profile, Platform.FACEBOOK, make_zip(posts), "k1", limits)
    assert (first.status, first.reason_code) == (SourceStatus.PARSED, None)
    assert [len(t.text) for t in profile.texts] == [100, 100]
    # A second part of the same export: its characters count with the first part's.
    more = {"posts/your_posts_1.json": [{"data": [{"post": "b" * 100}]}], **pages}
    second = ingest_archive(profile, Platform.FACEBOOK, make_zip(more), "k2", limits)
    assert [len(t.text) for t in profile.texts] == [100, 100], (
        "200 + 100 is over 250: the third post is not kept"
    )
    assert [n.name for n in profile.names] == ["p" * 40], "the name is cut, and 240 characters fit"
    assert second.reason_code == "cap_reached"
    assert "cap reached: first 2 of 3 posts kept" in second.warnings
    assert "1 item(s) not kept: the source's 250 characters are used" in second.warnings
    assert "1 name(s) or field(s) cut to their first characters: too long" in second.warnings
