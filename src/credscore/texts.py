"""Words for people: one catalogue (`data/texts.json`) of feature labels, reason texts, source explanations,
stages and safe error messages, keyed by the codes the API keeps. The CLI, the printable report and the
applicant's API view read it here; the web pages read the same file as `/texts.json`.

Every error a person may see goes through `safe_error`: a known code gets its plain message, anything else (an
AWS error name such as `ParameterNotFound`, a Python exception text) becomes `internal_error` with a generic
message, so no internal detail reaches an applicant.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

INTERNAL_ERROR = "internal_error"

# Internal failure codes (Step Functions error names, exception class names) → the public code shown.
_INTERNAL_TO_PUBLIC = {
    "no_upload": "no_upload",
    "NoUsableSource": "no_usable_source",
    "RateLimited": "rate_limited",
    # The state machine catches it (X is then recorded as not analysed); this is for an execution that ran an
    # older definition.
    "XUnreachable": "temporary_failure",
    "TransientError": "temporary_failure",
    "States.Timeout": "timed_out",
    "States.TaskFailed": "temporary_failure",
}

# What reading a missing Parameter Store value fails with (boto3's name, and powertools' wrapper around it).
_SETTING_MISSING = {"ParameterNotFound", "GetParameterError"}


@cache
def catalogue() -> dict[str, Any]:
    text = resources.files("credscore").joinpath("data/texts.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def catalogue_json() -> bytes:
    """The catalogue as the web pages fetch it."""
    return resources.files("credscore").joinpath("data/texts.json").read_bytes()


def feature_label(feature: str) -> str:
    entry = catalogue()["features"].get(feature)
    return str(entry["label"]) if entry else feature.replace("_", " ").capitalize()


def feature_about(feature: str) -> str:
    entry = catalogue()["features"].get(feature)
    return str(entry["about"]) if entry else ""


def reason_text(code: str, fallback: str = "") -> str:
    return str(catalogue()["reasons"].get(code) or fallback or code.replace("_", " "))


def source_status(status: str) -> str:
    return str(catalogue()["source_statuses"].get(status, status))


def source_reason(code: str | None, fallback: str | None = None) -> str | None:
    if not code:
        return fallback
    return str(catalogue()["source_reasons"].get(code) or fallback or code.replace("_", " "))


def warnings_explained(count: int) -> str | None:
    """What "(n warnings)" after a parsed source means, in plain words; None when there are none."""
    if count <= 0:
        return None
    return str(catalogue()["source_warnings"])


def source_line(platform: str, status: str, warnings: int = 0, reason_code: str | None = None) -> str:
    """One source for a person: "instagram: read (1 file left out: some files … were left out …)"."""
    words = f"{platform}: {source_status(status)}"
    reason = source_reason(reason_code)
    if reason and status != "parsed":
        words += f" — {reason}"
    if warnings > 0:
        words += f" ({warnings} file{'s' if warnings != 1 else ''} left out). {warnings_explained(warnings)}"
    return words


def stage_text(stage: str) -> str:
    return str(catalogue()["stages"].get(stage, stage))


def safe_error(code: str | None, x_handle_requested: bool = False) -> dict[str, str]:
    """{"code", "message"} safe to show a person, for an internal failure code (never its raw message)."""
    raw = str(code or "")
    if raw in _SETTING_MISSING and x_handle_requested:
        public = "x_fetch_unavailable"  # the X API token is not configured on this deployment
    else:
        public = _INTERNAL_TO_PUBLIC.get(raw) or (raw if raw in catalogue()["errors"] else INTERNAL_ERROR)
    return {"code": public, "message": str(catalogue()["errors"][public])}


def error_message(code: str) -> str:
    return str(catalogue()["errors"].get(code) or catalogue()["errors"][INTERNAL_ERROR])
