"""A typed Python client of the credscore partner API (see README, "Partner client").

    from credscore_client import CredscoreClient, verify_signature
    client = CredscoreClient("https://<api>/", api_key)
    created = client.create({"linkedin": 1}, reference="loan-42")

Standalone: needs only `requests` and `pydantic`, nothing else from this repository.
"""

from credscore_client.client import DEFAULT_CONSENT, ApiError, CredscoreClient, upload
from credscore_client.models import (
    Application,
    ApplicationList,
    ApplicationSummary,
    CreatedApplication,
    ErasureReceipt,
    ScoreResult,
    SourceState,
    UploadForm,
    Webhook,
    WebhookDeliveries,
    WebhookDelivery,
    WebhookEvent,
    WebhookWithSecret,
)
from credscore_client.signatures import (
    REPLAY_WINDOW_SECONDS,
    SIGNATURE_HEADER,
    SignatureError,
    parse_event,
    verify_signature,
)

__all__ = [
    "DEFAULT_CONSENT",
    "REPLAY_WINDOW_SECONDS",
    "SIGNATURE_HEADER",
    "ApiError",
    "Application",
    "ApplicationList",
    "ApplicationSummary",
    "CreatedApplication",
    "CredscoreClient",
    "ErasureReceipt",
    "ScoreResult",
    "SignatureError",
    "SourceState",
    "UploadForm",
    "Webhook",
    "WebhookDeliveries",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookWithSecret",
    "parse_event",
    "upload",
    "verify_signature",
]
