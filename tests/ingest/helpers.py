"""Hand-made zips for parser and archive tests."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from credscore.ingest import ingest_archive
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
