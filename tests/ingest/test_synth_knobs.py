"""Generator knobs: camera-sized photos that the parsers reference, a person's tone, and misspelt knobs refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from credscore.ingest.archive import read_member
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus
from credscore.synth import KNOBS, make_export, parse_knobs
from credscore.synth.pools import NEGATIVE
from credscore_cli.synth import main


@pytest.mark.parametrize(("platform", "layout"), [("facebook", "C"), ("x", None), ("instagram", "2")])
def test_large_photos_are_real_camera_sized_jpegs_referenced_by_the_profile(
    platform: str, layout: str | None
) -> None:
    buffer = io.BytesIO()
    make_export(platform, buffer, seed=3, layout=layout, photos=3, large_photos=1)
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform(platform), buffer, "k")
    assert report.status == SourceStatus.PARSED
    sizes = sorted(len(read_member(buffer, m.member, 8 << 20) or b"") for m in profile.media)
    assert len(sizes) == 3
    assert sizes[-1] > 500_000 > 20_000 > sizes[-2]  # one big photo, two thumbnails
    biggest = max(profile.media, key=lambda m: len(read_member(buffer, m.member, 8 << 20) or b""))
    with Image.open(io.BytesIO(read_member(buffer, biggest.member, 8 << 20) or b"")) as image:
        assert image.format == "JPEG"
        assert image.size == (2400, 1600)


def test_large_photos_are_deterministic_per_seed() -> None:
    first, second, other = io.BytesIO(), io.BytesIO(), io.BytesIO()
    for out, seed in ((first, 1), (second, 1), (other, 2)):
        make_export("facebook", out, seed=seed, photos=2, large_photos=2)
    assert first.getvalue() == second.getvalue() != other.getvalue()


def test_without_the_knob_no_photo_is_large() -> None:
    buffer = io.BytesIO()
    make_export("instagram", buffer, seed=1, photos=4)
    with zipfile.ZipFile(buffer) as zf:
        photos = [i.file_size for i in zf.infolist() if i.filename.endswith(".jpg")]
    assert len(photos) == 4
    assert max(photos) < 20_000


def _negative_shares(platform: str, **knobs: object) -> dict[str, float]:
    """Per kind of text (post, comment, tweet...), the share drawn from the negative pool."""
    buffer = io.BytesIO()
    make_export(platform, buffer, seed=5, photos=0, **knobs)
    profile = Profile(application_id="a")
    ingest_archive(profile, Platform(platform), buffer, "k")
    kinds: dict[str, list[bool]] = {}
    for t in profile.texts:
        # a tweet may carry a reply's @name or a retweet's prefix around the drawn text
        kinds.setdefault(t.kind, []).append(any(n in t.text for n in NEGATIVE))
    assert sum(len(v) for v in kinds.values()) >= 200
    return {kind: sum(v) / len(v) for kind, v in kinds.items() if len(v) >= 40}


@pytest.mark.parametrize(
    ("platform", "volume", "kinds"),
    [
        ("facebook", {"posts": 200, "comments": 200}, {"post", "comment"}),
        ("x", {"tweets": 400}, {"tweet", "reply", "retweet"}),
        ("instagram", {"posts": 200, "comments": 200}, {"caption", "comment"}),
    ],
)
def test_negative_share_is_the_persons_tone_in_every_kind_of_text(
    platform: str, volume: dict[str, int], kinds: set[str]
) -> None:
    default = _negative_shares(platform, **volume)
    assert set(default) == kinds
    assert all(share == pytest.approx(0.25, abs=0.1) for share in default.values()), default
    low = _negative_shares(platform, negative_share=0.05, **volume)
    assert all(share < 0.12 for share in low.values()), low
    high = _negative_shares(platform, negative_share=0.6, **volume)
    assert all(share == pytest.approx(0.6, abs=0.12) for share in high.values()), high


def test_a_negative_share_outside_what_texts_allow_is_refused_before_anything_is_written() -> None:
    for platform, knobs in (
        ("x", {"tweets": 3}),
        ("linkedin", {}),
        ("facebook", {"posts": 0, "comments": 0}),
    ):
        out = io.BytesIO()
        with pytest.raises(ValueError, match=r"negative_share 0\.9 is outside 0\.\.0\.85"):
            make_export(platform, out, negative_share=0.9, **knobs)
        assert out.getvalue() == b""


def test_the_command_line_reads_a_decimal_tone_and_whole_counts() -> None:
    assert parse_knobs(["--negative-share", "0.4", "--tweets", "7"]) == {"negative_share": 0.4, "tweets": 7}
    for bad in (["--tweets", "2.7"], ["--tweets", "inf"], ["--negative-share", "lots"]):
        with pytest.raises(ValueError, match=bad[0][2:].replace("-", "_")):
            parse_knobs(bad)


def test_a_misspelt_knob_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"unknown knob\(s\) tweet;"):
        make_export("x", io.BytesIO(), tweet=5)
    assert "tweets" in KNOBS


def test_a_knob_of_another_platform_is_accepted_and_ignored() -> None:
    plain, with_other = io.BytesIO(), io.BytesIO()
    make_export("linkedin", plain, seed=1)
    make_export("linkedin", with_other, seed=1, tweets=10)
    assert plain.getvalue() == with_other.getvalue()


def test_command_line_refuses_a_misspelt_knob(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--platform", "x", "--out", str(tmp_path / "x.zip"), "--tweet", "5"])
    assert exited.value.code == 2
    assert "unknown knob" in capsys.readouterr().err
