from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from credscore_cli.inputs import InputError, parse_argument, platform_of, select_exports


@pytest.mark.parametrize(
    ("name", "platform"),
    [
        ("linkedin.zip", "linkedin"),
        ("Basic_LinkedInDataExport_01-02-2026.zip", "linkedin"),
        ("facebook-jdoe-2026-01-01-abc.zip", "facebook"),
        ("instagram-jdoe-2026.zip", "instagram"),
        ("twitter-2026-01-01.zip", "x"),
        ("x.zip", "x"),
        ("x-2.zip", "x"),
        ("xylophone.zip", None),
        ("export.zip", None),
        ("facebook-and-instagram.zip", None),
    ],
)
def test_platform_is_read_from_the_file_name(name: str, platform: str | None) -> None:
    assert platform_of(Path(name)) == platform


def test_platform_can_be_given_explicitly() -> None:
    assert parse_argument("linkedin=/tmp/a.zip") == ("linkedin", Path("/tmp/a.zip"))
    assert parse_argument("twitter=b.zip") == ("x", Path("b.zip"))
    with pytest.raises(InputError, match="odd: not a platform credscore reads"):
        parse_argument("odd=name.zip")


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Profile.csv", "a,b\n")
    return path


def test_files_are_grouped_by_platform_in_part_order(tmp_path: Path) -> None:
    second = _zip(tmp_path / "facebook-2.zip")
    first = _zip(tmp_path / "facebook-1.zip")
    other = _zip(tmp_path / "data.zip")
    selection = select_exports([str(second), str(first), f"linkedin={other}"])
    assert selection.sources == {"facebook": [first, second], "linkedin": [other]}
    assert selection.problems == []


def test_a_file_that_is_not_a_zip_is_reported_and_left_out(tmp_path: Path) -> None:
    good = _zip(tmp_path / "linkedin.zip")
    bad = tmp_path / "facebook.zip"
    bad.write_text("not a zip")
    selection = select_exports([str(good), str(bad)])
    assert selection.sources == {"linkedin": [good]}
    assert len(selection.problems) == 1
    assert "facebook" in selection.problems[0]
    assert "not a zip" in selection.problems[0]


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        select_exports([str(tmp_path / "linkedin.zip")])


def test_unknown_platform_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot tell which platform"):
        select_exports([str(_zip(tmp_path / "export.zip"))])


def test_same_file_twice_is_an_input_error(tmp_path: Path) -> None:
    path = _zip(tmp_path / "linkedin.zip")
    with pytest.raises(InputError, match="twice"):
        select_exports([str(path), str(path)])
