"""The guard of the local stack's moto patches (s3_ranges, s3_disposal, asl_cache, moto_hosts): each patch was
written against moto 5.2.5's source of the functions it wraps or relies on, and records their digests; when any
differs, the patch leaves moto as it is (slow or loud rather than wrong) and a unit test fails."""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any


def source_digest(function: Callable[..., Any]) -> str:
    """sha256 of a function's source (of what it wraps, for a decorated one)."""
    return hashlib.sha256(inspect.getsource(inspect.unwrap(function)).encode()).hexdigest()


def changed(expected: Mapping[str, str], functions: Mapping[str, Callable[..., Any]]) -> list[str]:
    """The names whose function's source digest is not the expected one."""
    return [name for name, digest in expected.items() if source_digest(functions[name]) != digest]


class GuardedPatch:
    """The install/uninstall bookkeeping every guarded patch shares; the patch module supplies what differs.

    `functions(originals)` maps the names in `sources` to moto's functions (the kept originals while installed, so
    the digests stay moto's); `apply()` patches moto and returns what it replaced, `restore(originals)` puts that
    back. The originals are kept here: the patch is installed exactly while there are any. `sources` is read at
    every check, so a test that changes a digest in the module's dict sees the patch refuse.
    """

    def __init__(
        self,
        module: str,
        sources: Mapping[str, str],
        functions: Callable[[Mapping[str, Any]], Mapping[str, Callable[..., Any]]],
        apply: Callable[[], Mapping[str, Any]],
        restore: Callable[[Mapping[str, Any]], None],
        without: str,
    ) -> None:
        self._logger = logging.getLogger(module)
        self._file = module.rsplit(".", 1)[-1] + ".py"
        self._sources = sources
        self._functions = functions
        self._apply = apply
        self._restore = restore
        self._without = without  # what happens while moto is left alone, for the warning
        self.originals: dict[str, Any] = {}

    def moto_changed(self) -> list[str]:
        """The moto functions the patch relies on whose source is not what it was written against."""
        return changed(self._sources, self._functions(self.originals))

    def installed(self) -> bool:
        return bool(self.originals)

    def install(self) -> None:
        """Patch moto (idempotent); leaves moto alone, with a warning, if it is not the moto expected."""
        if self.originals:
            return
        names = self.moto_changed()
        if names:
            self._logger.warning("moto changed %s: %s (see %s)", names, self._without, self._file)
            return
        self.originals.update(self._apply())

    def uninstall(self) -> None:
        """Put moto's own functions back (the tests compare both)."""
        if not self.originals:
            return
        self._restore(self.originals)
        self.originals.clear()
