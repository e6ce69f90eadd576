"""The RecordFailure step: record on the application why it could not be scored, and purge its raw data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credscore_aws.dal.repository import ApplicationErased, Conflict
from credscore_aws.logic.erasure import purge_objects, purge_raw
from credscore_aws.models.states import CatchError, RecordFailureInput, RecordFailureOutput
from credscore_aws.runtime import logger, repository
from credscore_aws.step_errors import cause_message

MAX_MESSAGE = 500


def describe_error(error: CatchError | Mapping[str, Any]) -> tuple[str, str]:
    """(code, message) from a Step Functions Catch result {"Error": ..., "Cause": ...}."""
    error = CatchError.model_validate(error)
    code = str(error.Error or "UnknownError")
    return code, cause_message(error.Cause, limit=MAX_MESSAGE) or code


def record_failure(request: RecordFailureInput) -> tuple[RecordFailureOutput, bool]:
    """The step's output, and whether this call recorded the failure (False: erased, or already finished)."""
    application_id = request.application_id
    code, message = describe_error(request.error)
    try:
        purged = purge_raw(application_id, lambda: repository().record_failure(application_id, code, message))
    except ApplicationErased:
        # The partner erased it meanwhile (the failure may even come from that): nothing to record, no alarm;
        # the state machine ends quietly on this status. Purged once more: the erasure's purge may have run first.
        purged = purge_objects(application_id)
        logger.info(
            "application erased while processing", extra={"error_code": code, "objects_purged": purged}
        )
        return RecordFailureOutput(application_id=application_id, status="erased", error=code), False
    except Conflict:
        # Already finished (a step retried after the end): the recorded outcome stands.
        status = repository().get(application_id).status.value
        logger.warning("failure not recorded: the application already finished", extra={"status": status})
        return RecordFailureOutput(application_id=application_id, status=status, error=code), False
    logger.info("application failed", extra={"error_code": code, "objects_purged": purged})
    return RecordFailureOutput(application_id=application_id, status="failed", error=code), True
