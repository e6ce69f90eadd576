"""Repayment outcomes and the data kept to fit and monitor the scorecard.

Items (beside the application's own, see `repository`; erasure deletes every APP#<id> item, so both go with it):
  APP#<id> / MODEL     the feature values (numbers only, no evidence notes, files or texts), when and under which
                       configuration the application was scored, and its score. Written when a result is stored
                       and only when the applicant gave the optional `consent.model_development`; it expires with
                       the application (the same `expires_at`, so DynamoDB TTL removes it and readers skip it).
  APP#<id> / OUTCOME   the outcome the partner reported, its revision and the outcomes it replaced.

A different outcome for the same application replaces the earlier one and the change is kept (lenders' outcomes
mature: indeterminate at three months can be bad at twelve); the same report again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Iterator, Mapping
from typing import IO, Any

from botocore.exceptions import ClientError

from credscore.application import Status
from credscore.model_compare import headline_score
from credscore.monitoring import age_band
from credscore.scoring.config import FeatureId
from credscore_aws.models.records import ApplicationRecord

MODEL_SK = "MODEL"
OUTCOME_SK = "OUTCOME"
FEATURE_COLUMNS = [f.value for f in FeatureId]
TRAINING_COLUMNS = [
    "application_id",
    "scored_at",
    "outcome",
    "outcome_observed_at",
    "age_band",
    *FEATURE_COLUMNS,
]


class NotScored(Exception):
    """The application exists for this partner but has no score to attach an outcome to."""


class NoOutcome(Exception):
    """No outcome has been reported for the application."""


class InvalidOutcome(ValueError):
    """The report cannot be right for this application: observed before it existed, or in the future. (A conflict
    with the application's dates, answered 409: the request itself is well formed.)"""


def _pk(application_id: str) -> str:
    return f"APP#{application_id}"


# ------------------------------------------------------------------------------------------------ model data
def feature_values(features_doc: Mapping[str, Any]) -> dict[str, float | None]:
    """Only the numbers of a stored feature vector (`FeatureVector.model_dump`), every characteristic named."""
    values = features_doc.get("values") or {}
    out: dict[str, float | None] = {}
    for name in FEATURE_COLUMNS:
        value = (values.get(name) or {}).get("value")
        out[name] = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    return out


def model_data_item(
    application: ApplicationRecord,
    features_doc: Mapping[str, Any],
    result: Mapping[str, Any],
) -> dict[str, Any] | None:
    """The MODEL item for a stored result, or None when nothing may be kept (no model-development consent, or
    the result is not a score: ineligible applicants' data is never kept)."""
    if not application.model_development_consented():
        return None
    application_id = application.application_id
    if result.get("status") != "scored":
        return None
    item: dict[str, Any] = {
        "pk": _pk(application_id),
        "sk": MODEL_SK,
        "application_id": application_id,
        "features": json.dumps(feature_values(features_doc), sort_keys=True),
        "scored_at": int(result.get("scored_at") or time.time()),
        "config_parameter_version": int(result.get("config_parameter_version") or 0),
        "config_version": str(result.get("config_version") or ""),
    }
    score = headline_score(result)
    if score is not None:
        item["score"] = json.dumps(score)  # a string: floats survive without Decimal juggling
    if application.expires_at:
        item["expires_at"] = application.expires_at
    return item


def _live(item: Mapping[str, Any], now: float) -> bool:
    expires = int(item.get("expires_at") or 0)
    return not expires or expires >= now


def scan_model_data(
    table: Any,
    segment: int | None = None,
    total_segments: int | None = None,
    start_key: dict[str, Any] | None = None,
    page_size: int = 500,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of live MODEL items (of one scan segment when given) and the key to continue from (None: done).
    A page may hold fewer items than `page_size`, even none, while more follow (the filter runs after reading)."""
    kwargs: dict[str, Any] = {
        "FilterExpression": "sk = :m AND (attribute_not_exists(expires_at) OR expires_at >= :now)",
        "ExpressionAttributeValues": {":m": MODEL_SK, ":now": int(time.time())},
        "Limit": page_size,
    }
    if total_segments is not None:
        kwargs.update(Segment=int(segment or 0), TotalSegments=int(total_segments))
    if start_key:
        kwargs["ExclusiveStartKey"] = start_key
    page = table.scan(**kwargs)
    return [_plain_model(i) for i in page.get("Items", [])], page.get("LastEvaluatedKey")


def _plain_model(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "application_id": str(item["application_id"]),
        "features": json.loads(item["features"]),
        "scored_at": int(item["scored_at"]),
        "config_parameter_version": int(item.get("config_parameter_version") or 0),
        "score": json.loads(item["score"]) if item.get("score") else None,
    }


# ------------------------------------------------------------------------------------------------ outcomes
def _record(application_id: str, item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "outcome": item["outcome"],
        "observed_at": item["observed_at"],
        "reported_at": int(item["reported_at"]),
        "revision": int(item["revision"]),
        "changes": json.loads(item.get("changes") or "[]"),
    }


def get_outcome(table: Any, application_id: str) -> dict[str, Any] | None:
    item = table.get_item(Key={"pk": _pk(application_id), "sk": OUTCOME_SK}, ConsistentRead=True).get("Item")
    return _record(application_id, item) if item else None


def put_outcome(
    table: Any,
    application: ApplicationRecord,
    outcome: str,
    observed_at: dt.date,
    now: float | None = None,
) -> dict[str, Any]:
    """Record the outcome of a scored application (the caller checked the partner owns it). Idempotent: the same
    outcome and date again return the stored record unchanged; a different one replaces it, keeping the old
    one in `changes`. The write is conditional on the application still being scored (an erasure racing this
    report wins) and on the revision read (two racing reports cannot both replace the same one)."""
    application_id = application.application_id
    if application.status != Status.SCORED:
        raise NotScored(f"no outcome can be recorded: the application is {application.status.value}")
    created = dt.datetime.fromtimestamp(application.created_at, dt.UTC).date()
    if observed_at < created:
        raise InvalidOutcome(f"observed_at {observed_at} is before the application was created ({created})")
    today = dt.datetime.fromtimestamp(time.time() if now is None else now, dt.UTC).date()
    if observed_at > today + dt.timedelta(
        days=1
    ):  # a day's grace: the partner's today may be tomorrow in UTC
        raise InvalidOutcome(f"observed_at {observed_at} is in the future")
    for _attempt in range(3):
        current = get_outcome(table, application_id)
        if current and current["outcome"] == outcome and current["observed_at"] == observed_at.isoformat():
            return current
        at = int(time.time() if now is None else now)
        changes = list(current["changes"]) if current else []
        if current:
            changes.append(
                {
                    "outcome": current["outcome"],
                    "observed_at": current["observed_at"],
                    "reported_at": current["reported_at"],
                    "replaced_at": at,
                }
            )
        item: dict[str, Any] = {
            "pk": _pk(application_id),
            "sk": OUTCOME_SK,
            "outcome": outcome,
            "observed_at": observed_at.isoformat(),
            "reported_at": at,
            "revision": (current["revision"] + 1) if current else 1,
            "changes": json.dumps(changes),
        }
        if application.expires_at:
            item["expires_at"] = application.expires_at
        own_condition = "attribute_not_exists(pk)" if current is None else "revision = :rev"
        put: dict[str, Any] = {
            "TableName": table.name,
            "Item": item,
            "ConditionExpression": own_condition,
        }
        if current is not None:
            put["ExpressionAttributeValues"] = {":rev": current["revision"]}
        try:
            table.meta.client.transact_write_items(
                TransactItems=[
                    {
                        "ConditionCheck": {
                            "TableName": table.name,
                            "Key": {"pk": _pk(application_id), "sk": "META"},
                            "ConditionExpression": "#s = :scored",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":scored": Status.SCORED.value},
                        }
                    },
                    {"Put": put},
                ]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons") or []]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise NotScored("no outcome can be recorded: the application is no longer scored") from None
            continue  # another report won the race: read it and decide again
        return _record(application_id, item)
    raise NotScored("the outcome kept changing while it was being recorded; send it again")


# ------------------------------------------------------------------------------------------------ export
def scan_training_items(table: Any) -> Iterator[dict[str, Any]]:
    """Every live MODEL and OUTCOME item (one parallel-safe scan; an export is a batch job)."""
    kwargs: dict[str, Any] = {
        "FilterExpression": "(sk = :m OR sk = :o) AND (attribute_not_exists(expires_at) OR expires_at >= :now)",
        "ExpressionAttributeValues": {":m": MODEL_SK, ":o": OUTCOME_SK, ":now": int(time.time())},
    }
    while True:
        page = table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def training_rows(items: Iterator[Mapping[str, Any]], with_unlabelled: bool = False) -> list[dict[str, Any]]:
    """The shared training-row format: one row per application with kept model data (and, unless
    `with_unlabelled`, a reported outcome), oldest score first. Missing feature values are empty."""
    models: dict[str, dict[str, Any]] = {}
    outcomes: dict[str, Mapping[str, Any]] = {}
    for item in items:
        application_id = str(item["pk"]).removeprefix("APP#")
        if item["sk"] == MODEL_SK:
            models[application_id] = _plain_model(item)
        elif item["sk"] == OUTCOME_SK:
            outcomes[application_id] = item
    rows = []
    for application_id, model in models.items():
        outcome = outcomes.get(application_id)
        if outcome is None and not with_unlabelled:
            continue
        features = model["features"]
        rows.append(
            {
                "application_id": application_id,
                "scored_at": dt.datetime.fromtimestamp(model["scored_at"], dt.UTC).isoformat(),
                "outcome": outcome["outcome"] if outcome else "",
                "outcome_observed_at": outcome["observed_at"] if outcome else "",
                "age_band": age_band(features.get(FeatureId.AGE.value)),
                **{name: "" if features.get(name) is None else features[name] for name in FEATURE_COLUMNS},
            }
        )
    rows.sort(key=lambda r: (r["scored_at"], r["application_id"]))
    return rows


def write_training_csv(rows: list[dict[str, Any]], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=TRAINING_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
