"""Partner API keys: `python -m credscore_aws.partners_cli create --partner-id ID --name NAME`.

The key is printed once and stored only as its SHA-256 hash; revoke it with `revoke --key KEY`.
"""

from __future__ import annotations

import argparse
import secrets
import sys

import boto3

from credscore_aws.dal.repository import ApplicationRepository, hash_api_key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credscore_aws.partners_cli")
    parser.add_argument(
        "--table", required=True, help="the applications table (stack output ApplicationsTableName)"
    )
    parser.add_argument("--endpoint-url", help="e.g. the local stack's endpoint")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="issue a new API key for a partner")
    create.add_argument("--partner-id", required=True)
    create.add_argument("--name", required=True)
    revoke = sub.add_parser("revoke", help="revoke an API key")
    revoke.add_argument("--key", required=True)
    args = parser.parse_args(argv)

    table = boto3.resource("dynamodb", endpoint_url=args.endpoint_url).Table(args.table)
    repo = ApplicationRepository(table)
    if args.command == "create":
        api_key = secrets.token_urlsafe(32)
        repo.put_partner_key(api_key, args.partner_id, args.name)
        print(api_key)
        print("Store this key now: it is not kept and cannot be shown again.", file=sys.stderr)
        return 0
    table.delete_item(Key={"pk": f"PARTNERKEY#{hash_api_key(args.key)}", "sk": "META"})
    print("revoked", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
