"""Write (or check) the JSON Schemas generated from the domain models into src/credscore/schemas/.

python tools/gen_schemas.py            # rewrite every schema (`make schemas`)
python tools/gen_schemas.py --check    # exit 1 and name the stale ones
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from credscore.profile import profile_json_schema
from credscore.scoring.config import config_json_schema

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO / "src" / "credscore" / "schemas"
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "profile.schema.json": profile_json_schema,
    "scoring-config.schema.json": config_json_schema,
}


def schema_text(name: str) -> str:
    """A schema file's exact content (sorted keys, so regenerating an unchanged model changes nothing)."""
    return json.dumps(SCHEMAS[name](), indent=2, sort_keys=True) + "\n"


def stale(directory: Path = SCHEMA_DIR) -> list[str]:
    """The schema files in `directory` that are missing or differ from what the models generate."""
    return [
        name
        for name in SCHEMAS
        if not (directory / name).exists()
        or (directory / name).read_text(encoding="utf-8") != schema_text(name)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/gen_schemas.py", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if a schema file is stale; write nothing"
    )
    parser.add_argument("--out-dir", type=Path, default=SCHEMA_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        names = stale(args.out_dir)
        print("stale: " + ", ".join(names) + "; run `make schemas`" if names else "schemas up to date")
        return 1 if names else 0
    for name in SCHEMAS:
        (args.out_dir / name).write_text(schema_text(name), encoding="utf-8")
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
