"""A fitted scorecard written by hand in the shared format (what `credscore model fit` writes), for tests."""

from __future__ import annotations

import json
from typing import Any

# Points per bin as a fitter on the PDO scale (600 at 50:1, PDO 20) would give them for three characteristics:
# they sum to the score. The Missing bin of connections costs more than its worst bin (informative missing).
FITTED: dict[str, Any] = {
    "version": "fitted-test-1",
    "scorecard": {
        "kind": "fitted",
        "scaling": {"base_score": 600.0, "base_odds": 50.0, "pdo": 20.0},
        "characteristics": {
            "connections": {
                "enabled": True,
                "direction": "ascending",
                "bins": [
                    {"upper": 50.0, "points": 180.5},
                    {"upper": 200.0, "points": 195.0},
                    {"upper": None, "points": 210.25},
                ],
                "missing_points": 170.0,
                "reference_points": 199.0,
            },
            "negative_posts": {
                "enabled": True,
                "direction": "descending",
                "bins": [
                    {"upper": 0.1, "points": 215.0},
                    {"upper": 0.3, "points": 200.0},
                    {"upper": None, "points": 185.0},
                ],
                "missing_points": 200.0,
                "reference_points": 205.0,
            },
            "skills": {
                "enabled": True,
                "direction": "none",
                "bins": [{"upper": None, "points": 190.0}],  # no spread: never a reason
                "missing_points": 190.0,
                "reference_points": 200.0,
            },
        },
        "development": {
            "n": 40000,
            "bad_rate": 0.04,
            "score_bands": [560.0, 580.0, 600.0],
            "score_shares": [0.1, 0.3, 0.4, 0.2],
            "characteristics": {
                "connections": {"bin_shares": [0.2, 0.5, 0.3], "missing_share": 0.1},
                "negative_posts": {"bin_shares": [0.5, 0.3, 0.2], "missing_share": 0.05},
            },
        },
    },
}


def fitted_text(**changes: Any) -> str:
    return json.dumps({**FITTED, **changes})
