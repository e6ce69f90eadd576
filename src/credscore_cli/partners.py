"""Partner API keys: `credscore partners --table T create --partner-id ID --name NAME` (also
`python -m credscore_cli.partners …`).

The key is printed once and stored only as its SHA-256 hash; revoke it with `revoke --key KEY`.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from typing import Any

from credscore_aws.dal.repository import ApplicationRepository, hash_api_key
from credscore_cli.endpoints import client_options


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--table", required=True, help="the applications table (stack output ApplicationsTableName)"
    )
    parser.add_argument("--endpoint-url", help="e.g. the local stack's endpoint")
    parser.add_argument("--region", help="AWS region (default: from the environment)")
    sub = parser.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="issue a new API key for a partner")
    create.add_argument("--partner-id", required=True)
    create.add_argument("--name", required=True)
    revoke = sub.add_parser("revoke", help="revoke an API key")
    revoke.add_argument("--key", required=True)


def register(sub: Any) -> None:
    partners = sub.add_parser("partners", help="partner API keys: create|revoke")
    _add_arguments(partners)
    partners.set_defaults(handler=cmd_partners)


def cmd_partners(args: argparse.Namespace) -> int:
    import boto3

    options = client_options(args.endpoint_url, args.region)
    table = boto3.resource("dynamodb", **options).Table(args.table)
    repo = ApplicationRepository(table)
    if args.action == "create":
        api_key = secrets.token_urlsafe(32)
        repo.put_partner_key(api_key, args.partner_id, args.name)
        print(api_key)
        print("Store this key now: it is not kept and cannot be shown again.", file=sys.stderr)
        return 0
    table.delete_item(Key={"pk": f"PARTNERKEY#{hash_api_key(args.key)}", "sk": "META"})
    print("revoked", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credscore_cli.partners")
    _add_arguments(parser)
    return cmd_partners(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
