"""Archives inside the upload are never opened: a zip of zips is refused with a reason the user can act on."""

from __future__ import annotations

import io
import zipfile

import pytest

from credscore.ingest import archive as archive_module
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus
from credscore.synth import make_export
from tests.ingest.helpers import make_zip


def _export(platform: str, seed: int) -> bytes:
    buffer = io.BytesIO()
    make_export(platform, buffer, seed=seed)
    return buffer.getvalue()


INNER = {"fb1": ("facebook", 1), "fb2": ("facebook", 2), "li": ("linkedin", 3)}


@pytest.mark.parametrize(
    "inner",
    [
        {"facebook-asha-part1.zip": "fb1", "facebook-asha-part2.zip": "fb2"},
        {"exports/Basic_LinkedInDataExport_01-02-2026.zip": "li", "__MACOSX/._x.zip": b"junk"},
        {"twitter-2024.tar.gz": b"\x1f\x8b", "readme.txt": "hello"},
    ],
)
def test_a_zip_of_archives_is_refused_as_nested(inner: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    members = {name: _export(*INNER[v]) if v in INNER else v for name, v in inner.items()}
    opened: list[str] = []
    real_read = archive_module.SafeArchive.read

    def tracking_read(self, name, max_bytes=None):
        opened.append(name)
        return real_read(self, name, max_bytes)

    monkeypatch.setattr(archive_module.SafeArchive, "read", tracking_read)
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.FACEBOOK, make_zip(members), "k")
    assert report.status == SourceStatus.REJECTED
    assert report.reason_code == "nested_archive"
    assert "upload each downloaded zip" in (report.reason or "")
    assert opened == []
    assert profile == Profile(application_id="a")


def test_an_export_that_also_holds_an_archive_is_parsed_without_opening_it() -> None:
    members = {
        "Connections.csv": "First Name,Connected On\nA,01 Jan 2020\n",
        "old/backup.zip": _export("x", 1),
    }
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.LINKEDIN, make_zip(members), "k")
    assert report.status == SourceStatus.PARSED
    assert profile.accounts[0].connections == 1
    assert [f.name for f in profile.files] == ["Connections.csv"]


def test_a_stored_inner_zip_is_not_mistaken_for_the_export() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("facebook.zip", _export("facebook", 1))
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform.FACEBOOK, io.BytesIO(buffer.getvalue()), "k")
    assert report.reason_code == "nested_archive"
