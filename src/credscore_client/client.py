"""`CredscoreClient`: every partner operation, typed answers, `ApiError` for 4xx/5xx."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from credscore_client.models import (
    ApplicantLink,
    ApplicantResult,
    ApplicantStatus,
    ApplicantUploads,
    Application,
    ApplicationList,
    ApplicationSummary,
    CreatedApplication,
    ErasureReceipt,
    LinkRevoked,
    Outcome,
    ScoreResult,
    UploadForm,
    Webhook,
    WebhookDeliveries,
    WebhookWithSecret,
)

DEFAULT_CONSENT = {
    "granted": True,
    "purpose": "credit assessment for a loan application",
    "notice_version": "2026-11",
}


class ApiError(Exception):
    """A 4xx or 5xx answer; `code` is the API's error code (`not_found`, `wrong_status`, ...) when it gave one,
    `retry_after` the seconds its Retry-After header asked for (429, 503)."""

    def __init__(self, status: int, body: Any, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body
        self.code = body.get("error") if isinstance(body, dict) else None
        self.retry_after = retry_after


# Methods a second call of which changes nothing the first did not (a POST is, with an Idempotency-Key).
_REPEATABLE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})


def _retry_after(headers: Any) -> float | None:
    """Retry-After in seconds (the API sends a number; an HTTP date is not used, so it is ignored)."""
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _worth_repeating(method: str, headers: dict[str, str], status: int, body: Any) -> bool:
    """429: the HTTP API or the partner limit refused the request before anything ran, whatever it was. 409
    `request_in_progress`: the first request under the same Idempotency-Key is still running (sent again, it gets
    that one's answer). 503: the application's record stayed busy (`busy`: the write was not made) or, for a
    method that may be repeated, any other unavailability."""
    if status == 429:
        return True
    if status == 409:
        return isinstance(body, dict) and body.get("error") == "request_in_progress"
    if status != 503:
        return False
    repeatable = method.upper() in _REPEATABLE_METHODS or "Idempotency-Key" in headers
    return repeatable or (isinstance(body, dict) and body.get("error") == "busy")


def application_request(
    sources: dict[str, int],
    *,
    reference: str | None = None,
    x_handle: str | None = None,
    idempotency_key: str | None = None,
    consent: dict[str, Any] | None = None,
    consent_granted_at: int | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body and the headers of `POST /applications` (the consent given, granted now unless told when)."""
    granted_at = int(time.time()) if consent_granted_at is None else consent_granted_at
    body: dict[str, Any] = {
        "consent": {**(consent or DEFAULT_CONSENT), "granted_at": granted_at},
        "sources": dict(sources),
    }
    if x_handle:
        body["x_handle"] = x_handle
    if reference:
        body["reference"] = reference
    return body, ({"Idempotency-Key": idempotency_key} if idempotency_key else {})


@dataclass
class CredscoreClient:
    base_url: str
    api_key: str
    timeout: float = 30.0
    # A session reuses connections; leave it None when one client is shared by several threads.
    session: requests.Session | None = field(default=None, repr=False)
    # Tries after a 429 or a 503 worth repeating (see `_worth_repeating`), each after the answer's Retry-After, or
    # a jittered wait doubling from half a second, never longer than `max_wait` seconds; 0 raises at once.
    retries: int = 3
    max_wait: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Any operation by method and path (`requests` keyword arguments): the decoded JSON answer."""
        return self._call(method, path, **kwargs)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.api_key}", **kwargs.pop("headers", {})}
        attempt = 0
        while True:
            response = (self.session or requests).request(
                method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs
            )
            if response.status_code < 400:
                break
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            error = ApiError(response.status_code, body, _retry_after(response.headers))
            if attempt >= self.retries or not _worth_repeating(method, headers, error.status, body):
                raise error
            wait = error.retry_after if error.retry_after is not None else random.uniform(0, 0.5 * 2**attempt)
            self.sleep(min(wait, self.max_wait))
            attempt += 1
        if response.headers.get("content-type", "").startswith("text/html"):
            return response.text
        return response.json() if response.content else None

    # ------------------------------------------------------------------ applications
    def create(
        self,
        sources: dict[str, int],
        *,
        reference: str | None = None,
        x_handle: str | None = None,
        idempotency_key: str | None = None,
        consent: dict[str, Any] | None = None,
        consent_granted_at: int | None = None,
    ) -> CreatedApplication:
        """Create an application; a retry under the same `idempotency_key` must send the same body, so pass the
        same `consent_granted_at` (default: now)."""
        body, headers = application_request(
            sources,
            reference=reference,
            x_handle=x_handle,
            idempotency_key=idempotency_key,
            consent=consent,
            consent_granted_at=consent_granted_at,
        )
        return CreatedApplication.model_validate(
            self._call("POST", "/applications", json=body, headers=headers)
        )

    def get(self, application_id: str) -> Application:
        return Application.model_validate(self._call("GET", f"/applications/{application_id}"))

    def list(
        self, limit: int | None = None, next_token: str | None = None, **filters: Any
    ) -> ApplicationList:
        """One page, newest first; pass the page's `next_token` for the next. `filters` go to the query string."""
        params: dict[str, Any] = {k: v for k, v in filters.items() if v is not None}
        if limit is not None:
            params["limit"] = limit
        if next_token is not None:
            params["next_token"] = next_token
        return ApplicationList.model_validate(self._call("GET", "/applications", params=params))

    def iter_applications(self, page_size: int = 100, **filters: Any) -> Iterator[ApplicationSummary]:
        """Every application, following `next_token` page by page."""
        token: str | None = None
        while True:
            page = self.list(limit=page_size, next_token=token, **filters)
            yield from page.applications
            if not (token := page.next_token):
                return

    def result(self, application_id: str) -> ScoreResult:
        return ScoreResult.model_validate(self._call("GET", f"/applications/{application_id}/result"))

    def report(self, application_id: str) -> str:
        """The printable HTML report."""
        return str(self._call("GET", f"/applications/{application_id}/report"))

    def submit(self, application_id: str) -> Application:
        return Application.model_validate(self._call("POST", f"/applications/{application_id}/submit"))

    def rescore(self, application_id: str) -> ScoreResult:
        return ScoreResult.model_validate(self._call("POST", f"/applications/{application_id}/rescore"))

    def erase(self, application_id: str) -> ErasureReceipt:
        return ErasureReceipt.model_validate(self._call("DELETE", f"/applications/{application_id}"))

    def report_outcome(self, application_id: str, outcome: str, observed_at: str) -> Outcome:
        """The repayment outcome (good, bad, indeterminate) observed on `observed_at` (text YYYY-MM-DD); idempotent."""
        body = {"outcome": outcome, "observed_at": observed_at}
        return Outcome.model_validate(self._call("PUT", f"/applications/{application_id}/outcome", json=body))

    def outcome(self, application_id: str) -> Outcome:
        return Outcome.model_validate(self._call("GET", f"/applications/{application_id}/outcome"))

    def reissue_applicant_link(self, application_id: str) -> ApplicantLink:
        """A new applicant link; the earlier one stops working."""
        answer = self._call("POST", f"/applications/{application_id}/applicant-token")
        return ApplicantLink.model_validate(answer)

    def revoke_applicant_link(self, application_id: str) -> LinkRevoked:
        answer = self._call("DELETE", f"/applications/{application_id}/applicant-token")
        return LinkRevoked.model_validate(answer)

    # ------------------------------------------------------------------ the applicant's own link
    # On a client made with the applicant link's token as `api_key` (a partner key is refused on these routes).
    def applicant_status(self) -> ApplicantStatus:
        return ApplicantStatus.model_validate(self._call("GET", "/applicant/application"))

    def applicant_upload_forms(
        self, notice_version: str, model_development: bool = False
    ) -> ApplicantUploads:
        body = {"granted": True, "notice_version": notice_version, "model_development": model_development}
        return ApplicantUploads.model_validate(self._call("POST", "/applicant/uploads", json=body))

    def applicant_submit(self) -> ApplicantStatus:
        return ApplicantStatus.model_validate(self._call("POST", "/applicant/submit"))

    def applicant_result(self) -> ApplicantResult:
        return ApplicantResult.model_validate(self._call("GET", "/applicant/result"))

    def applicant_erase(self) -> ErasureReceipt:
        return ErasureReceipt.model_validate(self._call("DELETE", "/applicant/application"))

    def wait(self, application_id: str, timeout: float = 180.0, poll: float = 0.5) -> Application:
        """Poll until the application is scored, failed or erased (or use a webhook instead)."""
        deadline = time.time() + timeout
        while True:
            state = self.get(application_id)
            if state.finished:
                return state
            if time.time() > deadline:
                raise TimeoutError(f"application still {state.status}")
            time.sleep(poll)

    # ------------------------------------------------------------------ webhooks
    def register_webhook(self, url: str) -> WebhookWithSecret:
        """Register (or change) the URL; keep `secret` from a new registration, it is not shown again."""
        return WebhookWithSecret.model_validate(self._call("PUT", "/webhook", json={"url": url}))

    def webhook(self) -> Webhook:
        return Webhook.model_validate(self._call("GET", "/webhook"))

    def rotate_webhook_secret(self) -> WebhookWithSecret:
        return WebhookWithSecret.model_validate(self._call("POST", "/webhook/rotate-secret"))

    def delete_webhook(self) -> None:
        self._call("DELETE", "/webhook")

    def webhook_deliveries(self, limit: int | None = None) -> WebhookDeliveries:
        params = {"limit": limit} if limit is not None else {}
        return WebhookDeliveries.model_validate(self._call("GET", "/webhook/deliveries", params=params))


def upload(form: UploadForm | dict[str, Any], path: Path | bytes, timeout: float = 300.0) -> None:
    """POST one export to its presigned form, as the applicant's browser does."""
    form = form if isinstance(form, UploadForm) else UploadForm.model_validate(form)
    data = path if isinstance(path, bytes) else Path(path).read_bytes()
    response = requests.post(
        form.url, data=form.fields, files={"file": ("export.zip", data, "application/zip")}, timeout=timeout
    )
    response.raise_for_status()
