"""Hand-made zips for parser and archive tests."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, BinaryIO

from credscore.ingest.ingest_archive import ingest_archive
from credscore.ingest.pipeline import build_profile
from credscore.profile import Platform, Profile, SourceReport


def make_zip(members: dict[str, bytes | str | Any], *, compression: int = zipfile.ZIP_DEFLATED) -> io.BytesIO:
    """Members given as bytes/str are written as is; anything else as JSON (ASCII-escaped, like Meta's)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, content in members.items():
            if isinstance(content, str):
                content = content.encode("utf-8")
            elif not isinstance(content, bytes):
                content = json.dumps(content).encode("ascii")
            zf.writestr(name, content)
    buffer.seek(0)
    return buffer


def build_from_uploads(uploads: dict[str, bytes], **options: Any) -> Profile:
    """`build_profile` of one declared and received part per platform, read from `uploads` (platform → zip
    bytes), with no X handle; `options` go to `build_profile` (time_left, reserve_seconds, limits)."""

    def open_archive(key: str) -> BinaryIO:
        return io.BytesIO(uploads[key.split("/")[2]])

    return build_profile(
        application_id="app",
        declared=dict.fromkeys(uploads, 1),
        received=[f"{p}/1" for p in uploads],
        x_handle=None,
        open_archive=open_archive,
        x_bearer_token=lambda: "",
        **options,
    )


def meta(text: str) -> str:
    """Meta's mojibake of a string."""
    return text.encode("utf-8").decode("latin-1")


def ingest(
    platform: str, members: dict[str, Any] | io.BytesIO, key: str = "uploads/a/p.zip"
) -> tuple[Profile, SourceReport]:
    profile = Profile(application_id="app-1")
    fileobj = members if isinstance(members, io.BytesIO) else make_zip(members)
    report = ingest_archive(profile, Platform(platform), fileobj, key)
    return profile, report


LINKEDIN_FILES = {
    "Connections.csv": "First Name,Last Name,Connected On\nA,B,01 Jan 2020\nC,D,02 Jan 2020\n",
    "Invitations.csv": "From,To,Direction\nA,Me,INCOMING\nMe,B,OUTGOING\n",
    "Skills.csv": "Name\nPython\nSQL\n",
    "Profile.csv": "First Name,Birth Date\nA,Mar 5 1990\n",
    "Education.csv": "School Name,Degree Name,Start Date,End Date\nIIT,BTech,2008,2012\n",
    "Positions.csv": 'Company Name,Title,Started On,Finished On\nAcme,"Lead, Data",Jan 2015,\n',
    "Registration.csv": "Registered At\n2015\n",
}


def delimited_linkedin(delimiter: str) -> dict[str, str]:
    """LinkedIn's files re-saved by a spreadsheet that writes another delimiter (a comma stays inside quotes)."""
    return {
        name: text.replace(",", delimiter).replace(f'"Lead{delimiter} Data"', '"Lead, Data"')
        for name, text in LINKEDIN_FILES.items()
    }
