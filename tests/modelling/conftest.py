"""Small deterministic populations for the modelling tests (numpy only; the real-pipeline one is in
test_population.py)."""

from __future__ import annotations

import numpy as np
import pytest

from credscore.modelling.data import TrainingData


def simulated(n: int = 6000, seed: int = 7) -> tuple[TrainingData, np.ndarray]:
    """connections (more is better), age (older is better), skills missing is worse, likes is noise."""
    rng = np.random.default_rng(seed)
    connections = np.round(rng.lognormal(5.3, 1.0, n))
    age = rng.integers(18, 65, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    skills = rng.integers(0, 30, n).astype(float)
    skills[rng.random(n) < 0.3] = np.nan
    likes = rng.random(n) * 40
    logit = (
        -2.4
        - 0.6 * (np.log1p(connections) - 5.3)
        - 0.04 * (np.nan_to_num(age, nan=40) - 40)
        + 0.8 * np.isnan(skills)
    )
    p = 1 / (1 + np.exp(-logit))
    outcome = (rng.random(n) < p).astype(np.int8)
    outcome[rng.random(n) < 0.03] = -1  # indeterminate
    band = np.where(np.isnan(age), "", np.where(age < 30, "18-29", np.where(age < 45, "30-44", "45-64")))
    data = TrainingData(
        application_id=[f"a{i}" for i in range(n)],
        scored_at=1.7e9 + np.arange(n, dtype=float) * 600,
        outcome=outcome,
        age_band=band.astype(np.str_),
        characteristics={"connections": connections, "age": age, "skills": skills, "likes": likes},
        attributes={"attr_group": np.array(["x", "y"])[rng.integers(0, 2, n)].astype(np.str_)},
    )
    return data, p


@pytest.fixture(scope="module")
def population() -> tuple[TrainingData, np.ndarray]:
    return simulated()
