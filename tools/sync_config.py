"""Copy the default scoring configuration into template.yaml's ScoringConfigParameter (one JSON line).

The JSON file in src/credscore/data/ is the source; a test fails when the template's copy differs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO / "src" / "credscore" / "data" / "default-scoring-config.json"
TEMPLATE = REPO / "template.yaml"
_VALUE = re.compile(r"(  ScoringConfigParameter:\n(?:    .*\n)*?      Value: ).*\n")


def compact_default() -> str:
    return json.dumps(json.loads(DEFAULT.read_text(encoding="utf-8")), separators=(",", ":"), sort_keys=True)


def synced_template(text: str) -> str:
    value = compact_default().replace("'", "''")
    new, count = _VALUE.subn(lambda m: m.group(1) + f"'{value}'\n", text)
    if count != 1:
        raise SystemExit("could not find ScoringConfigParameter.Value in template.yaml")
    return new


if __name__ == "__main__":
    TEMPLATE.write_text(synced_template(TEMPLATE.read_text(encoding="utf-8")), encoding="utf-8")
    print("template.yaml now carries the default scoring configuration")
