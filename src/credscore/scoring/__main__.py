"""`python -m credscore.scoring` rewrites schemas/scoring-config.schema.json from the models."""

import json
from pathlib import Path

from credscore.scoring.config import config_json_schema

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "scoring-config.schema.json"

if __name__ == "__main__":
    SCHEMA_PATH.write_text(
        json.dumps(config_json_schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {SCHEMA_PATH}")
