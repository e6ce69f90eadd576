"""Partner webhooks' persistence: each partner's registration (secrets encrypted under the data key) and the
delivery log, in the applications table (see `credscore_aws.logic.webhooks` for dispatch, signing and delivery).

Items:
  WEBHOOK#<partner> / META                      url, state, secret(s) encrypted with the data key (KMS)
  WEBHOOK#<partner> / DELIVERY#<event id>       event id, type, application id, attempts, last status, state;
                                                in the by-partner index under WEBHOOKLOG#<partner> /
                                                <created, 12 digits>#<event id>, so the newest are read first
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from credscore_aws.dal.storage import dynamodb_table
from credscore_aws.models.records import WebhookDeliveryRecord, WebhookRegistration
from credscore_aws.settings import settings

META = "META"
DELIVERY_LOG_DAYS = 30


class WebhookNotFound(Exception):
    pass


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_pk(partner_id: str) -> str:
    return f"WEBHOOK#{partner_id}"


class SecretRotatedConcurrently(Exception):
    """Another request rotated the secret at the same moment (its answer holds the new secret)."""


@dataclass
class WebhookStore:
    """The registration and delivery log of each partner, with secrets encrypted under the data key."""

    table: Any
    kms: Any
    key_id: str

    # secrets are encrypted with the partner id as encryption context: a ciphertext moved to another
    # partner's item does not decrypt
    def _encrypt(self, partner_id: str, secret: str) -> str:
        blob = self.kms.encrypt(
            KeyId=self.key_id,
            Plaintext=secret.encode("utf-8"),
            EncryptionContext={"purpose": "webhook-secret", "partner_id": partner_id},
        )["CiphertextBlob"]
        return base64.b64encode(blob).decode("ascii")

    def _decrypt(self, partner_id: str, ciphertext: str) -> str:
        plain = self.kms.decrypt(
            CiphertextBlob=base64.b64decode(ciphertext),
            EncryptionContext={"purpose": "webhook-secret", "partner_id": partner_id},
        )["Plaintext"]
        return bytes(plain).decode("utf-8")

    def _item(self, partner_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"pk": webhook_pk(partner_id), "sk": META}, ConsistentRead=True).get(
            "Item"
        )
        return dict(item) if item else None

    def get(self, partner_id: str) -> WebhookRegistration:
        item = self._item(partner_id)
        if item is None:
            raise WebhookNotFound(partner_id)
        return _registration(item)

    def put(
        self, partner_id: str, url: str, now: int | None = None
    ) -> tuple[WebhookRegistration, str | None]:
        """Register or change the URL; a new registration returns its secret (shown once), a change keeps it."""
        now = int(time.time()) if now is None else now
        existing = self._item(partner_id)
        if existing is not None:
            try:
                self.table.update_item(
                    Key={"pk": webhook_pk(partner_id), "sk": META},
                    UpdateExpression="SET #u = :u, updated_at = :now, #s = :active",
                    ExpressionAttributeNames={"#u": "url", "#s": "state"},
                    ExpressionAttributeValues={":u": url, ":now": now, ":active": "active"},
                    ConditionExpression="attribute_exists(pk)",
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                return self.put(partner_id, url, now)  # deleted concurrently: register it anew
            return self.get(partner_id), None
        secret = new_secret()
        item = {
            "pk": webhook_pk(partner_id),
            "sk": META,
            "partner_id": partner_id,
            "url": url,
            "state": "active",
            "secret": self._encrypt(partner_id, secret),
            "created_at": now,
            "updated_at": now,
        }
        try:
            self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self.put(partner_id, url, now)  # registered concurrently: change its URL instead
        return _registration(item), secret

    def rotate(
        self, partner_id: str, overlap_seconds: int, now: int | None = None
    ) -> tuple[WebhookRegistration, str]:
        now = int(time.time()) if now is None else now
        item = self._item(partner_id)
        if item is None:
            raise WebhookNotFound(partner_id)
        secret = new_secret()
        try:
            self._replace_secret(partner_id, item["secret"], secret, overlap_seconds, now)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            if self._item(partner_id) is None:
                raise WebhookNotFound(partner_id) from None
            # Rotating again would end the secret both requests replaced before its overlap: the receiver may
            # still verify with it. The concurrent request's answer holds the new secret.
            raise SecretRotatedConcurrently(partner_id) from None
        return self.get(partner_id), secret

    def _replace_secret(self, partner_id: str, old: str, secret: str, overlap_seconds: int, now: int) -> None:
        self.table.update_item(
            Key={"pk": webhook_pk(partner_id), "sk": META},
            UpdateExpression=(
                "SET secret = :new, previous_secret = :old, previous_secret_valid_until = :until, "
                "secret_rotated_at = :now, updated_at = :now"
            ),
            ExpressionAttributeValues={
                ":new": self._encrypt(partner_id, secret),
                ":old": old,
                ":until": now + overlap_seconds,
                ":now": now,
            },
            ConditionExpression="secret = :old",  # two rotations at once: one wins
        )

    def delete(self, partner_id: str) -> None:
        if self._item(partner_id) is None:
            raise WebhookNotFound(partner_id)
        self.table.delete_item(Key={"pk": webhook_pk(partner_id), "sk": META})

    def signing_secrets(self, partner_id: str, now: int | None = None) -> tuple[str, list[str]] | None:
        """(url, secrets in force: the current one, then the previous one during its overlap), or None."""
        now = int(time.time()) if now is None else now
        item = self._item(partner_id)
        if item is None or item.get("state") != "active":
            return None
        in_force = [self._decrypt(partner_id, str(item["secret"]))]
        if item.get("previous_secret") and int(item.get("previous_secret_valid_until", 0)) > now:
            in_force.append(self._decrypt(partner_id, str(item["previous_secret"])))
        return str(item["url"]), in_force

    def application_reference(self, application_id: str) -> str | None:
        """The partner's reference of the application as it is now, for a delivery: None once it is erased (the
        tombstone keeps none), expired or gone."""
        item = self.table.get_item(
            Key={"pk": f"APP#{application_id}", "sk": META},
            ConsistentRead=True,
            ProjectionExpression="#r, expires_at",
            ExpressionAttributeNames={"#r": "reference"},  # a reserved word in expressions
        ).get("Item")
        if not item or item.get("reference") is None:
            return None
        expires = int(item.get("expires_at") or 0)
        return None if expires and expires < time.time() else str(item["reference"])

    # ------------------------------------------------------------------ delivery log
    def log_delivery(self, partner_id: str, event: Mapping[str, Any], now: int) -> str | None:
        """Record a new delivery; returns its sort key, or None if this event was already logged (a stream
        record delivered twice)."""
        sk = f"DELIVERY#{event['id']}"
        try:
            self.table.put_item(
                Item={
                    "pk": webhook_pk(partner_id),
                    "sk": sk,
                    "event_id": event["id"],
                    "type": event["type"],
                    "application_id": event["application_id"],
                    "created_at": now,
                    "attempts": 0,
                    "state": "pending",
                    "expires_at": now + DELIVERY_LOG_DAYS * 86400,
                    # The log by time, newest first, without reading the partner's whole 30 days (the key above
                    # is by event id: what makes a delivery logged once).
                    "gsi1pk": delivery_log_pk(partner_id),
                    "gsi1sk": f"{now:012d}#{event['id']}",
                },
                ConditionExpression="attribute_not_exists(sk)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return sk

    def unqueued_delivery(self, partner_id: str, event_id: str) -> str | None:
        """The sort key of a delivery logged but never marked queued (its send failed and the stream batch is
        being retried), else None."""
        sk = f"DELIVERY#{event_id}"
        item = self.table.get_item(Key={"pk": webhook_pk(partner_id), "sk": sk}, ConsistentRead=True).get(
            "Item"
        )
        return sk if item is not None and "queued_at" not in item else None

    def mark_queued(self, partner_id: str, sk: str, now: int) -> None:
        self.table.update_item(
            Key={"pk": webhook_pk(partner_id), "sk": sk},
            UpdateExpression="SET queued_at = :now",
            ExpressionAttributeValues={":now": now},
        )

    def record_attempt(
        self, partner_id: str, sk: str, attempts: int, status_code: int | None, error: str | None, state: str
    ) -> None:
        self.table.update_item(
            Key={"pk": webhook_pk(partner_id), "sk": sk},
            UpdateExpression=(
                "SET attempts = :a, last_status_code = :c, last_error = :e, #s = :s, last_attempt_at = :now"
            ),
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues={
                ":a": attempts,
                ":c": status_code,
                ":e": error,
                ":s": state,
                ":now": int(time.time()),
            },
        )

    def deliveries(self, partner_id: str, limit: int) -> list[WebhookDeliveryRecord]:
        """The newest `limit` deliveries first: `limit` keys from the by-partner index (newest first), then those
        records read whole. A delivery logged a moment ago may be missing (the index is eventually consistent)."""
        found = self.table.query(
            IndexName="by-partner",
            KeyConditionExpression="gsi1pk = :log",
            ExpressionAttributeValues={":log": delivery_log_pk(partner_id)},
            ScanIndexForward=False,
            Limit=limit,
        ).get("Items", [])
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in found]
        items: list[WebhookDeliveryRecord] = []
        while keys:
            answer = self.table.meta.client.batch_get_item(
                RequestItems={self.table.name: {"Keys": keys, "ConsistentRead": True}}
            )
            items += [
                WebhookDeliveryRecord.model_validate(_plain(i))
                for i in answer["Responses"].get(self.table.name, [])
            ]
            keys = answer.get("UnprocessedKeys", {}).get(self.table.name, {}).get("Keys", [])
            if keys:
                time.sleep(0.05)  # throttled: what was not read is asked again
        items.sort(key=lambda i: (i.created_at, i.event_id), reverse=True)
        return items


def delivery_log_pk(partner_id: str) -> str:
    return f"WEBHOOKLOG#{partner_id}"


def _registration(item: Mapping[str, Any]) -> WebhookRegistration:
    rotated = item.get("secret_rotated_at")
    until = item.get("previous_secret_valid_until")
    return WebhookRegistration(
        url=str(item["url"]),
        state=str(item["state"]),
        created_at=int(item["created_at"]),
        updated_at=int(item["updated_at"]),
        secret_rotated_at=int(rotated) if rotated is not None else None,
        previous_secret_valid_until=int(until) if until is not None else None,
    )


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    from decimal import Decimal

    return {k: (int(v) if isinstance(v, Decimal) else v) for k, v in item.items()}


def store_from_env() -> WebhookStore:
    return WebhookStore(
        table=dynamodb_table(settings().table_name), kms=boto3.client("kms"), key_id=settings().data_key_id
    )
