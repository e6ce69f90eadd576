"""One uploaded export archive → items appended to the applicant's profile, and a report.

`ingest_archive` never raises on bad input: an unusable upload comes back as a REJECTED report with a stable
`reason_code` (not_a_zip, truncated, encrypted, zip_bomb, too_many_entries, nested_archive, html_export, wrong_platform,
empty_export, invalid_json, invalid_utf8, member_too_large, corrupt_member, unsupported_compression, unreadable, ...).
The one exception let through is `credscore.errors.TransientError` from the reader (storage trouble, retryable, not
the user's fault).
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback
from collections.abc import Callable
from typing import BinaryIO, Protocol, runtime_checkable

from credscore.errors import TransientError
from credscore.ingest.archive import DEFAULT_LIMITS, ArchiveLimits, SafeArchive
from credscore.ingest.common import ParseContext, SourceTimeout
from credscore.ingest.detect import detected_platform
from credscore.ingest.errors import ArchiveRejected
from credscore.ingest.rollback import ProfileMark, mark_profile, restore_profile
from credscore.profile import Platform, Profile, SourceReport, SourceStatus

logger = logging.getLogger(__name__)

_DATA_FILE = re.compile(r"\.(json|js|csv)$", re.IGNORECASE)
_HTML_FILE = re.compile(r"\.html?$", re.IGNORECASE)
_ARCHIVE_FILE = re.compile(r"\.(zip|7z|rar|tar|tgz|tar\.gz)$", re.IGNORECASE)
_HASH_CHUNK = 1 << 20


def _parser(platform: Platform) -> Callable[[ParseContext], None]:
    if platform == Platform.LINKEDIN:
        from credscore.ingest.linkedin import parse_linkedin

        return parse_linkedin
    if platform == Platform.FACEBOOK:
        from credscore.ingest.facebook import parse_facebook

        return parse_facebook
    if platform == Platform.X:
        from credscore.ingest.x_archive import parse_x

        return parse_x
    from credscore.ingest.instagram import parse_instagram

    return parse_instagram


def _rejected(
    platform: Platform,
    code: str,
    reason: str,
    warnings: list[str] | None = None,
    archive_sha256: list[str] | None = None,
) -> SourceReport:
    return SourceReport(
        platform=platform,
        status=SourceStatus.REJECTED,
        reason_code=code,
        reason=reason,
        warnings=warnings or [],
        archive_sha256=archive_sha256 or [],
    )


@runtime_checkable
class StreamHashable(Protocol):
    """A reader that hashes its whole object in one pass of its own (the S3 reader: one streamed GET, where
    reading it through `read` would cost a request per block)."""

    def sha256(self) -> str: ...


def archive_fingerprint(fileobj: BinaryIO, full_hash_limit: int) -> str:
    """'sha256:<hex>' of the whole upload when it is small enough (or the reader already knows it); otherwise
    'sha256-tail:<size>:<hex>' of the last MiB (the central directory), so a huge export is not downloaded
    just to be hashed."""
    known = getattr(fileobj, "known_sha256", None)
    if isinstance(known, str) and known:
        return f"sha256:{known}"
    size = fileobj.seek(0, 2)
    digest = hashlib.sha256()
    if size <= full_hash_limit:
        if isinstance(fileobj, StreamHashable):
            return f"sha256:{fileobj.sha256()}"
        fileobj.seek(0)
        while chunk := fileobj.read(_HASH_CHUNK):
            digest.update(chunk)
        return f"sha256:{digest.hexdigest()}"
    fileobj.seek(max(0, size - _HASH_CHUNK))
    digest.update(fileobj.read(_HASH_CHUNK))
    return f"sha256-tail:{size}:{digest.hexdigest()}"


def ingest_archive(
    profile: Profile,
    platform: Platform,
    fileobj: BinaryIO,
    archive_key: str,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    deadline: Callable[[], bool] | None = None,
) -> SourceReport:
    """Parse one uploaded archive into `profile` (items and provenance files) and report on it. The caller
    appends the report to `profile.sources`. A rejected archive leaves the profile's items as they were.

    `deadline` (True once the source's time is spent) is checked as the parser goes; when it fires, SourceTimeout
    is raised with the profile restored, so the caller fails this source alone."""
    try:
        archive = SafeArchive(fileobj, limits)
    except ArchiveRejected as exc:
        return _rejected(platform, exc.code, exc.reason)
    warnings = [f"{count} file(s) skipped: {why}" for why, count in sorted(archive.skipped.items())]
    refused = _refusal(archive, platform, warnings)
    if refused is not None:
        return refused
    try:
        fingerprint = archive_fingerprint(fileobj, limits.full_hash_bytes)
    except (OSError, ValueError) as exc:
        logger.warning("archive could not be hashed: %s", type(exc).__name__)
        return _rejected(platform, "unreadable", "the upload could not be read")

    snapshot = mark_profile(profile)
    ctx = ParseContext(
        profile=profile,
        platform=platform,
        archive=archive,
        archive_key=archive_key,
        limits=limits,
        deadline=deadline,
    )
    if not _run_parser(ctx, snapshot):
        return _rejected(
            platform,
            "parser_error",
            "the export could not be read (internal parser error)",
            archive_sha256=[fingerprint],
            warnings=warnings,
        )
    return _report(ctx, snapshot, fingerprint, warnings)


def _report(ctx: ParseContext, snapshot: ProfileMark, fingerprint: str, warnings: list[str]) -> SourceReport:
    """What the parser made of the archive: PARSED (perhaps capped), or REJECTED with the profile restored
    when no member gave usable data."""
    platform, profile = ctx.platform, ctx.profile
    warnings += [f"{why} (x{count})" if count > 1 else why for why, count in ctx.warnings.items()]
    warnings += ctx.cap_warnings()
    if ctx.parsed_members == 0:
        restore_profile(profile, snapshot)
        if ctx.failures:
            code, reason = ctx.failures[0]
            return _rejected(
                platform, code, f"no usable data: {reason}", archive_sha256=[fingerprint], warnings=warnings
            )
        return _rejected(
            platform,
            "empty_export",
            f"no {platform.value} data files were found in the archive",
            archive_sha256=[fingerprint],
            warnings=warnings,
        )
    caps = [note for note in ctx.cap_warnings() if note.startswith("cap reached")]
    return SourceReport(
        platform=platform,
        status=SourceStatus.PARSED,
        reason_code="cap_reached" if caps else None,
        reason="; ".join(caps) if caps else None,
        layout=ctx.layout,
        archive_sha256=[fingerprint],
        warnings=warnings,
    )


def _refusal(archive: SafeArchive, platform: Platform, warnings: list[str]) -> SourceReport | None:
    """The report of an upload refused from its member names alone (not an export of this platform, or not in
    a readable form), or None to go on."""
    names = archive.names
    has_data = any(_DATA_FILE.search(n) for n in names)
    if not has_data and any(_ARCHIVE_FILE.search(n) for n in names):
        # A common mistake: several downloaded parts zipped together. Archives inside are never opened.
        return _rejected(
            platform,
            "nested_archive",
            "the upload holds other archives instead of the export's files; upload each downloaded zip as is",
            warnings=warnings,
        )
    if not has_data and any(_HTML_FILE.search(n) for n in names):
        return _rejected(
            platform,
            "html_export",
            "this export is in HTML format; download it again choosing the JSON format",
            warnings=warnings,
        )
    found = detected_platform(archive)
    if found is not None and found != platform:
        return _rejected(
            platform,
            "wrong_platform",
            f"this looks like a {found.value} export, but it was uploaded as {platform.value}",
            warnings=warnings,
        )
    return None


def _run_parser(ctx: ParseContext, snapshot: ProfileMark) -> bool:
    """Run the platform's parser; False (the profile restored) when it failed on a bug of its own."""
    try:
        _parser(ctx.platform)(ctx)
    except (TransientError, SourceTimeout):
        # The storage failed or the time ran out, not the export: the caller decides.
        restore_profile(ctx.profile, snapshot)
        raise
    except Exception as exc:  # a parser bug must not sink the whole application: record it, keep the profile
        # Where, not what: an exception's message (a validation error's input) may quote the applicant's text.
        where = traceback.extract_tb(exc.__traceback__)[-1]
        logger.error(
            "parser failed on %s export: %s at %s:%s",
            ctx.platform.value,
            type(exc).__name__,
            where.filename.rsplit("/", 1)[-1],
            where.lineno,
        )
        restore_profile(ctx.profile, snapshot)
        return False
    return True
