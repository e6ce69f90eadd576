"""DynamoDB access for applications, their results and partner keys (one table, see template.yaml).

Item layout (pk / sk):
  APP#<id> / META              status, partner, declared sources, received parts, consent, source reports, error
  APP#<id> / RESULT            the score result (JSON)
  APP#<id> / FEATURES          the feature vector kept for rescoring (JSON, numbers only)
  APP#<id> / AUDIT#<ts>#<n>    what happened when (no personal data)
  APP#<id> / MODEL, OUTCOME    model-development data and the reported outcome (see `credscore_aws.logic.outcomes`)
  PARTNERKEY#<sha256> / META   partner id for an API key, stored only as its hash
Large documents are stored as JSON strings so floats survive without Decimal juggling.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from credscore.application import Status
from credscore.errors import TransientError
from credscore_aws.models.records import (
    ApplicationRecord,
    AuditEntry,
    CollectingEntry,
    NewApplication,
    PartnerListEntry,
    StoredConsent,
)

META = "META"
# Tries of a transaction cancelled by a concurrent one on the same item (DynamoDB's TransactionConflict).
_TRANSACT_ATTEMPTS = 5
COLLECTING_INDEX_KEY = "COLLECTING"
# What the final status write (scored, failed) removes from the record: personal data only the pipeline needed
# (the X handle, fetched by Ingest; `x_handle_requested` says afterwards that one was given).
_FORGOTTEN_WHEN_FINISHED = "x_handle"
# Every status but ERASED: the statuses a write of any live application expects.
_NOT_ERASED = tuple(s for s in Status if s != Status.ERASED)


def _pause_after_conflict(attempt: int) -> None:
    """The wait before trying a write again that a concurrent transaction on the same item refused (botocore does
    not retry these): jittered, doubling from 50 ms."""
    time.sleep(random.uniform(0, 0.05 * 2**attempt))


def app_pk(application_id: str) -> str:
    return f"APP#{application_id}"


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


class NotFound(Exception):
    pass


class Conflict(Exception):
    """A conditional write lost a race or met the wrong status."""


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: how many records that held data it deleted (none when repeated), and when the
    application was erased (the first erasure's time, however often it is asked again)."""

    records_deleted: int
    erased_at: int


class ApplicationErased(Conflict):
    """The partner erased the application: whoever meets this stops and writes nothing (the state machine
    matches the class name and ends the execution quietly)."""


# What the tombstone of an erased application keeps: no personal data, no result.
TOMBSTONE_FIELDS = frozenset(
    {
        "pk",
        "sk",
        "application_id",
        "partner_id",
        "gsi1pk",
        "gsi1sk",
        "status",
        "status_at",
        "erased_at",
        "created_at",
        "updated_at",
    }
)


@dataclass
class ApplicationRepository:
    table: Any  # boto3 DynamoDB Table resource
    # Audit entries expire (DynamoDB TTL) this long after they are written, as the application does after its
    # creation: none outlives the retention by more than the application's own processing. None: no expiry
    # (tools that write no audit entries).
    audit_retention_days: int | None = None

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

    def create(self, application: NewApplication) -> None:
        now = int(time.time())
        item = {
            "pk": app_pk(application.application_id),
            "sk": META,
            "gsi1pk": f"PARTNER#{application.partner_id}",
            "gsi1sk": f"{now:012d}#{application.application_id}",
            # Sparse index of applications still collecting, oldest first; removed when the status moves on.
            "gsi2pk": COLLECTING_INDEX_KEY,
            "gsi2sk": now,
            "status": Status.COLLECTING.value,
            "status_at": now,
            "created_at": now,
            "updated_at": now,
            "received": [],
            **application.item_attributes(),
        }
        audits = [self._audit_item(application.application_id, "created", {})]
        if application.applicant_token_hash:
            item["applicant_token_issued_at"] = now
            audits.append(self._audit_item(application.application_id, "applicant_link_issued", {}))
        table = self.table.name
        try:
            self.table.meta.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    *({"Put": {"TableName": table, "Item": audit}} for audit in audits),
                ]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = {r.get("Code") for r in exc.response.get("CancellationReasons") or []}
            if "ConditionalCheckFailed" in reasons:
                raise Conflict("application exists") from exc
            # Throttling or a concurrent transaction: nothing was written, the same request may be sent again.
            raise TransientError(
                f"the new record could not be written ({sorted(map(str, reasons))})"
            ) from exc

    def get(self, application_id: str, include_expired: bool = False) -> ApplicationRecord:
        """The application's record. DynamoDB deletes expired items lazily (up to days later): an expired
        application is already gone for every reader, but its erasure (`include_expired`) still finds it, so that
        an applicant who asks does not wait for TTL to remove what is left."""
        item = self.table.get_item(Key={"pk": app_pk(application_id), "sk": META}, ConsistentRead=True).get(
            "Item"
        )
        expires_at = int(item.get("expires_at") or 0) if item else 0
        if not item or (0 < expires_at < time.time() and not include_expired):
            raise NotFound(application_id)
        return _record(item)

    def get_live(self, application_id: str) -> ApplicationRecord:
        """`get` for the pipeline: an erased application raises `ApplicationErased` (nothing more to do)."""
        application = self.get(application_id)
        if application.status == Status.ERASED:
            raise ApplicationErased(application_id)
        return application

    def is_erased(self, application_id: str) -> bool:
        """True once the application is erased (or gone): a writer of S3 objects asks this after writing."""
        try:
            return self.get(application_id).status == Status.ERASED
        except NotFound:
            return True

    def record_upload(self, application_id: str, part: str, write: str | None = None) -> ApplicationRecord:
        """Add a received part while the application is collecting; returns the application as it is after the
        write. A late upload (processing, scored, failed, erased) changes nothing: the caller sees the status.
        `write` names the object write the event is about (`UploadedObject.write_id`): a part recorded again for
        the same write (a retry of the step whose earlier attempt recorded it, a duplicate delivery, a replay of
        the parked event) notes nothing, another write of the part is noted as a replaced upload. Without it (or
        for a part recorded before writes were kept) a second recording counts as a replacement."""
        noted = f"{part}@{write}"
        # The write is kept in the same conditional update as the part: a retry finds both, or neither.
        keep = "received_writes = list_append(if_not_exists(received_writes, :empty), :noted)"
        kept: dict[str, Any] = {":noted": [noted], ":empty": []} if write else {}
        try:
            self._transact(
                application_id,
                (Status.COLLECTING,),
                "SET received = list_append(if_not_exists(received, :empty), :part)"
                + (", " + keep if write else ""),
                {":part": [part], ":p": part, ":empty": [], **kept},
                condition="NOT contains(received, :p)",
                audit=("upload_received", {"part": part}),
            )
        except Conflict:
            # Late (the status says so), or the part was recorded already: by this write, or by an earlier one
            # that this upload replaced (the same key, written again).
            application = self.get(application_id)
            if application.status == Status.COLLECTING and part in application.received:
                with contextlib.suppress(Conflict):  # moved on meanwhile, or this very write was recorded
                    if write:
                        self._transact(
                            application_id,
                            (Status.COLLECTING,),
                            "SET " + keep,
                            {**kept, ":n": noted},
                            condition="NOT contains(received_writes, :n)",
                            audit=("upload_replaced", {"part": part}),
                        )
                    else:
                        self._transact(
                            application_id, (Status.COLLECTING,), audit=("upload_replaced", {"part": part})
                        )
            return application
        return self.get(application_id)

    def claim_for_scoring(self, application_id: str, trigger: str, execution: str) -> bool:
        """Move COLLECTING → PROCESSING for the pipeline `execution` (its ARN), stored with the claim in the same
        conditional write. Exactly one execution wins, however many uploads race; the winner asking again (its
        attempt claimed, then timed out before answering, and the state retried) is told it won, so the
        application is never left processing with nobody to score it. Any other execution loses, and so does
        every caller once the application is erased."""
        if self._leave_collecting(
            application_id, Status.PROCESSING, ("claimed", {"trigger": trigger}), claimed_by=execution
        ):
            return True
        return self.claimed_by(application_id, execution)

    def claimed_by(self, application_id: str, execution: str) -> bool:
        """True when the application is processing under a claim this `execution` wrote (a strongly consistent
        read: the claim committed before this call's retry began)."""
        try:
            application = self.get(application_id)
        except NotFound:
            return False
        return application.status == Status.PROCESSING and application.claimed_by == execution

    def take_over_claim(self, application_id: str, trigger: str, execution: str, ended: str) -> bool:
        """Move the claim of a processing application from the `ended` execution (which will never score it) to
        `execution`, in one conditional write: exactly one caller takes it over, and never once the application
        moved on or was erased."""
        try:
            self._transact(
                application_id,
                (Status.PROCESSING,),
                values={":ended": ended},
                condition="claimed_by = :ended",
                audit=("claim_taken_over", {"trigger": trigger}),
                claimed_by=execution,
            )
        except (Conflict, NotFound):
            return False
        return True

    def take_over_unnamed_claim(
        self, application_id: str, trigger: str, execution: str, untouched_since: int
    ) -> bool:
        """Give a processing application whose claim names no execution (an older deploy's) to `execution`, only
        if nothing has written it since `untouched_since` (Unix seconds), in one conditional write: exactly one
        caller takes it over, and never once the application moved on, was written meanwhile, or was erased."""
        try:
            self._transact(
                application_id,
                (Status.PROCESSING,),
                values={":since": untouched_since},
                condition="attribute_not_exists(claimed_by) AND updated_at < :since",
                audit=("claim_taken_over", {"trigger": trigger, "holder": "unnamed"}),
                claimed_by=execution,
            )
        except (Conflict, NotFound):
            return False
        return True

    def stale_collecting(self, created_before: int) -> list[CollectingEntry]:
        """Applications still collecting that were created before `created_before` (Unix seconds)."""
        kwargs: dict[str, Any] = {
            "IndexName": "collecting",
            "KeyConditionExpression": "gsi2pk = :c AND gsi2sk < :before",
            "ExpressionAttributeValues": {":c": COLLECTING_INDEX_KEY, ":before": created_before},
        }
        found: list[CollectingEntry] = []
        while True:
            page = self.table.query(**kwargs)
            found += [CollectingEntry.model_validate(_plain(i)) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def close_unused(self, application_id: str, code: str, message: str) -> bool:
        """COLLECTING → FAILED with the reason, for an application nothing ever arrived for; False when it has
        moved on meanwhile (a late upload claimed it, or it was erased) or an upload was recorded since the caller
        looked (it is scored at the next sweep), so a racing writer is never overruled."""
        return self._leave_collecting(
            application_id,
            Status.FAILED,
            ("failed", {"code": code}),
            also_remove=_FORGOTTEN_WHEN_FINISHED,
            condition="size(received) = :none",
            values={":none": 0},
            error={"code": code, "message": message},
        )

    def _leave_collecting(
        self,
        application_id: str,
        status: Status,
        audit: tuple[str, dict[str, str]],
        also_remove: str = "",
        condition: str = "",
        values: dict[str, Any] | None = None,
        **fields: Any,
    ) -> bool:
        """Set `status` (and `fields`) only if the application is still COLLECTING (and `condition` holds), and
        take it off the sparse collecting index; False when another writer moved it first (the condition makes
        the race safe)."""
        try:
            self._transact(
                application_id,
                (Status.COLLECTING,),
                values=values,
                condition=condition,
                remove=", ".join(filter(None, ("gsi2pk, gsi2sk", also_remove))),
                audit=audit,
                status=status.value,
                **fields,
            )
        except (Conflict, NotFound):
            return False
        return True

    def update_fields(self, application_id: str, **fields: Any) -> None:
        """A pipeline write: only while the application is PROCESSING (never on an erased or finished one;
        raises `ApplicationErased` or `Conflict`)."""
        self._transact(application_id, (Status.PROCESSING,), **fields)

    def store_result(
        self,
        application_id: str,
        result: dict[str, Any],
        features: dict[str, Any],
        expect: Status = Status.PROCESSING,
        audit: tuple[str, dict[str, str]] | None = None,
        **fields: Any,
    ) -> None:
        """Result and features, without the status flip (see `mark_scored`); only while the application is in
        the `expect`ed status, in one transaction with that check (and any META `fields` and `audit` entry), so a
        result never lands after an erasure."""
        pk = app_pk(application_id)
        # Imported here: the authorizer and other light functions load this module without the scorer.
        from credscore_aws.logic.outcomes import MODEL_SK, model_data_item

        item = self.table.get_item(Key={"pk": pk, "sk": META}, ConsistentRead=True).get("Item")
        meta = _record(item) if item else None
        # The model data (numbers only, with model-development consent) goes in the same conditional write: it can
        # never land after an erasure. (No META: the write below finds that and raises NotFound.)
        model = model_data_item(meta, features, result) if meta else None
        # DynamoDB's TTL deletes each item on its own: the result expires with the application, not after it.
        expiry = {"expires_at": meta.expires_at} if meta and meta.expires_at else {}
        self._transact(
            application_id,
            (expect,),
            items=[
                {"pk": pk, "sk": "FEATURES", "doc": json.dumps(features, sort_keys=True), **expiry},
                {"pk": pk, "sk": "RESULT", "doc": json.dumps(result, sort_keys=True), **expiry},
                *([model] if model is not None else []),
            ],
            audit=audit,
            **fields,
        )
        if model is None and expect is not Status.PROCESSING:
            # Only a rescore can find one to remove (a rescore that no longer scores, e.g. under new eligibility
            # rules); removing never leaks, so it may follow the transaction.
            self.table.delete_item(Key={"pk": pk, "sk": MODEL_SK})

    def mark_scored(self, application_id: str, result: dict[str, Any]) -> None:
        """The last step: a reader who sees SCORED finds the result, and the raw data already gone."""
        self._transact(
            application_id,
            (Status.PROCESSING,),
            remove=_FORGOTTEN_WHEN_FINISHED,
            audit=("scored", {"config_version": str(result.get("config_version", ""))}),
            status=Status.SCORED.value,
            **score_fields(result),
        )

    def save_rescored(self, application_id: str, result: dict[str, Any], features: dict[str, Any]) -> None:
        """A rescored result replaces the stored one (with its model data and the listed score), only while the
        application is still SCORED."""
        self.store_result(
            application_id,
            result,
            features,
            expect=Status.SCORED,
            audit=("rescored", {"config_version": str(result.get("config_version", ""))}),
            **score_fields(result),
        )

    def get_doc(self, application_id: str, kind: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"pk": app_pk(application_id), "sk": kind}, ConsistentRead=True).get(
            "Item"
        )
        return json.loads(item["doc"]) if item else None

    def record_failure(self, application_id: str, code: str, message: str) -> None:
        """PROCESSING → FAILED with the reason; raises `ApplicationErased` (or `Conflict` when the application
        already finished) instead of overwriting."""
        self._transact(
            application_id,
            (Status.PROCESSING,),
            remove=_FORGOTTEN_WHEN_FINISHED,
            audit=("failed", {"code": code}),
            status=Status.FAILED.value,
            error={"code": code, "message": message},
        )

    def list_for_partner(
        self, partner_id: str, limit: int = 50, after: str | None = None
    ) -> tuple[list[PartnerListEntry], str | None]:
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
        return [_entry(i) for i in result.get("Items", [])], str(last["gsi1sk"]) if last else None

    def _audit_item(self, application_id: str, event: str, details: dict[str, str]) -> dict[str, Any]:
        now = time.time()
        expiry = (
            {"expires_at": int(now) + self.audit_retention_days * 86400}
            if self.audit_retention_days is not None
            else {}
        )
        return {
            "pk": app_pk(application_id),
            "sk": f"AUDIT#{now:017.6f}#{event}",
            "event": event,
            "at": int(now),
            **details,
            **expiry,
        }

    def _transact(
        self,
        application_id: str,
        expect: tuple[Status, ...],
        update: str = "",
        values: dict[str, Any] | None = None,
        *,
        condition: str = "",
        remove: str = "",
        items: list[dict[str, Any]] | None = None,
        audit: tuple[str, dict[str, str]] | None = None,
        **fields: Any,
    ) -> None:
        """One write of an application, all or nothing: the META update (`update` expression and `fields`),
        other items of the application and an audit entry, conditional on the application being in one of the
        `expect`ed statuses. Every writer after creation goes through here, so nothing is written once the
        application is erased (its META is then a tombstone with status ERASED, written before anything is
        purged). Raises NotFound, ApplicationErased or Conflict when the condition fails."""
        names = {"#s": "status", **{f"#f{i}": k for i, k in enumerate(fields)}}
        allowed = {f":expect{i}": s.value for i, s in enumerate(expect)}
        all_values = {
            ":now": int(time.time()),
            **allowed,
            **(values or {}),
            **{f":v{i}": v for i, v in enumerate(fields.values())},
        }
        assignments = ["updated_at = :now", *(f"#f{i} = :v{i}" for i in range(len(fields)))]
        if "status" in fields:
            # When the status last changed, with the same clock as updated_at: the webhook dispatcher tells a
            # move into a final status from a later write of a finished application by these two alone (the
            # table's stream carries new images only, see template.yaml).
            assignments.append("status_at = :now")
        expression = (update + ", " if update else "SET ") + ", ".join(assignments)
        if remove:
            expression += f" REMOVE {remove}"
        checks = f"#s IN ({', '.join(allowed)})" + (f" AND {condition}" if condition else "")
        table = self.table.name
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": app_pk(application_id), "sk": META},
                    "UpdateExpression": expression,
                    "ConditionExpression": checks,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": all_values,
                }
            },
            *({"Put": {"TableName": table, "Item": item}} for item in items or []),
        ]
        if audit is not None:
            writes.append({"Put": {"TableName": table, "Item": self._audit_item(application_id, *audit)}})
        for attempt in range(_TRANSACT_ATTEMPTS):
            try:
                self.table.meta.client.transact_write_items(TransactItems=writes)
                return
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = {r.get("Code") for r in exc.response.get("CancellationReasons") or []}
                if "ConditionalCheckFailed" in reasons or not reasons - {"None", None}:
                    break
                # Another transaction on the same item was in flight (TransactionConflict) or throttling:
                # not an answer about the application; botocore does not retry these, so we do, briefly.
                if attempt == _TRANSACT_ATTEMPTS - 1:
                    raise TransientError(
                        f"the application's record stayed busy ({sorted(map(str, reasons))})"
                    ) from exc
                _pause_after_conflict(attempt)
        status = self.get(application_id).status  # NotFound when there is no such application
        if status == Status.ERASED:
            raise ApplicationErased(application_id)
        raise Conflict(f"the application is {status.value}")

    def audit(self, application_id: str, event: str, **details: str) -> None:
        """An audit entry on its own, refused (`ApplicationErased`) once the application is erased."""
        self._transact(application_id, _NOT_ERASED, audit=(event, details))

    def audit_trail(self, application_id: str) -> list[AuditEntry]:
        result = self.table.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :a)",
            ExpressionAttributeValues={":pk": app_pk(application_id), ":a": "AUDIT#"},
        )
        return [AuditEntry.from_item(_plain(i)) for i in result.get("Items", [])]

    def erase(self, application_id: str, partner_id: str, created_at: int | None = None) -> Erasure:
        """Replace the application by a tombstone that holds no personal data, then delete every other item.
        The tombstone goes first: every later write of the application is conditional on its status, so none
        can land after it, and whatever was written before it is found by the purge that follows. Erasing again
        purges again (a retry after a partial failure) and keeps the first erasure's time."""
        pk = app_pk(application_id)
        erased_at, newly = self._put_tombstone(application_id, partner_id, created_at, int(time.time()))
        deleted = 1 if newly else 0
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": pk},
            "ConsistentRead": True,  # sees every write that committed before the tombstone
        }
        while True:
            page = self.table.query(**kwargs)
            with self.table.batch_writer() as batch:
                for item in page.get("Items", []):
                    if item["sk"] != META:
                        batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
                        deleted += 1
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return Erasure(records_deleted=deleted, erased_at=erased_at)

    def _put_tombstone(
        self, application_id: str, partner_id: str, created_at: int | None, now: int
    ) -> tuple[int, bool]:
        """Write the tombstone unless it is there; returns when the application was erased and whether by this
        call. A PutItem on an item that a transaction in flight is writing (the pipeline's, an upload's) is
        refused with TransactionConflictException, which botocore does not retry: tried again briefly, as
        `_transact` does, so the erasure is not the writer that gives up."""
        item = {
            "pk": app_pk(application_id),
            "sk": META,
            "application_id": application_id,
            "partner_id": partner_id,
            "gsi1pk": f"PARTNER#{partner_id}",
            "gsi1sk": f"{(created_at or now):012d}#{application_id}",
            "status": Status.ERASED.value,
            "status_at": now,
            "erased_at": now,
            "created_at": created_at or now,
            "updated_at": now,
        }
        attempt = 0
        while True:
            try:
                self.table.put_item(
                    Item=item,
                    # Ownership is checked by the write itself too: another partner's erasure cannot land. An
                    # existing tombstone is kept: the erasure's time is when it happened, not when it was repeated.
                    ConditionExpression="partner_id = :p AND #s <> :erased",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":p": partner_id, ":erased": Status.ERASED.value},
                )
                return now, True
            except ClientError as exc:
                code = exc.response["Error"]["Code"]
                if code == "ConditionalCheckFailedException":
                    return self._existing_erasure(application_id, partner_id), False
                if code != "TransactionConflictException":
                    raise
                attempt += 1
                if attempt == _TRANSACT_ATTEMPTS:
                    raise TransientError("the application's record stayed busy; erase it again") from exc
                _pause_after_conflict(attempt)

    def _existing_erasure(self, application_id: str, partner_id: str) -> int:
        """When this partner's application was erased; `NotFound` when it is not this partner's (or is gone).
        Only an erased application fails the tombstone's condition for its owner, and nothing writes after."""
        tombstone = self.get(application_id, include_expired=True)  # NotFound when it is gone
        # Every tombstone has carried erased_at since the first erasure was written.
        if (
            tombstone.partner_id != partner_id
            or tombstone.status != Status.ERASED
            or tombstone.erased_at is None
        ):
            raise NotFound(application_id)
        return tombstone.erased_at

    # ------------------------------------------------------------------ applicant links and the partner's list
    # An applicant link's token is stored only as its SHA-256 hash on the application's META item. Each write
    # and its audit entry are one `_transact`, conditional on the application not being erased: a write and an
    # audit entry made apart let an erasure land between them, and the audit entry then raised (a 500) after
    # the write had been answered for (the hash itself was gone with the tombstone).
    def set_applicant_token(self, application_id: str, token_hash: str) -> None:
        """Store a new token's hash (replacing any earlier one, which stops working); raises `ApplicationErased`
        once the application is erased."""
        self._transact(
            application_id,
            _NOT_ERASED,
            "SET applicant_token_hash = :h, applicant_token_issued_at = :now",
            {":h": token_hash},
            remove="applicant_token_revoked_at",
            audit=("applicant_link_issued", {}),
        )

    def revoke_applicant_token(self, application_id: str) -> bool:
        """Forget the token's hash; False when there was none (an erased application keeps none)."""
        try:
            self._transact(
                application_id,
                _NOT_ERASED,
                "SET applicant_token_revoked_at = :now",
                condition="attribute_exists(applicant_token_hash)",
                remove="applicant_token_hash",
                audit=("applicant_link_revoked", {}),
            )
        except (Conflict, NotFound):
            return False
        return True

    def record_applicant_consent(self, application_id: str, consent: StoredConsent) -> None:
        """The applicant's own consent on the applicant page (kept once: the first is the one that counts);
        raises `ApplicationErased` once the application is erased (never onto an erasure's tombstone)."""
        try:
            self._transact(
                application_id,
                _NOT_ERASED,
                "SET applicant_consent = :c",
                {":c": consent.model_dump(exclude_unset=True)},
                condition="attribute_not_exists(applicant_consent)",
                audit=("applicant_consented", {"notice_version": consent.notice_version}),
            )
        except ApplicationErased:
            raise
        except Conflict:
            return  # consented already

    def search_for_partner(
        self,
        partner_id: str,
        limit: int = 50,
        after: str | None = None,
        status: str | None = None,
        reference: str | None = None,
        max_reads: int = 10,
    ) -> tuple[list[PartnerListEntry], str | None]:
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
        found: list[PartnerListEntry] = []
        for _ in range(max_reads):
            page = self.table.query(**kwargs)
            found += [_entry(i) for i in page.get("Items", [])]
            last = page.get("LastEvaluatedKey")
            if len(found) >= limit:
                more = last is not None or len(found) > limit
                found = found[:limit]
                return found, found[-1].gsi1sk if more else None
            if not last:
                return found, None
            kwargs["ExclusiveStartKey"] = last
        return found, str(last["gsi1sk"])


def score_fields(result: dict[str, Any]) -> dict[str, Any]:
    """What the partner's list shows of a result, kept on the META item (the index projects it)."""
    from decimal import Decimal

    score = result.get("normalised_score")
    return {"score": Decimal(str(round(float(score), 1))) if isinstance(score, int | float) else None}


def _record(item: dict[str, Any]) -> ApplicationRecord:
    return ApplicationRecord.model_validate(_plain(item))


def _entry(item: dict[str, Any]) -> PartnerListEntry:
    return PartnerListEntry.model_validate(_plain(item))


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
