"""DynamoDB access for applications, their results and partner keys (one table, see template.yaml).

Item layout (pk / sk):
  APP#<id> / META              status, partner, declared sources, received parts, consent, source reports, error
  APP#<id> / RESULT            the score result (JSON)
  APP#<id> / FEATURES          the feature vector kept for rescoring (JSON, numbers only)
  APP#<id> / AUDIT#<ts>#<n>    what happened when (no personal data)
  PARTNERKEY#<sha256> / META   partner id for an API key, stored only as its hash
Large documents are stored as JSON strings so floats survive without Decimal juggling.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from credscore.application import Status

META = "META"
COLLECTING_INDEX_KEY = "COLLECTING"


def app_pk(application_id: str) -> str:
    return f"APP#{application_id}"


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


class NotFound(Exception):
    pass


class Conflict(Exception):
    """A conditional write lost a race or met the wrong status."""


@dataclass
class ApplicationRepository:
    table: Any  # boto3 DynamoDB Table resource

    # ------------------------------------------------------------------ partners
    def put_partner_key(self, api_key: str, partner_id: str, name: str) -> None:
        self.table.put_item(
            Item={
                "pk": f"PARTNERKEY#{hash_api_key(api_key)}",
                "sk": META,
                "partner_id": partner_id,
                "name": name,
            }
        )

    def partner_for_key(self, api_key: str) -> str | None:
        item = self.table.get_item(Key={"pk": f"PARTNERKEY#{hash_api_key(api_key)}", "sk": META}).get("Item")
        return str(item["partner_id"]) if item else None

    # ------------------------------------------------------------------ applications
    def create(self, application: dict[str, Any]) -> None:
        now = int(time.time())
        item = {
            "pk": app_pk(application["application_id"]),
            "sk": META,
            "gsi1pk": f"PARTNER#{application['partner_id']}",
            "gsi1sk": f"{now:012d}#{application['application_id']}",
            # Sparse index of applications still collecting, oldest first; removed when the status moves on.
            "gsi2pk": COLLECTING_INDEX_KEY,
            "gsi2sk": now,
            "status": Status.COLLECTING.value,
            "created_at": now,
            "updated_at": now,
            "received": [],
            **application,
        }
        try:
            self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise Conflict("application exists") from exc
            raise
        self.audit(application["application_id"], "created")

    def get(self, application_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key={"pk": app_pk(application_id), "sk": META}, ConsistentRead=True).get(
            "Item"
        )
        # DynamoDB deletes expired items lazily (up to days later): an expired application is already gone.
        if not item or (int(item.get("expires_at") or 0) and int(item["expires_at"]) < time.time()):
            raise NotFound(application_id)
        return _plain(item)

    def record_upload(self, application_id: str, part: str) -> dict[str, Any]:
        """Add a received part; returns the application as it is after the write."""
        try:
            result = self.table.update_item(
                Key={"pk": app_pk(application_id), "sk": META},
                UpdateExpression="SET received = list_append(if_not_exists(received, :empty), :part), "
                "updated_at = :now",
                ConditionExpression="attribute_exists(pk) AND NOT contains(received, :p)",
                ExpressionAttributeValues={
                    ":part": [part],
                    ":p": part,
                    ":empty": [],
                    ":now": int(time.time()),
                },
                ReturnValues="ALL_NEW",
            )
            self.audit(application_id, "upload_received", part=part)
            return _plain(result["Attributes"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        # Either unknown, or a re-upload of a part already recorded (the object was simply replaced).
        application = self.get(application_id)
        self.audit(application_id, "upload_replaced", part=part)
        return application

    def claim_for_scoring(self, application_id: str, trigger: str) -> bool:
        """Move COLLECTING → PROCESSING. Exactly one caller wins, however many uploads race."""
        if not self._leave_collecting(application_id, Status.PROCESSING, claimed_by=trigger):
            return False
        self.audit(application_id, "claimed", trigger=trigger)
        return True

    def stale_collecting(self, created_before: int) -> list[dict[str, Any]]:
        """Applications still collecting that were created before `created_before` (Unix seconds)."""
        kwargs: dict[str, Any] = {
            "IndexName": "collecting",
            "KeyConditionExpression": "gsi2pk = :c AND gsi2sk < :before",
            "ExpressionAttributeValues": {":c": COLLECTING_INDEX_KEY, ":before": created_before},
        }
        found: list[dict[str, Any]] = []
        while True:
            page = self.table.query(**kwargs)
            found += [_plain(i) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def close_unused(self, application_id: str, code: str, message: str) -> bool:
        """COLLECTING → FAILED with the reason, for an application nothing ever arrived for; False when it has
        moved on meanwhile (a late upload claimed it), so a racing upload is never overruled."""
        if not self._leave_collecting(
            application_id, Status.FAILED, error={"code": code, "message": message}
        ):
            return False
        self.audit(application_id, "failed", code=code)
        return True

    def _leave_collecting(self, application_id: str, status: Status, **fields: Any) -> bool:
        """Set `status` (and `fields`) only if the application is still COLLECTING, and take it off the sparse
        collecting index; False when another writer moved it first (the condition makes the race safe)."""
        names = {"#s": "status", **{f"#f{i}": k for i, k in enumerate(fields)}}
        values = {
            ":to": status.value,
            ":collecting": Status.COLLECTING.value,
            ":now": int(time.time()),
            **{f":v{i}": v for i, v in enumerate(fields.values())},
        }
        assignments = "".join(f", #f{i} = :v{i}" for i in range(len(fields)))
        try:
            self.table.update_item(
                Key={"pk": app_pk(application_id), "sk": META},
                UpdateExpression=f"SET #s = :to, updated_at = :now{assignments} REMOVE gsi2pk, gsi2sk",
                ConditionExpression="#s = :collecting",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def update_fields(self, application_id: str, **fields: Any) -> None:
        names = {f"#f{i}": k for i, k in enumerate(fields)}
        values = {f":v{i}": v for i, v in enumerate(fields.values())}
        values[":now"] = int(time.time())
        assignments = ", ".join(f"#f{i} = :v{i}" for i in range(len(fields)))
        self.table.update_item(
            Key={"pk": app_pk(application_id), "sk": META},
            UpdateExpression=f"SET {assignments}, updated_at = :now",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def save_result(self, application_id: str, result: dict[str, Any], features: dict[str, Any]) -> None:
        self.store_result(application_id, result, features)
        self.mark_scored(application_id, result)

    def store_result(self, application_id: str, result: dict[str, Any], features: dict[str, Any]) -> None:
        """Result and features, without the status flip (see `mark_scored`)."""
        pk = app_pk(application_id)
        self.table.put_item(Item={"pk": pk, "sk": "FEATURES", "doc": json.dumps(features, sort_keys=True)})
        self.table.put_item(Item={"pk": pk, "sk": "RESULT", "doc": json.dumps(result, sort_keys=True)})

    def mark_scored(self, application_id: str, result: dict[str, Any]) -> None:
        """The last step: a reader who sees SCORED finds the result, and the raw data already gone."""
        self.update_fields(application_id, status=Status.SCORED.value, **score_fields(result))
        self.audit(application_id, "scored", config_version=str(result.get("config_version", "")))

    def get_doc(self, application_id: str, kind: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"pk": app_pk(application_id), "sk": kind}, ConsistentRead=True).get(
            "Item"
        )
        return json.loads(item["doc"]) if item else None

    def record_failure(self, application_id: str, code: str, message: str) -> None:
        self.update_fields(
            application_id, status=Status.FAILED.value, error={"code": code, "message": message}
        )
        self.audit(application_id, "failed", code=code)

    def list_for_partner(
        self, partner_id: str, limit: int = 50, after: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a partner's applications, newest first, and the position to continue after (None on the
        last page; a page can hold fewer than `limit` when expired ones were passed over). A position is an
        application's `gsi1sk` ("<created>#<id>"); the partner's partition always comes from the caller, so a
        position can only move within the caller's own applications."""
        kwargs: dict[str, Any] = {
            "IndexName": "by-partner",
            "KeyConditionExpression": "gsi1pk = :p",
            # Expired but not yet deleted by TTL (that takes up to days): gone, as `get` treats it.
            "FilterExpression": "attribute_not_exists(expires_at) OR expires_at >= :now",
            "ExpressionAttributeValues": {":p": f"PARTNER#{partner_id}", ":now": int(time.time())},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if after is not None:
            application_id = after.partition("#")[2]
            kwargs["ExclusiveStartKey"] = {
                "pk": app_pk(application_id),
                "sk": META,
                "gsi1pk": f"PARTNER#{partner_id}",
                "gsi1sk": after,
            }
        result = self.table.query(**kwargs)
        last = result.get("LastEvaluatedKey")
        return [_plain(i) for i in result.get("Items", [])], str(last["gsi1sk"]) if last else None

    def audit(self, application_id: str, event: str, **details: str) -> None:
        now = time.time()
        self.table.put_item(
            Item={
                "pk": app_pk(application_id),
                "sk": f"AUDIT#{now:017.6f}#{event}",
                "event": event,
                "at": int(now),
                **details,
            }
        )

    def audit_trail(self, application_id: str) -> list[dict[str, Any]]:
        result = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :a)",
            ExpressionAttributeValues={":pk": app_pk(application_id), ":a": "AUDIT#"},
        )
        return [_plain(i) for i in result.get("Items", [])]

    def erase(self, application_id: str, partner_id: str) -> int:
        """Delete every item of the application, then leave a tombstone that holds no personal data."""
        pk = app_pk(application_id)
        deleted = 0
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": pk},
        }
        while True:
            page = self.table.query(**kwargs)
            with self.table.batch_writer() as batch:
                for item in page.get("Items", []):
                    batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
                    deleted += 1
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        now = int(time.time())
        self.table.put_item(
            Item={
                "pk": pk,
                "sk": META,
                "application_id": application_id,
                "partner_id": partner_id,
                "gsi1pk": f"PARTNER#{partner_id}",
                "gsi1sk": f"{now:012d}#{application_id}",
                "status": Status.ERASED.value,
                "erased_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
        return deleted

    # ------------------------------------------------------------------ applicant links and the partner's list
    # An applicant link's token is stored only as its SHA-256 hash on the application's META item.
    def set_applicant_token(self, application_id: str, token_hash: str) -> None:
        """Store a new token's hash (replacing any earlier one, which stops working)."""
        self.table.update_item(
            Key={"pk": app_pk(application_id), "sk": META},
            UpdateExpression="SET applicant_token_hash = :h, applicant_token_issued_at = :now "
            "REMOVE applicant_token_revoked_at",
            ConditionExpression="attribute_exists(pk) AND #s <> :erased",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":h": token_hash,
                ":now": int(time.time()),
                ":erased": Status.ERASED.value,
            },
        )
        self.audit(application_id, "applicant_link_issued")

    def revoke_applicant_token(self, application_id: str) -> bool:
        """Forget the token's hash; False when there was none."""
        try:
            self.table.update_item(
                Key={"pk": app_pk(application_id), "sk": META},
                UpdateExpression="SET applicant_token_revoked_at = :now REMOVE applicant_token_hash",
                ConditionExpression="attribute_exists(applicant_token_hash)",
                ExpressionAttributeValues={":now": int(time.time())},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        self.audit(application_id, "applicant_link_revoked")
        return True

    def record_applicant_consent(self, application_id: str, consent: dict[str, Any]) -> None:
        """The applicant's own consent on the applicant page (kept once: the first is the one that counts)."""
        try:
            self.table.update_item(
                Key={"pk": app_pk(application_id), "sk": META},
                UpdateExpression="SET applicant_consent = :c",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(applicant_consent)",
                ExpressionAttributeValues={":c": consent},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return
            raise
        self.audit(
            application_id, "applicant_consented", notice_version=str(consent.get("notice_version", ""))
        )

    def search_for_partner(
        self,
        partner_id: str,
        limit: int = 50,
        after: str | None = None,
        status: str | None = None,
        reference: str | None = None,
        max_reads: int = 10,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the partner's applications with a status and/or a reference containing `reference`, newest
        first. Still one partition of the `by-partner` index: DynamoDB reads the partner's applications in order
        and the filter drops the others, so this costs what reading them costs. Reads continue until `limit`
        match or `max_reads` queries were made (then the page is short and the position says where to go on)."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {":p": f"PARTNER#{partner_id}", ":now": int(time.time())}
        conditions = ["(attribute_not_exists(expires_at) OR expires_at >= :now)"]
        if status:
            names["#s"] = "status"
            values[":s"] = status
            conditions.append("#s = :s")
        if reference:
            names["#r"] = "reference"  # a reserved word in expressions
            values[":r"] = reference
            conditions.append("contains(#r, :r)")
        kwargs: dict[str, Any] = {
            "IndexName": "by-partner",
            "KeyConditionExpression": "gsi1pk = :p",
            "FilterExpression": " AND ".join(conditions),
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        if after is not None:
            kwargs["ExclusiveStartKey"] = {
                "pk": app_pk(after.partition("#")[2]),
                "sk": META,
                "gsi1pk": f"PARTNER#{partner_id}",
                "gsi1sk": after,
            }
        found: list[dict[str, Any]] = []
        for _ in range(max_reads):
            page = self.table.query(**kwargs)
            found += [_plain(i) for i in page.get("Items", [])]
            last = page.get("LastEvaluatedKey")
            if len(found) >= limit:
                more = last is not None or len(found) > limit
                found = found[:limit]
                return found, str(found[-1]["gsi1sk"]) if more else None
            if not last:
                return found, None
            kwargs["ExclusiveStartKey"] = last
        return found, str(last["gsi1sk"])


def score_fields(result: dict[str, Any]) -> dict[str, Any]:
    """What the partner's list shows of a result, kept on the META item (the index projects it)."""
    from decimal import Decimal

    score = result.get("normalised_score")
    return {"score": Decimal(str(round(float(score), 1))) if isinstance(score, int | float) else None}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB Decimals → int/float so results serialise as JSON."""
    return json.loads(json.dumps(item, default=_decimal))


def _decimal(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(type(value))
