"""The embedded local stack as the commands use it, and how a running `credscore serve` is found again."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credscore_local.stack import LocalStack

LOCAL_PARTNER = "local-partner"


def state_dir() -> Path:
    """Where each running `credscore serve` says how to reach its local stack (for `weights --local`)."""
    return Path(tempfile.gettempdir()) / f"credscore-local-{os.getuid()}"


def state_file(pid: int | None = None) -> Path:
    """This process's marker: one file per `serve`, so several can run side by side."""
    return state_dir() / f"{pid or os.getpid()}.json"


@contextlib.contextmanager
def local_partner() -> Iterator[tuple[LocalStack, str]]:
    """The embedded local stack with a fresh partner key registered."""
    from credscore_local.partners import register_partner
    from credscore_local.stack import LocalStack

    with LocalStack() as stack:
        key = secrets.token_urlsafe(24)
        register_partner(stack, LOCAL_PARTNER, "Local partner", key)
        yield stack, key


def running_local_endpoints() -> list[dict[str, Any]]:
    """The local stacks of the running `credscore serve` processes that still answer, newest first."""
    import urllib.request

    found = []
    for marker in state_dir().glob("*.json") if state_dir().is_dir() else []:
        try:
            local = json.loads(marker.read_text(encoding="utf-8"))
            os.kill(int(local["pid"]), 0)
            with urllib.request.urlopen(local["endpoint"] + "/moto-api/", timeout=2):  # noqa: S310 - loopback
                found.append(dict(local))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a stopped or foreign serve: not a stack to use
    found.sort(key=lambda local: float(local.get("started") or 0), reverse=True)
    return found


def running_local_endpoint() -> dict[str, Any] | None:
    """The newest running `credscore serve`'s local stack, if any."""
    running = running_local_endpoints()
    return running[0] if running else None
