"""The scoring configuration in SSM Parameter Store: versioned, validated before it is written, and the last
good version stays in force when a bad one gets in anyway (e.g. written with the AWS console).

Parameter Store keeps every version (the newest 100); a score records the version it used, so any past score
can be re-explained with `text_of(version)`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from credscore.scoring.config import InvalidConfig, ScoringConfig, canonical_json, parse_config


class ConfigUnavailable(RuntimeError):
    """No usable configuration: the parameter is missing or no stored version is valid."""


@dataclass(frozen=True)
class LoadedConfig:
    config: ScoringConfig
    parameter_version: int
    fallback_used: bool = False
    error: str | None = None  # why the newest version was not used, when fallback_used


@dataclass(frozen=True)
class ConfigVersion:
    version: int
    last_modified: dt.datetime | None
    modified_by: str | None
    label: str | None  # the configuration's own `version` label, None when invalid
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def _problems_of(text: str) -> tuple[ScoringConfig | None, list[str]]:
    try:
        return parse_config(text), []
    except InvalidConfig as exc:
        return None, exc.problems


def _summary(version: int, problems: list[str]) -> str:
    shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
    return f"parameter version {version} is invalid: {shown}"


# How long a warm score function keeps the configuration it read: a new version reaches new scores within this.
SCORER_CACHE_SECONDS = 60.0
# How long past its refresh time a cached configuration still scores while Parameter Store cannot be read.
STALE_GRACE_SECONDS = 600.0


class ConfigStore:
    def __init__(
        self,
        ssm_client: Any,
        parameter_name: str,
        ttl_seconds: float = SCORER_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ssm = ssm_client
        self.parameter_name = parameter_name
        self._ttl = ttl_seconds
        self._clock = clock
        self._cached: tuple[float, LoadedConfig] | None = None

    # ------------------------------------------------------------------------------------------- reading
    def load(self) -> LoadedConfig:
        """The configuration in force, cached for `ttl_seconds` in a warm process. A refresh that fails (SSM
        throttled or unreachable) keeps the cached configuration for up to `STALE_GRACE_SECONDS` past its
        refresh time rather than failing the applications being scored; after that the error goes up."""
        now = self._clock()
        if self._cached is not None and now - self._cached[0] < self._ttl:
            return self._cached[1]
        try:
            loaded = self.load_fresh()
        except Exception:
            if self._cached is not None and now - self._cached[0] < self._ttl + STALE_GRACE_SECONDS:
                return self._cached[1]
            raise
        self._cached = (now, loaded)
        return loaded

    def invalidate(self) -> None:
        self._cached = None

    def load_fresh(self) -> LoadedConfig:
        newest = self._get(self.parameter_name)
        version = int(newest["Version"])
        config, problems = _problems_of(newest["Value"])
        if config is not None:
            return LoadedConfig(config=config, parameter_version=version)
        error = _summary(version, problems)
        for older in sorted(self._raw_history(), key=lambda p: -int(p["Version"])):
            if int(older["Version"]) >= version:
                continue
            good, _ = _problems_of(older["Value"])
            if good is not None:
                return LoadedConfig(
                    config=good, parameter_version=int(older["Version"]), fallback_used=True, error=error
                )
        raise ConfigUnavailable(f"{self.parameter_name}: no valid version; newest: {error}")

    def exists(self) -> bool:
        try:
            self._get(self.parameter_name)
        except ConfigUnavailable:
            return False
        return True

    def text_of(self, version: int) -> str:
        return str(self._get(f"{self.parameter_name}:{int(version)}")["Value"])

    def history(self) -> list[ConfigVersion]:
        """Every stored version, oldest first, each with whether it is valid."""
        out = []
        for p in sorted(self._raw_history(), key=lambda p: int(p["Version"])):
            config, problems = _problems_of(p["Value"])
            out.append(
                ConfigVersion(
                    version=int(p["Version"]),
                    last_modified=p.get("LastModifiedDate"),
                    modified_by=p.get("LastModifiedUser"),
                    label=config.version if config else None,
                    problems=problems,
                )
            )
        return out

    def diff(self, v1: int, v2: int) -> str:
        """Unified diff of two versions, both pretty-printed so that only real changes show."""
        a, b = _pretty(self.text_of(v1)), _pretty(self.text_of(v2))
        return "".join(
            difflib.unified_diff(
                a.splitlines(keepends=True),
                b.splitlines(keepends=True),
                fromfile=f"{self.parameter_name}:{v1}",
                tofile=f"{self.parameter_name}:{v2}",
            )
        )

    # ------------------------------------------------------------------------------------------- writing
    def set(self, config_text: str) -> int:
        """Validate, then write as a new version (every field spelled out); returns the new version.
        Raises InvalidConfig, with every problem, and writes nothing, when the text is not valid."""
        config = parse_config(config_text)
        return self._put(canonical_json(config))

    def rollback(self, to_version: int) -> int:
        """Write an earlier version's content again as the newest version (history is never rewritten)."""
        return self.set(self.text_of(to_version))

    # ------------------------------------------------------------------------------------------- plumbing
    def _get(self, name: str) -> dict[str, Any]:
        try:
            parameter: dict[str, Any] = self._ssm.get_parameter(Name=name)["Parameter"]
        except self._ssm.exceptions.ParameterNotFound:
            raise ConfigUnavailable(f"{self.parameter_name}: parameter not found") from None
        except self._ssm.exceptions.ParameterVersionNotFound:
            raise ConfigUnavailable(f"{name}: no such version") from None
        return parameter

    def _raw_history(self) -> list[dict[str, Any]]:
        pages = self._ssm.get_paginator("get_parameter_history").paginate(Name=self.parameter_name)
        try:
            return [p for page in pages for p in page["Parameters"]]
        except self._ssm.exceptions.ParameterNotFound:
            raise ConfigUnavailable(f"{self.parameter_name}: parameter not found") from None

    def _put(self, value: str) -> int:
        # Intelligent-Tiering: Standard (free) while the document fits 4 KB; a fitted scorecard with its development
        # sample can pass that and is then stored as Advanced instead of being refused.
        response = self._ssm.put_parameter(
            Name=self.parameter_name, Value=value, Type="String", Overwrite=True, Tier="Intelligent-Tiering"
        )
        self.invalidate()
        return int(response["Version"])


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    except ValueError:
        return text if text.endswith("\n") else text + "\n"
