"""moto's server finds the service of each request without listing its own package every time.

moto 5.2.5's `DomainDispatcherApplication.get_backend_for_host` asks `host in backends.list_of_moto_modules()` for
every request it serves, and that generator lists moto's package folder and stats each entry until it finds the
host: about 130 stats (0.8 ms of CPU on a quiet core, more on a busy one, under the GIL every request, execution
thread and event pump of the local stack shares) for each S3 GET of a photo or DynamoDB write. The package does not
change while the server runs, so the list is made once. Nothing an AWS service does; the emulator's cost only.

`moto_changed()` names the moto functions this relies on whose source differs from 5.2.5's (a unit test asserts
none does, and `install` then leaves moto as it is).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from credscore_local import moto_guard

logger = logging.getLogger(__name__)

# sha256 of the source of what the patch replaces or relies on, in moto 5.2.5.
MOTO_SOURCES = {
    "backends.list_of_moto_modules": "4f741a10b06500e840c3aaa1b4f02706e6f2bfbababc0e8a2a7b9c9d0e8957dc",
    "DomainDispatcherApplication.get_backend_for_host": (
        "1f41972c1e4e660fbf4e4ddfeeed2fdff56dc105a8f8e1bf015640f710ef511a"
    ),
}

_original: dict[str, Any] = {}


def _functions() -> dict[str, Any]:
    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    return {
        "backends.list_of_moto_modules": _original.get("list") or backends.list_of_moto_modules,
        "DomainDispatcherApplication.get_backend_for_host": DomainDispatcherApplication.get_backend_for_host,
    }


def moto_changed() -> list[str]:
    """The moto functions the patch relies on whose source is not what it was written against."""
    return moto_guard.changed(MOTO_SOURCES, _functions())


def installed() -> bool:
    return bool(_original)


def install() -> None:
    """List moto's modules once (idempotent); leaves moto alone if it is not the moto expected."""
    if _original:
        return
    changed = moto_changed()
    if changed:
        logger.warning("moto changed %s: each request lists moto's package (see moto_hosts.py)", changed)
        return
    from moto import backends

    original = backends.list_of_moto_modules
    modules = tuple(original())

    def listed_once() -> Iterable[str]:
        return modules

    _original["list"] = original
    backends.list_of_moto_modules = listed_once


def uninstall() -> None:
    """Put moto's own listing back (the tests compare both)."""
    if not _original:
        return
    from moto import backends

    backends.list_of_moto_modules = _original.pop("list")
