"""A deleted S3 key's stored bytes are freed after the delete answers, not while the caller waits.

moto 5.2.5 keeps each key's bytes in a `SpooledTemporaryFile` (on disk past 8 MiB) and `FakeKey.dispose` closes
it inside the DeleteObject(s) or overwriting PutObject that dropped the key. Closing a large file whose pages were
already written back makes the filesystem free its blocks first: on this machine's ext4 (mounted with `discard`)
1.1 s for a 1.3 GiB archive written 40 s earlier (0.1 s while still in the page cache). The score function
deletes the applicant's archives once they are scored, so the last step of a camera-sized applicant waited a
second on the emulator's disk, which S3 never makes a caller do.

The patch changes no response. A key whose buffer lies on disk gets a closed buffer in its place at once (a GET
that comes after the delete fails as it did after moto's close; the key is already out of the bucket), and a
single background thread closes the real file. Buffers still in memory are closed in place, as before. A read
that took the buffer before the delete finishes first (the file's own lock). `drain()` waits until every handed
over file is closed (tests; the stack's stop), at most DRAIN_SECONDS. A key the garbage collector disposes of is
closed in place. `moto_changed()` names the moto functions this relies on whose
source differs from 5.2.5's (a unit test asserts none does, and `install` then leaves moto as it is).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from credscore_local import moto_guard

# sha256 of the source of what the patch wraps or relies on, in moto 5.2.5.
MOTO_SOURCES = {
    "FakeKey.dispose": "3e18a93bddaad7ba1b3a89b50092dbbda5c98226bd002870e78a57eb4e6ace61",
    "FakeKey.__init__": "cd9d1347667a9ccf2179874051aebed2261ecb260ca12e048f20b9140a325383",
}


log = logging.getLogger(__name__)
DRAIN_SECONDS = 60.0  # a stop waits this long for the files of deleted keys to be closed


class _Reaper:
    """One daemon thread that closes the files handed to it, in order."""

    def __init__(self) -> None:
        self._files: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.close: Callable[[Any], None] = _close  # a test holds it to show the caller does not wait

    def put(self, stored: Any) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="s3-disposal", daemon=True)
                self._thread.start()
        self._files.put(stored)

    def drain(self, timeout: float = DRAIN_SECONDS) -> bool:
        """Wait until every file handed over is closed; False (and a warning) if that took over `timeout`."""
        deadline = time.monotonic() + timeout
        with self._files.all_tasks_done:
            while self._files.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    log.warning("%d deleted S3 keys' files still being closed", self._files.unfinished_tasks)
                    return False
                self._files.all_tasks_done.wait(left)
        return True

    def _run(self) -> None:
        while True:
            stored = self._files.get()
            try:
                self.close(stored)
            except Exception:  # the thread stays for the files behind this one
                log.exception("closing a deleted S3 key's file failed")
            finally:
                self._files.task_done()


def _close(stored: Any) -> None:
    with contextlib.suppress(Exception):  # as moto's own dispose, which ignores whatever closing raises
        stored.close()


reaper = _Reaper()
drain = reaper.drain


def _on_disk(buffer: Any) -> bool:
    return (
        isinstance(buffer, tempfile.SpooledTemporaryFile)
        and bool(getattr(buffer, "_rolled", False))
        and not buffer.closed
    )


def _closed_buffer() -> io.BytesIO:
    buffer = io.BytesIO()
    buffer.close()
    return buffer


def _functions(originals: Mapping[str, Any]) -> dict[str, Any]:
    from moto.s3.models import FakeKey

    return {
        "FakeKey.dispose": originals.get("FakeKey.dispose") or FakeKey.dispose,
        "FakeKey.__init__": FakeKey.__init__,
    }


def _dispose_later() -> dict[str, Any]:
    from moto.s3.models import FakeKey

    dispose = FakeKey.dispose

    @functools.wraps(dispose)
    def dispose_later(self: Any, garbage: bool = False) -> None:
        buffer = self.__dict__.get("_value_buffer")
        # From the garbage collector (`__del__`), closed here: it may run inside the reaper's own locks.
        if not garbage and not self.__dict__.get("disposed", True) and _on_disk(buffer):
            try:
                reaper.put(buffer)
            except RuntimeError:  # no new thread while the interpreter shuts down: closed here, as by moto
                pass
            else:
                self._value_buffer = _closed_buffer()
        dispose(self, garbage)

    FakeKey.dispose = dispose_later  # type: ignore[method-assign]
    return {"FakeKey.dispose": dispose}


def _restore(originals: Mapping[str, Any]) -> None:
    from moto.s3.models import FakeKey

    FakeKey.dispose = originals["FakeKey.dispose"]  # type: ignore[method-assign]


_patch = moto_guard.GuardedPatch(
    __name__,
    MOTO_SOURCES,
    _functions,
    _dispose_later,
    _restore,
    "a delete waits for the disk to free the key",
)
moto_changed = _patch.moto_changed
installed = _patch.installed
install = _patch.install
uninstall = _patch.uninstall
