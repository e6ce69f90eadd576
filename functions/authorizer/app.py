"""HTTP API Lambda authorizer (simple responses): `Authorization: Bearer <credential>` → who is calling.

Two credentials, told apart by their form (never by the route, so API Gateway's cache of a decision, keyed by the
Authorization header, cannot carry one route's decision to another):
- a partner key → {"role": "partner", "partner_id"};
- an applicant link's token `<application id>.<secret>` → {"role": "applicant", "application_id", "token_hash"},
  refused outright on any route outside /applicant/. The API checks the role on every route and the token's hash
  against the application on every applicant request, so a cached decision never outlives a revocation.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from credscore_aws.logic import applicant_token as applicant
from credscore_aws.runtime import logger, repository

APPLICANT_PREFIX = "/applicant/"


def _applicant(token: str, application_id: str, path: str) -> dict[str, Any] | None:
    if not path.startswith(APPLICANT_PREFIX):
        return None
    token_hash = applicant.hash_token(token)
    try:
        applicant.load(application_id, token_hash)
    except applicant.LinkRefused:
        return None
    return {"role": "applicant", "application_id": application_id, "token_hash": token_hash}


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    header = (event.get("headers") or {}).get("authorization", "")
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        logger.info("credential refused")
        return {"isAuthorized": False}
    application_id = applicant.application_of(credential)
    if application_id is not None:
        context_ = _applicant(credential, application_id, str(event.get("rawPath") or ""))
        if context_ is None:
            logger.info("applicant link refused")
            return {"isAuthorized": False}
        return {"isAuthorized": True, "context": context_}
    partner_id = repository().partner_for_key(credential)
    if partner_id is None:
        logger.info("partner key refused")
        return {"isAuthorized": False}
    return {"isAuthorized": True, "context": {"role": "partner", "partner_id": partner_id}}
