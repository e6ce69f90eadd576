"""python -m credscore.synth --platform P --out F [--seed N] [--layout L] [--KNOB VALUE ...]"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from credscore.synth import PLATFORMS, make_export


def _knob_value(text: str) -> Any:
    if text.lower() in {"none", "null"}:
        return None
    if text.lower() in {"true", "false"}:
        return text.lower() == "true"
    try:
        return int(text)
    except ValueError:
        return text


def parse_knobs(extra: list[str]) -> dict[str, Any]:
    """'--posts 40 --birth-year 1991' → {'posts': 40, 'birth_year': 1991}."""
    knobs: dict[str, Any] = {}
    if len(extra) % 2:
        raise ValueError("knobs come in pairs: --name value")
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        if not flag.startswith("--"):
            raise ValueError(f"expected --knob, got {flag!r}")
        knobs[flag[2:].replace("-", "_")] = _knob_value(value)
    return knobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credscore.synth", description=__doc__)
    parser.add_argument("--platform", required=True, choices=PLATFORMS)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layout")
    args, extra = parser.parse_known_args(argv)
    try:
        knobs = parse_knobs(extra)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        make_export(args.platform, args.out, seed=args.seed, layout=args.layout, **knobs)
    except ValueError as exc:  # a misspelt knob or unknown layout
        parser.error(str(exc))
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
