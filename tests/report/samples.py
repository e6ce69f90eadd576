"""Hand-made application and result with the fields the API and the scorer produce (shared with tests/cli)."""

from __future__ import annotations

from typing import Any


def sample_result() -> dict[str, Any]:
    return {
        "breakdown": [
            {
                "feature": "connections",
                "priority": "high",
                "weight": 20,
                "value": 420,
                "points": 15.5,
                "points_below_max": 4.5,
                "has_evidence": True,
                "enabled": True,
                "evidence": ["linkedin/Connections.csv"],
                "notes": ["420 connections counted"],
            },
            {
                "feature": "sentiment",
                "priority": "medium",
                "weight": 10,
                "value": 0.31,
                "points": 6.2,
                "points_below_max": 3.8,
                "has_evidence": True,
                "enabled": True,
            },
            {
                "feature": "negative_groups",
                "priority": "low",
                "weight": 5,
                "value": None,
                "points": 0,
                "points_below_max": 0,
                "has_evidence": False,
                "enabled": True,
            },
            {
                "feature": "age",
                "priority": "high",
                "weight": 10,
                "value": 34,
                "points": 0,
                "points_below_max": 0,
                "has_evidence": True,
                "enabled": False,
            },
        ],
        "total_points": 21.7,
        "max_possible": 30.0,
        "max_configured": 35.0,
        "normalised_score": 612.0,
        "normalised_range": {"min": 300, "max": 900},
        "reasons": [
            {
                "code": "FEW_CONNECTIONS",
                "text": "Fewer professional connections than typical",
                "feature": "connections",
                "points_below_max": 4.5,
            },
            {
                "code": "MIXED_SENTIMENT",
                "text": "Posts are mixed in tone",
                "feature": "sentiment",
                "points_below_max": 3.8,
            },
        ],
        "coverage": {"ratio": 0.667, "missing": ["negative_groups"]},
        "eligibility": {"eligible": True, "reason": None},
        "config_parameter_version": 3,
        "config_version": "2026-11-a",
        "code_version": "0.1.0+abc123",
        "analysis_failures": [{"analysis": "profanity", "error": "ModelCrashed"}],
        "sources": [{"platform": "linkedin", "status": "parsed"}],
    }


def sample_application() -> dict[str, Any]:
    return {
        "application_id": "0123456789abcdef0123456789abcdef",
        "status": "scored",
        "reference": "loan-42",
        "created_at": 1_780_000_000,
        "updated_at": 1_780_000_030,
        "sources": [
            {"platform": "linkedin", "status": "parsed", "reason_code": None, "reason": None, "warnings": 0},
            {
                "platform": "facebook",
                "status": "rejected",
                "reason_code": "NOT_A_ZIP",
                "reason": "the file is not a zip archive",
                "warnings": 1,
            },
        ],
    }
