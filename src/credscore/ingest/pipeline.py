"""One application's sources → one profile: every received archive, the X handle, and what never arrived."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from typing import BinaryIO

from credscore.application import upload_key
from credscore.ingest.archive import DEFAULT_LIMITS, ArchiveLimits
from credscore.ingest.common import SourceTimeout
from credscore.ingest.ingest_archive import ingest_archive
from credscore.ingest.rollback import mark_profile, restore_profile
from credscore.profile import MediaRef, Platform, Profile, SourceReport, SourceStatus

# Seconds kept back from the function's remaining time for what follows the sources (writing the profile and the
# photo batches to S3, the application's record).
RESERVE_SECONDS = 20.0

# Why X was not analysed when it stayed unavailable through the Ingest step's retries (`build_profile`'s
# `x_unavailable`): it could not be reached (5xx, network, no answer in time), or its rate limit held.
X_UNAVAILABLE_REASONS = {
    "x_unreachable": "X could not be reached, even after several tries over some minutes",
    "x_rate_limited": "X's rate limit was still reached after several tries over some minutes",
}


def build_profile(
    application_id: str,
    declared: dict[str, int],
    received: list[str],
    x_handle: str | None,
    open_archive: Callable[[str], BinaryIO],
    x_bearer_token: Callable[[], str],
    time_left: Callable[[], float] | None = None,
    reserve_seconds: float = RESERVE_SECONDS,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    x_unavailable: str | None = None,
) -> Profile:
    """Parse each received part (`received` holds names like 'facebook/1'); a declared source with no upload is
    reported ABSENT. Never raises for bad input: each source's problem is on its report.

    `time_left` (seconds, e.g. the Lambda context's remaining time) gives each source an equal share of what is
    left when its turn comes (a quick source leaves its unused time to the next ones); a source that cannot finish
    in its share is REJECTED alone with `source_timeout`, its items removed, and the other sources are scored.

    `x_unavailable`: a code of X_UNAVAILABLE_REASONS when X is already known to be unavailable (it stayed so
    through the step's retries): the X source is recorded UNAVAILABLE with that reason, and X is not called."""
    profile = Profile(application_id=application_id)
    parts_by_platform: dict[Platform, list[int]] = {}
    for name in received:
        platform_name, _, part_number = name.partition("/")
        parts_by_platform.setdefault(Platform(platform_name), []).append(int(part_number))
    reports: list[SourceReport] = []
    uploaded = [p for p in sorted(declared) if parts_by_platform.get(Platform(p))]
    sources_left = len(uploaded) + (1 if x_handle and x_unavailable is None else 0)
    for platform_name in sorted(declared):
        platform = Platform(platform_name)
        parts = sorted(parts_by_platform.get(platform, []))
        if not parts:
            reports.append(
                SourceReport(
                    platform=platform,
                    status=SourceStatus.ABSENT,
                    reason_code="not_uploaded",
                    reason="declared but never uploaded",
                )
            )
            continue
        deadline = _deadline(time_left, reserve_seconds, sources_left)
        sources_left -= 1
        mark = mark_profile(profile)
        part_reports = []
        try:
            for part in parts:
                # Also between parts: a part that reads no data file never asks.
                if deadline is not None and deadline():
                    raise SourceTimeout
                key = upload_key(application_id, platform, part)
                part_reports.append(
                    ingest_archive(profile, platform, open_archive(key), key, limits, deadline)
                )
        except SourceTimeout:
            restore_profile(
                profile, mark
            )  # every part of the source goes: a half-read export would skew its counts
            reports.append(
                SourceReport(
                    platform=platform,
                    status=SourceStatus.REJECTED,
                    reason_code="source_timeout",
                    reason="this export could not be read within its share of the time available; it was left out"
                    " and the other sources were read",
                    archive_sha256=[h for r in part_reports for h in r.archive_sha256],
                )
            )
            continue
        reports.append(combine_reports(platform, part_reports))
    if x_handle and x_unavailable is not None:
        reports.append(
            SourceReport(
                platform=Platform.X,
                status=SourceStatus.UNAVAILABLE,
                reason_code=x_unavailable,
                reason=X_UNAVAILABLE_REASONS[x_unavailable],
            )
        )
    elif x_handle:
        from credscore.ingest.x_api import fetch_x_profile

        # X comes last: it may use what the archives left, less the reserve.
        x_time_left = None if time_left is None else (lambda: time_left() - reserve_seconds)
        reports.append(fetch_x_profile(profile, x_handle, x_bearer_token(), time_left=x_time_left))
    profile.sources = reports
    return profile


def _deadline(
    time_left: Callable[[], float] | None, reserve_seconds: float, sources_left: int
) -> Callable[[], bool] | None:
    """True once this source has used its share of the time left (None: no budget, e.g. the CLI)."""
    if time_left is None:
        return None
    left = time_left()
    stop_at = left - max(0.0, left - reserve_seconds) / max(1, sources_left)
    return lambda: time_left() <= stop_at


def combine_reports(platform: Platform, parts: list[SourceReport]) -> SourceReport:
    """A multi-part export is parsed if any part was; otherwise it carries the first part's reason."""
    if len(parts) == 1:
        return parts[0]
    parsed = [p for p in parts if p.status == SourceStatus.PARSED]
    base = parsed[0] if parsed else parts[0]
    warnings = [w for p in parts for w in p.warnings]
    warnings += [f"part {i + 1}: {p.reason}" for i, p in enumerate(parts) if p.status != SourceStatus.PARSED]
    update: dict[str, object] = {
        "platform": platform,
        "archive_sha256": [h for p in parts for h in p.archive_sha256],
        "warnings": warnings,
    }
    capped = [p for p in parsed if p.reason_code == "cap_reached"]
    if capped:  # the last capped part's counts include the earlier parts'
        update |= {"reason_code": "cap_reached", "reason": capped[-1].reason}
    return base.model_copy(update=update)


def photo_key(ref: MediaRef) -> tuple[str, str, str]:
    """Sampling order of photos: by a hash of the member path (the same export gives the same sample in every
    application and every rescoring), then by place for the (never seen) tie."""
    return hashlib.sha256(ref.member.encode("utf-8")).hexdigest(), ref.archive, ref.member


def cap_photos(profile: Profile, cap: int) -> tuple[list[MediaRef], dict[str, object]]:
    """The photos to analyse: all of them up to `cap`, else a deterministic sample (`photo_key`) in their original
    order. `profile.media` itself is left whole (the text analysis reads its dates as activity). Each source that
    has photos left out says so (warning, and reason `cap_reached` on a parsed source). Returns the sample and the
    counts for the step's output: found, analysed, reason."""
    found = len(profile.media)
    if found <= cap:
        return list(profile.media), {"found": found, "analysed": found, "reason": None}
    chosen = {id(ref) for ref in sorted(profile.media, key=photo_key)[: max(0, cap)]}
    sample = [ref for ref in profile.media if id(ref) in chosen]
    before = Counter(ref.platform for ref in profile.media)
    after = Counter(ref.platform for ref in sample)
    for source in profile.sources:
        if after[source.platform] == before[source.platform]:
            continue
        note = (
            f"cap reached: {after[source.platform]} of {before[source.platform]} photos analysed"
            f" (at most {cap} per application, a deterministic sample)"
        )
        source.warnings.append(note)
        if source.status == SourceStatus.PARSED:
            source.reason = f"{source.reason}; {note}" if source.reason_code == "cap_reached" else note
            source.reason_code = "cap_reached"
    return sample, {"found": found, "analysed": len(sample), "reason": "cap_reached"}


# Below this many photos a batch costs more in invocation overhead (start, archive directory read) than it
# saves by running in parallel: ~8 photos are ~0.2 s of model time.
MIN_PHOTOS_PER_BATCH = 8
# Most batches one application fans out to: bounds the Map state's input and output (Step Functions' payload
# limit is 256 KiB; a batch's summary is about 400 bytes).
MAX_IMAGE_BATCHES = 40


def image_batches(
    photos: Profile | list[MediaRef],
    max_size: int,
    parallelism: int = 1,
    min_size: int = MIN_PHOTOS_PER_BATCH,
) -> list[list[MediaRef]]:
    """Photos in batches for the Map state: none larger than `max_size` (raised when needed so that there are at
    most MAX_IMAGE_BATCHES), sizes within one of each other, and
    the count raised towards a multiple of `parallelism` (the Map's concurrency) as far as batches keep
    `min_size` photos, so the Map's last wave runs full instead of one batch running alone. Grouped by
    archive (sorted), so each batch reads few archive directories, and in archive order, so photos lying
    together are in one batch and come in one ranged read (`credscore_aws.logic.images`)."""
    media = photos.media if isinstance(photos, Profile) else photos
    refs = sorted(media, key=lambda m: (m.archive, m.offset is None, m.offset or 0, m.member))
    if not refs:
        return []
    # The Map's input (one key per batch) and output (one summary per batch) stay small whatever the counts.
    max_size = max(max_size, -(-len(refs) // MAX_IMAGE_BATCHES))
    max_size, parallelism, min_size = max(1, max_size), max(1, parallelism), max(1, min(min_size, max_size))
    count = -(-len(refs) // max_size)
    full_waves = -(-count // parallelism) * parallelism
    count = min(max(count, min(full_waves, len(refs) // min_size)), MAX_IMAGE_BATCHES)
    base, extra = divmod(len(refs), count)
    batches, start = [], 0
    for i in range(count):
        size = base + (1 if i < extra else 0)
        batches.append(refs[start : start + size])
        start += size
    return batches
