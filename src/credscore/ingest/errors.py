"""Errors the ingest step raises on purpose (bad uploads are never raised: they are recorded on reports)."""

from __future__ import annotations


class XRateLimited(Exception):
    """The X API answered 429: retry later (a recorded, retryable condition, never "zero followers")."""

    def __init__(self, message: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ArchiveRejected(Exception):
    """The whole upload cannot be used; `code` is the stable machine-readable reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class XTemporarilyUnavailable(XRateLimited):
    """The X API failed on its side (5xx, network): retryable like a rate limit, without a known wait."""
