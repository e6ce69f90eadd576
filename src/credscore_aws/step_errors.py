"""Reading the errors Step Functions hands to a Catch: {"Error": name, "Cause": text, often Lambda's JSON}."""

from __future__ import annotations

import json
from typing import Any


def cause_message(cause: Any, limit: int) -> str:
    """The readable part of a Catch `Cause`: Lambda's errorMessage when the cause is its JSON error."""
    text = str(cause or "")
    try:
        parsed = json.loads(text)
    except ValueError:
        return text[:limit]
    if isinstance(parsed, dict):
        text = str(parsed.get("errorMessage") or parsed.get("Cause") or text)
    return text[:limit]
