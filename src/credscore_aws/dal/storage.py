"""S3 access for work files. The bucket encrypts by default (SSE-KMS, see template.yaml)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import boto3


@cache
def s3_client() -> Any:
    return boto3.client("s3")


@cache
def dynamodb_table(name: str) -> Any:
    return boto3.resource("dynamodb").Table(name)


def put_json(bucket: str, key: str, document: Any) -> str:
    body = document if isinstance(document, str) else json.dumps(document, separators=(",", ":"))
    s3_client().put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"), ContentType="application/json")
    return key


# Below botocore's default connection pool (10), so concurrent puts never wait for a connection.
_PUT_THREADS = 8


def put_json_many(bucket: str, documents: dict[str, Any]) -> list[str]:
    """`put_json` for each key → document, several at once (each put is a round trip; S3 takes them in
    parallel). Returns the keys in the order given; the first failure is raised after the others finish."""
    if len(documents) <= 1:
        return [put_json(bucket, key, document) for key, document in documents.items()]
    s3_client()  # made here, once: creating clients from the default session is not thread-safe
    with ThreadPoolExecutor(max_workers=min(_PUT_THREADS, len(documents))) as pool:
        futures = [pool.submit(put_json, bucket, key, document) for key, document in documents.items()]
    return [future.result() for future in futures]


def get_text(bucket: str, key: str) -> str:
    return str(s3_client().get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8"))


def get_json(bucket: str, key: str) -> Any:
    return json.loads(get_text(bucket, key))


def list_keys(bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(obj["Key"] for obj in page.get("Contents", []))
    return keys


def delete_prefix(bucket: str, prefix: str) -> int:
    """Delete every object under a prefix; returns how many were deleted."""
    keys = list_keys(bucket, prefix)
    delete_keys(bucket, keys)
    return len(keys)


def delete_keys(bucket: str, keys: list[str]) -> None:
    """Delete these objects (a missing one is no error), a thousand per request."""
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        response = s3_client().delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
        )
        # DeleteObjects answers 200 even when some keys were not deleted (e.g. access denied): not a purge.
        if response.get("Errors"):
            first = response["Errors"][0]
            raise RuntimeError(
                f"{len(response['Errors'])} objects not deleted, the first: {first.get('Code')} {first.get('Key')}"
            )
