from __future__ import annotations

import io
import json
import zipfile

import pytest

from credscore.ingest.detect import detect_platform
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus
from credscore.synth import make_export, parse_knobs
from credscore_cli.synth import main
from tests.exports import SMALL_FACEBOOK, SMALL_LINKEDIN


def _export(platform: str, **kwargs) -> io.BytesIO:
    buffer = io.BytesIO()
    make_export(platform, buffer, **kwargs)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    ("platform", "layout"),
    [
        ("facebook", "A"),
        ("facebook", "B"),
        ("facebook", "C"),
        ("linkedin", None),
        ("x", None),
        ("x", "legacy"),
        ("instagram", "1"),
        ("instagram", "2"),
        ("instagram", "3"),
    ],
)
def test_every_layout_round_trips_through_its_parser(platform: str, layout: str | None) -> None:
    fileobj = _export(platform, seed=5, layout=layout, wrapper=True)
    assert detect_platform(fileobj) == Platform(platform)
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform(platform), fileobj, "key")
    assert report.status == SourceStatus.PARSED, report
    assert profile.accounts
    if platform != "linkedin":
        assert profile.texts
        assert profile.media


def test_lead_end_to_end_exports() -> None:
    profile = Profile(application_id="a")
    ingest_archive(profile, Platform.LINKEDIN, _export("linkedin", seed=1, **SMALL_LINKEDIN), "l")
    report = ingest_archive(
        profile,
        Platform.FACEBOOK,
        _export("facebook", seed=2, layout="B", **SMALL_FACEBOOK),
        "f",
    )
    assert report.layout == "facebook-B"
    linkedin, facebook = profile.accounts
    assert linkedin.connections == 420
    assert len(profile.skills) == 12
    assert facebook.friends == 300
    assert sum(t.kind == "post" for t in profile.texts) == 40
    assert sum(t.kind == "comment" for t in profile.texts) == 30
    assert sum(n.kind == "group" for n in profile.names) == 8
    assert sum(n.kind == "page" for n in profile.names) == 10
    assert len(profile.media) == 3
    assert {b.year for b in profile.birth_dates} == {1990, 1991}
    assert any("shit" in n.name.lower() or "damn" in n.name.lower() for n in profile.names)


def test_deterministic_per_seed_and_different_across_seeds() -> None:
    assert _export("facebook", seed=7).getvalue() == _export("facebook", seed=7).getvalue()
    assert _export("facebook", seed=7).getvalue() != _export("facebook", seed=8).getvalue()


def test_meta_strings_are_mojibake_escaped() -> None:
    with zipfile.ZipFile(_export("facebook", seed=1, pages=12)) as zf:
        raw = zf.read("pages/pages_you've_liked.json").decode("ascii")
    assert "\\u00c3\\u00a9" in raw  # é as two escaped bytes, like the real exports
    assert "Café Aroma".encode().decode("latin-1") in [p["name"] for p in json.loads(raw)["page_likes_v2"]]


def test_padding_and_birth_year_none() -> None:
    fileobj = _export("facebook", seed=1, padding=3 << 20, birth_year=None)
    with zipfile.ZipFile(fileobj) as zf:
        sizes = [i.file_size for i in zf.infolist() if i.filename.endswith(".mp4")]
    assert sizes == [3 << 20]
    profile = Profile(application_id="a")
    ingest_archive(profile, Platform.FACEBOOK, fileobj, "k")
    assert profile.birth_dates == []


def test_unknown_platform_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown platform"):
        make_export("myspace", io.BytesIO())


def test_command_line(tmp_path) -> None:
    out = tmp_path / "x.zip"
    assert (
        main(["--platform", "x", "--out", str(out), "--seed", "3", "--tweets", "5", "--followers", "9"]) == 0
    )
    profile = Profile(application_id="a")
    with out.open("rb") as f:
        ingest_archive(profile, Platform.X, f, "k")
    assert len(profile.texts) == 5
    assert profile.accounts[0].followers == 9
    assert parse_knobs(["--birth-year", "none", "--wrapper", "true"]) == {"birth_year": None, "wrapper": True}
    with pytest.raises(ValueError):
        parse_knobs(["--posts"])
