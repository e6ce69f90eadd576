"""Candidate scoring configurations: stored in Parameter Store beside the active one, never read by scoring.

The active configuration is `/credscore/<stage>/scoring-config` (the Score and API functions read only that one);
a candidate is `/credscore/<stage>/scoring-candidates/<label>`, where <label> is the configuration's own
`version`. A separate parameter per candidate (rather than a label on a version of the active parameter) keeps
the active parameter's history a record of what was really in force, lets several candidates wait side by side,
and lets IAM give the scoring functions no access to candidates at all. `credscore model compare` shadow-scores
a candidate; `credscore model promote` writes its content as a new version of the active parameter (so the admin
CLI's `rollback` undoes a promotion).
"""

from __future__ import annotations

import re
from typing import Any

from credscore.scoring.config import ScoringConfig, canonical_json, parse_config

LABEL = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class CandidateNotFound(LookupError):
    pass


def candidates_prefix(active_parameter: str) -> str:
    """`/credscore/dev/scoring-config` → `/credscore/dev/scoring-candidates/`."""
    base = active_parameter.rsplit("/", 1)[0]
    return f"{base}/scoring-candidates/"


def check_label(label: str) -> str:
    if not LABEL.fullmatch(label):  # match() with "$" let a final newline through
        raise ValueError(
            f"candidate label {label!r}: use 1-64 letters, digits, '.', '_' or '-' (it names a parameter)"
        )
    return label


class CandidateStore:
    def __init__(self, ssm_client: Any, active_parameter: str) -> None:
        self._ssm = ssm_client
        self.prefix = candidates_prefix(active_parameter)

    def name_of(self, label: str) -> str:
        return self.prefix + check_label(label)

    def put(self, config_text: str) -> tuple[str, ScoringConfig]:
        """Validate and store a candidate under its own `version` label (replacing an earlier candidate of the
        same label); returns the parameter name. Raises InvalidConfig and writes nothing when invalid."""
        config = parse_config(config_text)
        name = self.name_of(config.version)
        # Intelligent-Tiering: a fitted scorecard with its development sample can pass Standard's 4 KB.
        self._ssm.put_parameter(
            Name=name, Value=canonical_json(config), Type="String", Overwrite=True, Tier="Intelligent-Tiering"
        )
        return name, config

    def text(self, label: str) -> str:
        return self.stored(label)[0]

    def stored(self, label: str, version: int | None = None) -> tuple[str, int]:
        """The candidate's text and its parameter version: the newest, or `version` exactly. A candidate stored
        again under the same label is a new version, so a comparison and a promotion can name what they read."""
        name = self.name_of(label) + (f":{int(version)}" if version is not None else "")
        try:
            parameter = self._ssm.get_parameter(Name=name)["Parameter"]
        except (self._ssm.exceptions.ParameterNotFound, self._ssm.exceptions.ParameterVersionNotFound):
            raise CandidateNotFound(f"no candidate configuration {label!r} ({name})") from None
        return str(parameter["Value"]), int(parameter["Version"])

    def get(self, label: str, version: int | None = None) -> ScoringConfig:
        return parse_config(self.stored(label, version)[0])

    def labels(self) -> list[str]:
        pages = self._ssm.get_paginator("get_parameters_by_path").paginate(Path=self.prefix.rstrip("/"))
        return sorted(p["Name"].rsplit("/", 1)[-1] for page in pages for p in page["Parameters"])
