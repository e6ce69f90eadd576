"""Only data files and photos are ever decompressed, on top of the private-area deny-list."""

from __future__ import annotations

import io
import zipfile

import pytest

from credscore.ingest.archive import MemberError, SafeArchive, read_member
from credscore.ingest.ingest_archive import ingest_archive
from credscore.profile import Platform, Profile, SourceStatus
from credscore.synth import make_export
from tests.ingest.helpers import make_zip


@pytest.mark.parametrize(
    "name",
    [
        "posts/no-data.txt",
        "start_here.html",
        "media/videos/v.mp4",
        "old/backup.zip",
        "notes",
        "data/x.js.map",
    ],
)
def test_other_files_are_never_read(name: str) -> None:
    archive = SafeArchive(make_zip({name: "anything"}))
    with pytest.raises(MemberError) as raised:
        archive.read(name)
    assert raised.value.code == "not_readable"
    assert read_member(make_zip({name: "anything"}), name, 1 << 20) is None


@pytest.mark.parametrize(
    "name",
    ["a/posts/your_posts_1.json", "data/tweets.js", "Skills.csv", "x/1_n.JPG", "p.jpeg", "i.HEIC", "w.webp"],
)
def test_data_files_and_photos_are_read(name: str) -> None:
    assert SafeArchive(make_zip({name: b"content"})).read(name) == b"content"


@pytest.mark.parametrize("platform", ["facebook", "linkedin", "x", "instagram"])
def test_a_full_export_opens_nothing_but_data_and_photos(
    platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = io.BytesIO()
    make_export(platform, buffer, seed=6, padding=1000, photos=2)
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spying_open(self, name, *args, **kwargs):
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spying_open)
    profile = Profile(application_id="a")
    report = ingest_archive(profile, Platform(platform), buffer, "k")
    for ref in profile.media:
        assert read_member(buffer, ref.member, 1 << 20)
    assert report.status == SourceStatus.PARSED
    assert opened
    assert all(n.lower().endswith((".json", ".js", ".csv", ".jpg")) for n in opened), opened
