"""The dict-returning partner client of the demo, the CLI and the older end-to-end tests: a thin layer over the
typed client `credscore_client.CredscoreClient` (same requests, same `ApiError`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from credscore_client import DEFAULT_CONSENT, ApiError, CredscoreClient
from credscore_client.client import application_request

__all__ = ["DEFAULT_CONSENT", "ApiError", "PartnerClient", "upload"]


@dataclass
class PartnerClient:
    base_url: str
    api_key: str
    timeout: float = 30.0

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return CredscoreClient(self.base_url, self.api_key, self.timeout).request(method, path, **kwargs)

    def create_application(
        self,
        sources: dict[str, int],
        x_handle: str | None = None,
        idempotency_key: str | None = None,
        reference: str | None = None,
        consent_granted_at: int | None = None,
        model_development: bool = False,
    ) -> dict[str, Any]:
        """Create an application; a retry under the same `idempotency_key` must send the same body, so pass the
        same `consent_granted_at` (default: now)."""
        body, headers = application_request(
            sources,
            reference=reference,
            x_handle=x_handle,
            idempotency_key=idempotency_key,
            consent={**DEFAULT_CONSENT, "model_development": True} if model_development else None,
            consent_granted_at=consent_granted_at,
        )
        return dict(self._call("POST", "/applications", json=body, headers=headers))

    def list_applications(self, limit: int | None = None, next_token: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if limit is not None:
            params["limit"] = limit
        if next_token is not None:
            params["next_token"] = next_token
        return dict(self._call("GET", "/applications", params=params))

    def application(self, application_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/applications/{application_id}"))

    def result(self, application_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/applications/{application_id}/result"))

    def submit(self, application_id: str) -> dict[str, Any]:
        return dict(self._call("POST", f"/applications/{application_id}/submit"))

    def rescore(self, application_id: str) -> dict[str, Any]:
        return dict(self._call("POST", f"/applications/{application_id}/rescore"))

    def report_outcome(self, application_id: str, outcome: str, observed_at: str) -> dict[str, Any]:
        body = {"outcome": outcome, "observed_at": observed_at}
        return dict(self._call("PUT", f"/applications/{application_id}/outcome", json=body))

    def outcome(self, application_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/applications/{application_id}/outcome"))

    def erase(self, application_id: str) -> dict[str, Any]:
        return dict(self._call("DELETE", f"/applications/{application_id}"))

    def wait(self, application_id: str, timeout: float = 180.0, poll: float = 0.2) -> dict[str, Any]:
        """Poll until the application is scored or failed, as a partner would."""
        deadline = time.time() + timeout
        while True:
            state = self.application(application_id)
            if state["status"] in ("scored", "failed", "erased"):
                return state
            if time.time() > deadline:
                raise TimeoutError(f"application still {state['status']}")
            time.sleep(poll)


def upload(form: dict[str, Any], path: Path | bytes, timeout: float = 300.0) -> requests.Response:
    """POST one export to its presigned form, as the applicant's browser does."""
    data = path if isinstance(path, bytes) else Path(path).read_bytes()
    response = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("export.zip", data, "application/zip")},
        timeout=timeout,
    )
    response.raise_for_status()
    return response
