"""The fitted configuration document, and its check against the shared scorecard format.

`config_text(...)` is what `credscore model fit` writes and what pushing a new (inactive) Parameter Store
version needs. `validate_config(text)` is the one place that decides whether a document is acceptable: it runs
this module's check of the shared format and `credscore.scoring.config.parse_config`, the scorer's own models.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

from credscore.scoring.config import FeatureId

DIRECTIONS = ("ascending", "descending", "none")
KINDS = ("fitted", "handset")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def scorecard_problems(section: Any) -> list[str]:
    """Every way `section` departs from the shared `"scorecard"` format, as 'path: what is wrong'."""
    if not isinstance(section, dict):
        return ["scorecard: must be an object"]
    problems = []
    if section.get("kind") not in KINDS:
        problems.append(f"scorecard.kind: must be one of {', '.join(KINDS)}")
    scaling = section.get("scaling")
    if not isinstance(scaling, dict) or set(scaling) != {"base_score", "base_odds", "pdo"}:
        problems.append("scorecard.scaling: needs exactly base_score, base_odds, pdo")
    else:
        if not all(_number(scaling[k]) for k in scaling):
            problems.append("scorecard.scaling: values must be finite numbers")
        elif scaling["base_odds"] <= 0 or scaling["pdo"] <= 0:
            problems.append("scorecard.scaling: base_odds and pdo must be positive")
    chars = section.get("characteristics")
    known = {f.value for f in FeatureId}
    if not isinstance(chars, dict) or not chars:
        problems.append("scorecard.characteristics: must be a non-empty object")
        chars = {}
    for name, c in chars.items():
        where = f"scorecard.characteristics.{name}"
        if name not in known:
            problems.append(f"{where}: not a characteristic (FeatureId)")
        if not isinstance(c, dict):
            problems.append(f"{where}: must be an object")
            continue
        extra = set(c) - {"enabled", "direction", "bins", "missing_points", "reference_points"}
        if extra:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        if not isinstance(c.get("enabled"), bool):
            problems.append(f"{where}.enabled: must be true or false")
        if c.get("direction") not in DIRECTIONS:
            problems.append(f"{where}.direction: must be one of {', '.join(DIRECTIONS)}")
        for key in ("missing_points", "reference_points"):
            if not _number(c.get(key)):
                problems.append(f"{where}.{key}: must be a finite number")
        problems += _bin_problems(where, c.get("bins"), c.get("direction"))
    dev = section.get("development")
    if dev is not None:
        problems += _development_problems(dev, chars)
    return problems


def _bin_problems(where: str, bins: Any, direction: Any) -> list[str]:
    if not isinstance(bins, list) or not bins:
        return [f"{where}.bins: must be a non-empty list"]
    problems = []
    uppers = []
    for i, b in enumerate(bins):
        if not isinstance(b, dict) or set(b) != {"upper", "points"}:
            problems.append(f"{where}.bins.{i}: needs exactly upper and points")
            continue
        if not _number(b["points"]):
            problems.append(f"{where}.bins.{i}.points: must be a finite number")
        last = i == len(bins) - 1
        if last and b["upper"] is not None:
            problems.append(f"{where}.bins.{i}.upper: the last bin's upper must be null")
        elif not last and not _number(b["upper"]):
            problems.append(f"{where}.bins.{i}.upper: must be a finite number")
        elif not last:
            uppers.append(b["upper"])
    if any(b >= a for a, b in zip(uppers[1:], uppers, strict=False)):
        problems.append(f"{where}.bins: uppers must increase strictly")
    points = [b["points"] for b in bins if isinstance(b, dict) and _number(b.get("points"))]
    if len(points) == len(bins) > 1 and direction in ("ascending", "descending"):
        steps = [b - a for a, b in itertools.pairwise(points)]
        if (direction == "ascending" and min(steps) < 0) or (direction == "descending" and max(steps) > 0):
            problems.append(f"{where}.bins: points are not {direction}")
    return problems


def _development_problems(dev: Any, chars: dict[str, Any]) -> list[str]:
    if not isinstance(dev, dict):
        return ["scorecard.development: must be an object"]
    problems = []
    if not (isinstance(dev.get("n"), int) and dev["n"] > 0):
        problems.append("scorecard.development.n: must be a positive integer")
    if not (_number(dev.get("bad_rate")) and 0 <= dev["bad_rate"] <= 1):
        problems.append("scorecard.development.bad_rate: must lie in [0, 1]")
    bands, band_shares = dev.get("score_bands"), dev.get("score_shares")
    if not isinstance(bands, list) or not all(_number(b) for b in bands):
        problems.append("scorecard.development.score_bands: must be a list of numbers")
    elif any(b >= a for a, b in zip(bands[1:], bands, strict=False)):
        problems.append("scorecard.development.score_bands: must increase strictly")
    elif not isinstance(band_shares, list) or len(band_shares) != len(bands) + 1:
        problems.append("scorecard.development.score_shares: needs len(score_bands) + 1 shares")
    elif abs(sum(band_shares) - 1) > 1e-3:
        problems.append("scorecard.development.score_shares: must add up to 1")
    for name, d in (dev.get("characteristics") or {}).items():
        where = f"scorecard.development.characteristics.{name}"
        bins = (chars.get(name) or {}).get("bins")
        if not isinstance(d, dict) or not isinstance(d.get("bin_shares"), list):
            problems.append(f"{where}: needs bin_shares and missing_share")
            continue
        if isinstance(bins, list) and len(d["bin_shares"]) != len(bins):
            problems.append(f"{where}.bin_shares: one share per bin of the characteristic")
        if not _number(d.get("missing_share")):
            problems.append(f"{where}.missing_share: must be a number")
    return problems


def config_document(scorecard: dict[str, Any], version: str, base_text: str | None = None) -> dict[str, Any]:
    """A whole scoring configuration: the base (the shipped defaults) with this version label and scorecard."""
    from credscore.scoring.config import default_config_text

    document: dict[str, Any] = json.loads(base_text if base_text is not None else default_config_text())
    document["version"] = version
    document["scorecard"] = scorecard
    return document


def config_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


class InvalidFittedConfig(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid fitted configuration:\n" + "\n".join(f"  - {p}" for p in problems))


def validate_config(text: str) -> dict[str, Any]:
    """Check a fitted configuration document; raise `InvalidFittedConfig` listing every problem."""
    document = json.loads(text)
    problems = (
        [] if isinstance(document.get("version"), str) and document["version"] else ["version: required"]
    )
    problems += scorecard_problems(document.get("scorecard"))
    if problems:
        raise InvalidFittedConfig(problems)
    from credscore.scoring.config import parse_config

    parse_config(text)  # the scorer's own models: what the Score Lambda will accept (raises InvalidConfig)
    return dict(document)
