"""python -m credscore_cli.synth --platform P --out F [--seed N] [--layout L] [--KNOB VALUE ...]"""

from __future__ import annotations

import argparse
import sys

from credscore.synth import PLATFORMS, make_export, parse_knobs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m credscore_cli.synth", description=__doc__)
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
