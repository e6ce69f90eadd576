"""What the benchmarks' reports say about the machine they measured on."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or what `platform` knows where that has none."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    return next(
        (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
        platform.processor() or platform.machine(),
    )


def machine() -> str:
    """Cores, CPU and Python, for a report's first lines."""
    return f"{os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}"
