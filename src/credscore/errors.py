"""Errors whose class names the state machine matches (Retry/Catch use the Lambda errorType, i.e. the class name)."""


class TransientError(Exception):
    """Worth retrying: a dependency hiccup, not a property of the applicant's data."""


class RateLimited(Exception):
    """A platform API asked us to slow down; the state machine retries with a long backoff."""

    def __init__(self, message: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class NoUsableSource(Exception):
    """None of the application's sources could be read; the reasons are on the application."""


class UnknownApplication(Exception):
    """An event or request named an application that does not exist (or was erased)."""
