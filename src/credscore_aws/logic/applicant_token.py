"""Applicant link tokens, kept light: the authorizer imports this (and not the API's modules) on its cold start.

A token is `<application id>.<43 url-safe characters>` (256 random bits from `secrets`); only its SHA-256 hash is
stored, on the application's META item (see `credscore_aws.logic.applicant` for what a token allows).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

from credscore.application import APPLICATION_ID_REGEX
from credscore_aws.dal.repository import NotFound
from credscore_aws.models.records import ApplicationRecord
from credscore_aws.runtime import repository

TOKEN_PATTERN = re.compile(rf"^({APPLICATION_ID_REGEX})\.([A-Za-z0-9_-]{{43}})$")


class LinkRefused(Exception):
    """The token is not (or no longer) valid for this application, or not for this operation."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(application_id: str) -> str:
    return f"{application_id}.{secrets.token_urlsafe(32)}"


def application_of(token: str) -> str | None:
    """The application a token claims to belong to (not yet checked), or None when it is no applicant token."""
    match = TOKEN_PATTERN.match(token)
    return match.group(1) if match else None


def token_matches(application: ApplicationRecord, token_hash: str) -> bool:
    stored = application.applicant_token_hash or ""
    return bool(stored) and hmac.compare_digest(stored, token_hash)


def view_until(application: ApplicationRecord) -> int:
    return application.expires_at or 0


def load(application_id: str, token_hash: str, now: float | None = None) -> ApplicationRecord:
    """The application this token is valid for, checked again on every request."""
    try:
        application = repository().get(application_id)
    except NotFound:
        raise LinkRefused("link_expired") from None
    if not token_matches(application, token_hash):
        raise LinkRefused("link_revoked")
    if view_until(application) and view_until(application) < (time.time() if now is None else now):
        raise LinkRefused("link_expired")
    return application
