"""Write the partner API's OpenAPI document (generated from the handler's routes and models) to docs/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "openapi.json"


def generate() -> str:
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    sys.path.insert(0, str(REPO / "functions" / "api"))
    import app  # type: ignore[import-not-found]

    from credscore_aws.models.api import OPENAPI_INFO

    return str(app.app.get_openapi_json_schema(**OPENAPI_INFO))


if __name__ == "__main__":
    OUT.write_text(generate() + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")
