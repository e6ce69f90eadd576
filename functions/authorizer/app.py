"""HTTP API Lambda authorizer (simple responses): `Authorization: Bearer <partner key>` → partner id."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.runtime import logger, repository


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    header = (event.get("headers") or {}).get("authorization", "")
    scheme, _, key = header.partition(" ")
    partner_id = (
        repository().partner_for_key(key.strip()) if scheme.lower() == "bearer" and key.strip() else None
    )
    if partner_id is None:
        logger.info("partner key refused")
        return {"isAuthorized": False}
    return {"isAuthorized": True, "context": {"partner_id": partner_id}}
