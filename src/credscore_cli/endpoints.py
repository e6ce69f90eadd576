"""Client options for the operator commands (admin CLI, model operations): AWS itself, or a local stack."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("localhost", "127.0.0.1", "::1")


def client_options(endpoint_url: str | None, region: str | None) -> dict[str, Any]:
    """boto3 client/resource keyword arguments. A loopback endpoint (the local stack) works without any AWS
    variables: it answers in any region, and moto accepts any signature, so it always gets stand-in credentials:
    real ones are never sent to it, and the credential chain is not searched (on a machine without credentials
    that search ends at the instance metadata endpoint, a network call and a timeout)."""
    import boto3

    options: dict[str, Any] = {}
    if endpoint_url:
        options["endpoint_url"] = endpoint_url
    if region:
        options["region_name"] = region
    if endpoint_url and not region and boto3.session.Session().region_name is None:
        options["region_name"] = "us-east-1"
    if endpoint_url and is_loopback(endpoint_url):
        options.update(aws_access_key_id="testing", aws_secret_access_key="testing")  # noqa: S106
    return options
