"""`credscore weights`: administer the scoring configuration in Parameter Store.

    credscore weights show
    credscore weights validate FILE      (no AWS access needed)
    credscore weights set FILE           (validated before it is written)
    credscore weights history
    credscore weights diff V1 V2
    credscore weights rollback V         (writes version V's content as a new version)

`python -m credscore_cli.weights ACTION …` is the same without `--local`. Options (before or after the
action): --parameter-name (default: $CREDSCORE_CONFIG_PARAM, else the single parameter named
*/scoring-config, else /credscore/dev/scoring-config), --endpoint-url (a local stack), --region; before the
action, --local (the stack of a running `credscore serve`, else a temporary one). Exit codes: 0 ok,
2 invalid configuration (or usage), 1 any other error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from credscore.scoring.config import InvalidConfig, ScoringConfig, canonical_json, parse_config
from credscore_aws.dal.config_store import SCORER_CACHE_SECONDS, ConfigStore, ConfigUnavailable
from credscore_cli.endpoints import client_options
from credscore_cli.exits import EXIT_USAGE
from credscore_cli.local import local_partner, running_local_endpoints

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


def _add_actions(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
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


def build_parser() -> argparse.ArgumentParser:
    """The stand-alone parser of `python -m credscore_cli.weights`."""
    parser = argparse.ArgumentParser(
        prog="python -m credscore_cli.weights",
        description="Show, validate, change and roll back the scoring configuration.",
        parents=[_options(defaults=True)],
    )
    _add_actions(parser)
    return parser


def register(sub: Any) -> None:
    """`credscore weights …`: the same actions, plus --local."""
    weights = sub.add_parser(
        "weights",
        parents=[_options(defaults=True)],
        help="scoring configuration: show|set|validate|history|diff|rollback",
    )
    weights.add_argument(
        "--local",
        action="store_true",
        help="on the local stack of a running `credscore serve` (else a temporary one)",
    )
    _add_actions(weights)
    weights.set_defaults(handler=cmd_weights)


def cmd_weights(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    if not args.local:
        return run_reporting(args, out, err)
    if args.endpoint_url:
        err.write("error: give either --local or --endpoint-url\n")
        return EXIT_USAGE
    serves = running_local_endpoints()
    if serves:
        from credscore_local.deployment import FAKE_CREDENTIALS

        running = serves[0]
        others = (
            f" (the newest of {len(serves)} running; --endpoint-url picks another)" if len(serves) > 1 else ""
        )
        err.write(f"Using the local stack of `credscore serve` at {running['endpoint']}{others}\n")
        for key, value in FAKE_CREDENTIALS.items():  # moto's; real credentials must not reach a local stack
            os.environ[key] = value
        args.endpoint_url = running["endpoint"]
        return run_reporting(args, out, err)
    err.write("No `credscore serve` is running: starting a temporary local stack (changes end with it)…\n")
    with local_partner() as (stack, _key):
        args.endpoint_url = stack.endpoint
        return run_reporting(args, out, err)


def _store(args: argparse.Namespace) -> ConfigStore:
    import boto3

    ssm = boto3.client("ssm", **client_options(args.endpoint_url, args.region))
    name = args.parameter_name
    if not name:
        found = _discover(ssm)
        if len(found) > 1:  # one per stage in this account: writing to a guess could change the wrong stage
            raise ConfigUnavailable(
                f"several scoring configurations here ({', '.join(sorted(found))}): name one with "
                f"--parameter-name or ${ENV_PARAMETER}"
            )
        name = found[0] if found else DEFAULT_PARAMETER
    return ConfigStore(ssm, name, ttl_seconds=0)


def _discover(ssm: Any) -> list[str]:
    """Parameters whose name ends in /scoring-config (a local stack has one); none when they cannot be listed."""
    try:
        return [
            p["Name"]
            for page in ssm.get_paginator("describe_parameters").paginate()
            for p in page["Parameters"]
            if p["Name"].endswith("/scoring-config")
        ]
    except ssm.exceptions.ClientError:  # e.g. no ssm:DescribeParameters permission: use the default name
        return []


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
        if not store.exists():  # the stack creates it: a typo or a wrong stage would create a stray one
            err.write(
                f"error: {store.parameter_name} does not exist: deploy the stack (it creates the parameter) or "
                f"name the right one with --parameter-name\n"
            )
            return EXIT_ERROR
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


def run_reporting(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """run(), with failures told in one line: no traceback dumped on an administrator."""
    try:
        return run(args, out, err)
    except (ConfigUnavailable, OSError) as exc:
        err.write(f"error: {exc}\n")
        return EXIT_ERROR
    except Exception as exc:  # boto errors
        err.write(f"error: {type(exc).__name__}: {exc}\n")
        return EXIT_ERROR


def main(argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage
        return EXIT_OK if exc.code == 0 else EXIT_ERROR
    return run_reporting(args, out, err)


if __name__ == "__main__":
    sys.exit(main())
