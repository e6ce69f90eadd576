"""`credscore` command line: score, serve, weights, partners, samples, model, invoke.

Each command group lives in its own module with a `register(sub)` that adds its parser; this module only
assembles them. Exit codes (credscore_cli.exits): 0 done; 1 the work failed (application failed, API error,
timeout); 2 bad input (usage, missing file, unknown platform, nothing to score); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.markup import escape

from credscore import __version__
from credscore_cli import invoke, model_cmd, partners, samples, score, serve, weights
from credscore_cli.exits import EXIT_INTERRUPTED, EXIT_USAGE
from credscore_cli.inputs import InputError
from credscore_cli.model_ops import register_model_ops


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="credscore", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--version", action="version", version=f"credscore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    score.register(sub)
    serve.register(sub)
    weights.register(sub)
    partners.register(sub)
    # `credscore model …`: one group; model_cmd adds `fit`, model_ops export, candidate, compare, promote…
    register_model_ops(model_cmd.register(sub))
    samples.register(sub)
    invoke.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0)
    try:
        return int(args.handler(args))
    except InputError as problem:
        Console(stderr=True, soft_wrap=True).print(
            f"[red]error:[/red] {escape(str(problem))}", highlight=False
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        Console(stderr=True, soft_wrap=True).print("Interrupted.")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
