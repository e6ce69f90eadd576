"""The weekly stability record: the distribution of the score and of each characteristic over the applications
scored in one ISO week (their kept model data), and the PSI of each against a baseline.

Baseline: the active configuration's `scorecard.development` sample (its score bands and each characteristic's
bins and shares). When the active configuration has none (the hand-set scorecard), the first monitored week is
the baseline: its deciles become the bins, it is recorded with no PSI, and every later week is compared with it
(the record says which baseline was used).

Records: pk MONITOR / sk WEEK#<yyyy-Www> in the applications table (aggregates only, no application ids).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

from credscore.monitoring import (
    distribution,
    expected_shares,
    previous_week,
    psi,
    quantile_edges,
    stability,
)
from credscore.scoring.config import FeatureId, canonical_json
from credscore_aws.logic.outcomes import MODEL_SK
from credscore_aws.logic.scoring import config_store
from credscore_aws.models.states import MonitorOutput, ScheduledEvent
from credscore_aws.runtime import repository

MONITOR_PK = "MONITOR"
# WEEK records are kept for good, beyond every application's retention and erasure: fewer applications than this
# (or present values of a characteristic, for the first week's deciles, each of which is one applicant's exact
# value) would describe individuals, and are too few for a PSI to mean anything anyway.
MIN_WEEK_APPLICATIONS = 20


def week_items(table: Any, start: int, end: int) -> Iterator[dict[str, Any]]:
    """Live MODEL items scored in [start, end) (Unix seconds)."""
    kwargs: dict[str, Any] = {
        "FilterExpression": "sk = :m AND scored_at >= :a AND scored_at < :b "
        "AND (attribute_not_exists(expires_at) OR expires_at >= :now)",
        "ExpressionAttributeValues": {":m": MODEL_SK, ":a": start, ":b": end, ":now": int(time.time())},
    }
    while True:
        page = table.scan(**kwargs)
        for item in page.get("Items", []):
            yield {
                "features": json.loads(item["features"]),
                "score": json.loads(item["score"]) if item.get("score") else None,
            }
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def development_baseline(config: Mapping[str, Any]) -> dict[str, Any] | None:
    """{"score": (edges, shares), "characteristics": {id: (edges, shares incl. missing)}} from the configuration's
    development sample, or None when it has none."""
    scorecard = config.get("scorecard") or {}
    development = scorecard.get("development")
    if not development or not development.get("score_bands"):
        return None
    characteristics = {}
    for name, shares in (development.get("characteristics") or {}).items():
        bins = ((scorecard.get("characteristics") or {}).get(name) or {}).get("bins") or []
        edges = [float(b["upper"]) for b in bins if b.get("upper") is not None]
        if len(shares.get("bin_shares") or []) != len(edges) + 1:
            continue  # categorical or inconsistent bins: not comparable here
        characteristics[name] = (edges, expected_shares(shares["bin_shares"], shares.get("missing_share")))
    score_shares = [float(s) for s in development["score_shares"]]
    return {
        "score": ([float(e) for e in development["score_bands"]], [*score_shares, 0.0]),
        "characteristics": characteristics,
    }


def _first_week(table: Any) -> dict[str, Any] | None:
    """The first week recorded with its distributions (a week of too few applications has none)."""
    return next((w for w in weeks(table) if w["baseline"]["kind"] != "too_few"), None)


def _decile_edges(values: list[float | None]) -> list[float]:
    """The first week's bins: its deciles, only from enough present values (each edge is one of them)."""
    present = [v for v in values if v is not None]
    return quantile_edges(values) if len(present) >= MIN_WEEK_APPLICATIONS else []


def _entry(values: list[float | None], edges: list[float], expected: list[float] | None) -> dict[str, Any]:
    dist = distribution(values, edges)
    entry: dict[str, Any] = {**dist.as_dict(), "shares": dist.shares()}
    if expected is not None and dist.n:
        value = psi(expected, dist.shares())
        entry.update(psi=value, reading=stability(value), expected_shares=expected)
    else:
        entry["psi"] = None
    return entry


def record_week(
    table: Any, config: Mapping[str, Any], parameter_version: int, now: dt.datetime
) -> dict[str, Any]:
    """Record the ISO week before `now` under the active configuration `config` (its JSON document)."""
    start, end, label = previous_week(now)
    items = list(week_items(table, int(start.timestamp()), int(end.timestamp())))
    scores: list[float | None] = [i["score"] for i in items]
    values = {f.value: [i["features"].get(f.value) for i in items] for f in FeatureId}
    development = development_baseline(config)
    characteristics: dict[str, Any] = {}
    baseline: dict[str, Any]
    score_entry: dict[str, Any]
    if len(items) < MIN_WEEK_APPLICATIONS:
        baseline = {
            "kind": "too_few",
            "note": f"fewer than {MIN_WEEK_APPLICATIONS} applications with kept model data: only their number is "
            "recorded (a distribution would describe individuals, and a PSI of so few means nothing)",
        }
        score_entry = {"psi": None}
    elif development is not None:
        baseline = {"kind": "development", "note": "the active model's development sample"}
        edges, expected = development["score"]
        score_entry = _entry(scores, edges, expected)
        for name, (char_edges, char_expected) in development["characteristics"].items():
            characteristics[name] = _entry(values.get(name, []), char_edges, char_expected)
    else:
        first = _first_week(table)
        if first is None or first["week"] == label:
            baseline = {
                "kind": "first_week",
                "week": label,
                "note": "the active configuration has no development sample: this first monitored week is the "
                "baseline (its deciles are the bins); later weeks are compared with it",
            }
            score_entry = _entry(scores, _decile_edges(scores), None)
            for name, column in values.items():
                characteristics[name] = _entry(column, _decile_edges(column), None)
        else:
            baseline = {
                "kind": "first_week",
                "week": first["week"],
                "note": "the active configuration has no development sample: compared with the first monitored "
                "week",
            }
            score_entry = _entry(scores, first["score"]["edges"], first["score"]["shares"])
            for name, column in values.items():
                base = first["characteristics"].get(name)
                if base:
                    characteristics[name] = _entry(column, base["edges"], base["shares"])
    char_psis = {k: v["psi"] for k, v in characteristics.items() if v.get("psi") is not None}
    document = {
        "week": label,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "applications": len(items),
        "config_version": config.get("version"),
        "config_parameter_version": parameter_version,
        "baseline": baseline,
        "score": score_entry,
        "characteristics": characteristics,
        "max_characteristic_psi": max(char_psis.values()) if char_psis else None,
        "max_characteristic": max(char_psis, key=lambda k: char_psis[k]) if char_psis else None,
        "recorded_at": int(time.time()),
    }
    table.put_item(Item={"pk": MONITOR_PK, "sk": f"WEEK#{label}", "doc": json.dumps(document)})
    return document


def event_time(event: ScheduledEvent) -> dt.datetime:
    # A scheduled event carries its time ("2026-11-30T03:00:00Z"); a manual run may pass one to redo a week.
    text = event.time or ""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else dt.datetime.now(dt.UTC)


def monitor_week(event: ScheduledEvent) -> MonitorOutput:
    """The week before the event's time recorded under the configuration in force now; its summary returned."""
    loaded = config_store().load_fresh()
    config = json.loads(canonical_json(loaded.config))
    document = record_week(repository().table, config, loaded.parameter_version, event_time(event))
    return MonitorOutput(
        week=document["week"],
        applications=document["applications"],
        baseline=document["baseline"]["kind"],
        score_psi=document["score"].get("psi"),
        max_characteristic_psi=document["max_characteristic_psi"],
        max_characteristic=document["max_characteristic"],
    )


def weeks(table: Any) -> list[dict[str, Any]]:
    """Every weekly record, oldest first."""
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :w)",
        "ExpressionAttributeValues": {":p": MONITOR_PK, ":w": "WEEK#"},
    }
    out = []
    while True:
        page = table.query(**kwargs)
        out += [json.loads(i["doc"]) for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
