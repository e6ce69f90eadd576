"""Fixtures: fresh copies of the hand-made application and result."""

from __future__ import annotations

from typing import Any

import pytest

from .samples import sample_application, sample_result


@pytest.fixture
def result() -> dict[str, Any]:
    return sample_result()


@pytest.fixture
def application() -> dict[str, Any]:
    return sample_application()
