"""What the benchmarks' reports say about the machine they measured on."""

from __future__ import annotations

import os
import platform
import statistics
import time
from functools import cache
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


@cache
def model_run_ms(runs: int = 30) -> float:
    """The host's speed today: the median time of one run of the shipped nudity model (nudenet 320n, one thread,
    a 320×320 input). This shared machine's speed varies from day to day: commit 5391251's image function took
    8.2 s of CPU for the cost model's heavy applicant on 2026-12-02 and 14.6 s on 2026-12-03 (this run: 26 ms).
    A report's absolute times are comparable with another's only beside this; ratios within one run are."""
    import numpy as np

    from credscore.analysis.images import _session
    from credscore.analysis.model_cards import nudenet_model_path

    session = _session(str(nudenet_model_path()), 1)
    feed = {session.get_inputs()[0].name: np.random.default_rng(0).random((1, 3, 320, 320), dtype=np.float32)}
    for _ in range(3):
        session.run(None, feed)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, feed)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


# The capacity plan's host speed (docs/capacity.md): one nudenet 320n run took this long on the slowest day these
# benchmarks ran (2026-12-03); on 2026-12-04 another host took 12.7 ms. Lambda-seconds measured on a faster host
# are scaled to it, so the plan errs high whichever host measured them. AWS's own vCPUs are unmeasured here.
REFERENCE_MODEL_MS = 27.5


def machine() -> str:
    """Cores, CPU, Python and the host's speed today, for a report's first lines."""
    return (
        f"{os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}; "
        f"one nudenet 320n run {model_run_ms():.1f} ms (host speed)"
    )
