"""Errors whose class names the state machine matches (Retry/Catch use the Lambda errorType, i.e. the class name)."""


class TransientError(Exception):
    """Worth retrying: a dependency hiccup, not a property of the applicant's data."""


class RateLimited(Exception):
    """A platform API asked us to slow down; the state machine retries with a long backoff."""

    def __init__(self, message: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class XUnreachable(Exception):
    """The X API failed on its side (5xx), could not be reached or did not answer in time; retried like a rate
    limit, then the application is read again with X recorded as not analysed (never failed for X alone)."""


class NoUsableSource(Exception):
    """None of the application's sources could be read; the reasons are on the application."""


class UnknownApplication(Exception):
    """An event or request named an application that does not exist (or was erased)."""
