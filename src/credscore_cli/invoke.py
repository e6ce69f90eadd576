"""`credscore invoke FUNCTION --event FILE`: one function's real handler with one event on the local stack.

Like `sam local invoke`, but on the embedded stack: the function runs in its worker with the template's
environment, memory, timeout and IAM policy (the guard refuses what its policy does not allow), against the
local S3, DynamoDB, SSM and Step Functions. The sample events are in events/, one per function.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from credscore_local.template import REPO_ROOT, load_template

EVENTS_DIR = REPO_ROOT / "events"
EXIT_OK, EXIT_FUNCTION_ERROR, EXIT_USAGE = 0, 1, 2


def function_names() -> dict[str, str]:
    """Every accepted name → logical id: the logical id itself and its code folder (`ingest`, `authorizer`)."""
    names: dict[str, str] = {}
    for logical, body in load_template()["Resources"].items():
        if body["Type"] == "AWS::Serverless::Function":
            names[logical] = logical
            names[Path(str(body["Properties"]["CodeUri"])).name] = logical
    return names


def sample_event(logical_id: str) -> Path:
    code_uri = str(load_template()["Resources"][logical_id]["Properties"]["CodeUri"])
    return EVENTS_DIR / f"{Path(code_uri).name}.json"


def register(sub: Any) -> None:
    invoke = sub.add_parser(
        "invoke",
        help="run one function with an event on the embedded local stack",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    invoke.add_argument("function", metavar="FUNCTION", help="logical id or code folder, e.g. ingest")
    invoke.add_argument(
        "--event",
        type=Path,
        metavar="FILE",
        help="the event as JSON ('-' reads stdin); default: events/<function folder>.json",
    )
    invoke.set_defaults(handler=cmd_invoke)


def cmd_invoke(args: argparse.Namespace) -> int:
    from credscore_local.stack import LocalStack

    names = function_names()
    logical = names.get(args.function)
    if logical is None:
        print(
            f"error: no function {args.function!r}; one of: {', '.join(sorted(n for n in names if n[0].islower()))}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    path = args.event or sample_event(logical)
    try:
        text = sys.stdin.read() if str(path) == "-" else Path(path).read_text(encoding="utf-8")
        event = json.loads(text)
    except (OSError, ValueError) as problem:
        print(f"error: cannot read the event {path}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    with LocalStack(serve_api=False) as stack:
        assert stack.runtime is not None
        payload, errored = stack.runtime.invoke(stack.deployed.functions[logical].name, event)
        print(
            f"{logical} ({stack.deployed.functions[logical].name}); logs in {stack.log_dir}", file=sys.stderr
        )
    print(_pretty(payload))
    return EXIT_FUNCTION_ERROR if errored else EXIT_OK


def _pretty(payload: str) -> str:
    try:
        return json.dumps(json.loads(payload), indent=2)
    except ValueError:
        return payload
