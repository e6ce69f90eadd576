"""Resident memory of a local Lambda worker, read the way Lambda's limit sees it.

Lambda kills an execution environment whose resident memory passes the function's MemorySize (a cgroup limit
on the whole sandbox). The local stack cannot create cgroups here, and RLIMIT_AS caps virtual address space,
which onnxruntime's and numpy's arenas reserve far beyond what they touch: it fails healthy workers and misses
nothing Lambda would catch. So the local runtime reads each worker's resident set from /proc instead:

- `VmHWM` (the kernel's high-water mark of the resident set) is exact between two reads, so a spike freed
  before the next poll is still seen; the worker resets it at the start of each invocation (`clear_refs`),
  which makes it a per-invocation peak.
- `VmRSS` is polled while the handler runs so a worker growing past its limit is killed promptly.

Without /proc (macOS), psutil's RSS is polled when psutil is installed (peaks between polls are missed);
otherwise memory is not enforced.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MIB = 1024 * 1024
_PROC = "/proc"


@dataclass(frozen=True)
class MemoryReading:
    rss: int  # bytes resident now
    peak: int  # bytes: the high-water mark since the last reset (≥ rss)


def proc_available() -> bool:
    return os.path.exists(os.path.join(_PROC, "self", "status"))


def read(pid: int) -> MemoryReading | None:
    """The process's resident memory now and its peak; None if it is gone or cannot be read."""
    try:
        with open(os.path.join(_PROC, str(pid), "status"), "rb") as handle:
            status = handle.read()
    except OSError:
        return _read_psutil(pid)
    rss = peak = None
    for line in status.splitlines():
        if line.startswith(b"VmRSS:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith(b"VmHWM:"):
            peak = int(line.split()[1]) * 1024
    if rss is None:  # a zombie has no memory lines
        return None
    return MemoryReading(rss=rss, peak=max(rss, peak or 0))


def _read_psutil(pid: int) -> MemoryReading | None:
    try:
        import psutil
    except ImportError:
        return None
    try:
        rss = int(psutil.Process(pid).memory_info().rss)
    except psutil.Error:
        return None
    return MemoryReading(rss=rss, peak=rss)


def reset_peak() -> None:
    """Reset this process's high-water mark to its current resident set (Linux ≥ 4.0; a no-op elsewhere)."""
    try:
        with open(os.path.join(_PROC, "self", "clear_refs"), "w") as handle:
            handle.write("5")
    except OSError:
        pass


def own_peak() -> int | None:
    """This process's resident peak since the last `reset_peak`, in bytes."""
    reading = read(os.getpid())
    return None if reading is None else reading.peak
