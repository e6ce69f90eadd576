"""`credscore samples`: synthetic exports to try the service with (the domain generator, credscore.synth)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from credscore_cli.exits import EXIT_OK
from credscore_cli.inputs import PLATFORMS


def register(sub: Any) -> None:
    samples = sub.add_parser("samples", help="write synthetic sample exports")
    samples.add_argument("--out", type=Path, required=True, help="folder to write <platform>.zip into")
    samples.add_argument("--seed", type=int, default=1)
    samples.add_argument("--platform", action="append", choices=PLATFORMS, help="only these (repeatable)")
    samples.set_defaults(handler=cmd_samples)


def cmd_samples(args: argparse.Namespace) -> int:
    from credscore.synth import make_export

    args.out.mkdir(parents=True, exist_ok=True)
    for index, platform in enumerate(args.platform or PLATFORMS):
        path = args.out / f"{platform}.zip"
        make_export(platform, path, seed=args.seed + index)
        print(f"{path}  ({path.stat().st_size / 1024:.0f} KiB)")
    return EXIT_OK
