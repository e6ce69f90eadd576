"""Administer the scoring configuration in Parameter Store.

    python -m credscore_aws.admin_cli show
    python -m credscore_aws.admin_cli validate FILE      (no AWS access needed)
    python -m credscore_aws.admin_cli set FILE           (validated before it is written)
    python -m credscore_aws.admin_cli history
    python -m credscore_aws.admin_cli diff V1 V2
    python -m credscore_aws.admin_cli rollback V         (writes version V's content as a new version)

Options (before or after the action): --parameter-name (default: $CREDSCORE_CONFIG_PARAM, else the single
parameter named */scoring-config, else /credscore/dev/scoring-config),
--endpoint-url (a local stack), --region. Exit codes: 0 ok, 2 invalid configuration, 1 any other error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from credscore.scoring.config import InvalidConfig, ScoringConfig, canonical_json, parse_config
from credscore_aws.dal.config_store import SCORER_CACHE_SECONDS, ConfigStore, ConfigUnavailable
from credscore_aws.endpoints import client_options

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2
ENV_PARAMETER = "CREDSCORE_CONFIG_PARAM"
DEFAULT_PARAMETER = "/credscore/dev/scoring-config"


def _options(defaults: bool) -> argparse.ArgumentParser:
    # Given twice (top level and each action) so options work before or after the action; the actions'
    # copies default to SUPPRESS so they never overwrite a value given at the top level.
    common = argparse.ArgumentParser(add_help=False)
    default = (lambda v: v) if defaults else (lambda v: argparse.SUPPRESS)
    common.add_argument(
        "--parameter-name",
        default=default(os.environ.get(ENV_PARAMETER)),
        help=f"SSM parameter holding the configuration (default: ${ENV_PARAMETER}, else the one parameter "
        f"named */scoring-config, else {DEFAULT_PARAMETER})",
    )
    common.add_argument("--endpoint-url", default=default(None), help="AWS endpoint, e.g. a local stack")
    common.add_argument("--region", default=default(None), help="AWS region (default: from the environment)")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m credscore_aws.admin_cli",
        description="Show, validate, change and roll back the scoring configuration.",
        parents=[_options(defaults=True)],
    )
    actions = parser.add_subparsers(dest="action", required=True)
    late = _options(defaults=False)
    show = actions.add_parser(
        "show", parents=[late], help="the configuration in force and its parameter version"
    )
    show.add_argument(
        "--json",
        action="store_true",
        help="print only the configuration's JSON (what `set` takes back); the version line goes to stderr",
    )
    validate = actions.add_parser("validate", parents=[late], help="check a file without writing it")
    validate.add_argument("file", type=Path)
    put = actions.add_parser("set", parents=[late], help="validate a file and store it as a new version")
    put.add_argument("file", type=Path)
    actions.add_parser("history", parents=[late], help="every stored version, with whether it is valid")
    diff = actions.add_parser("diff", parents=[late], help="differences between two versions")
    diff.add_argument("v1", type=int)
    diff.add_argument("v2", type=int)
    rollback = actions.add_parser(
        "rollback", parents=[late], help="write an earlier version again as the newest"
    )
    rollback.add_argument("version", type=int)
    return parser


def _store(args: argparse.Namespace) -> ConfigStore:
    import boto3

    ssm = boto3.client("ssm", **client_options(args.endpoint_url, args.region))
    name = args.parameter_name or _discover(ssm) or DEFAULT_PARAMETER
    return ConfigStore(ssm, name, ttl_seconds=0)


def _discover(ssm: Any) -> str | None:
    """Without a name, use the one parameter whose name ends in /scoring-config (as on a local stack)."""
    try:
        names = [
            p["Name"]
            for page in ssm.get_paginator("describe_parameters").paginate()
            for p in page["Parameters"]
            if p["Name"].endswith("/scoring-config")
        ]
    except ssm.exceptions.ClientError:  # e.g. no ssm:DescribeParameters permission: use the default name
        return None
    return names[0] if len(names) == 1 else None


def _describe(config: ScoringConfig) -> str:
    enabled = ", ".join(f.value for f in config.enabled_features())
    return f"label {config.version!r}; {config.scorecard.kind} scorecard; enabled: {enabled}"


def _invalid(err: TextIO, exc: InvalidConfig, what: str) -> int:
    err.write(f"{what} is not a valid scoring configuration:\n")
    for problem in exc.problems:
        err.write(f"  - {problem}\n")
    return EXIT_INVALID


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.action == "validate":
        try:
            config = parse_config(args.file.read_text(encoding="utf-8"))
        except InvalidConfig as exc:
            return _invalid(err, exc, str(args.file))
        out.write(f"{args.file}: valid ({_describe(config)})\n")
        return EXIT_OK

    store = _store(args)
    if args.action == "show":
        loaded = store.load()
        if loaded.fallback_used:
            err.write(f"warning: {loaded.error}\n")
            err.write(f"warning: the last good version {loaded.parameter_version} stays in force\n")
        (err if args.json else out).write(
            f"{store.parameter_name} version {loaded.parameter_version} in force: "
            f"{_describe(loaded.config)}\n"
        )
        out.write(canonical_json(loaded.config, indent=2) + "\n")
    elif args.action == "set":
        try:
            version = store.set(args.file.read_text(encoding="utf-8"))
        except InvalidConfig as exc:
            return _invalid(err, exc, str(args.file))
        out.write(f"stored {args.file} as {store.parameter_name} version {version}\n")
        out.write(
            f"new scores use it within {SCORER_CACHE_SECONDS:g} s (each warm score function's cached copy "
            "expires); `rescore` reads it at once\n"
        )
    elif args.action == "history":
        for v in store.history():
            when = v.last_modified.isoformat(timespec="seconds") if v.last_modified else "?"
            state = f"label {v.label!r}" if v.valid else f"INVALID ({len(v.problems)} problem(s))"
            out.write(f"{v.version:>5}  {when}  {v.modified_by or '?'}  {state}\n")
    elif args.action == "diff":
        text = store.diff(args.v1, args.v2)
        out.write(text or f"versions {args.v1} and {args.v2} have the same content\n")
    elif args.action == "rollback":
        try:
            version = store.rollback(args.version)
        except InvalidConfig as exc:
            return _invalid(err, exc, f"version {args.version}")
        out.write(f"version {args.version} written again as {store.parameter_name} version {version}\n")
    return EXIT_OK


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage
        return EXIT_OK if exc.code == 0 else EXIT_ERROR
    try:
        return run(args, out, err)
    except (ConfigUnavailable, OSError) as exc:
        err.write(f"error: {exc}\n")
        return EXIT_ERROR
    except Exception as exc:  # boto errors: report, don't dump a traceback on an administrator
        err.write(f"error: {type(exc).__name__}: {exc}\n")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
