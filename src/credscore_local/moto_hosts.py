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

from collections.abc import Iterable, Mapping
from typing import Any

from credscore_local import moto_guard

# sha256 of the source of what the patch replaces or relies on, in moto 5.2.5.
MOTO_SOURCES = {
    "backends.list_of_moto_modules": "4f741a10b06500e840c3aaa1b4f02706e6f2bfbababc0e8a2a7b9c9d0e8957dc",
    "DomainDispatcherApplication.get_backend_for_host": (
        "1f41972c1e4e660fbf4e4ddfeeed2fdff56dc105a8f8e1bf015640f710ef511a"
    ),
}


def _functions(originals: Mapping[str, Any]) -> dict[str, Any]:
    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    return {
        "backends.list_of_moto_modules": originals.get("list") or backends.list_of_moto_modules,
        "DomainDispatcherApplication.get_backend_for_host": DomainDispatcherApplication.get_backend_for_host,
    }


def _list_once() -> dict[str, Any]:
    """Replace moto's listing by one made now; returns moto's own."""
    from moto import backends

    original = backends.list_of_moto_modules
    modules = tuple(original())

    def listed_once() -> Iterable[str]:
        return modules

    backends.list_of_moto_modules = listed_once
    return {"list": original}


def _restore(originals: Mapping[str, Any]) -> None:
    from moto import backends

    backends.list_of_moto_modules = originals["list"]


_patch = moto_guard.GuardedPatch(
    __name__, MOTO_SOURCES, _functions, _list_once, _restore, "each request lists moto's package"
)
moto_changed = _patch.moto_changed
installed = _patch.installed
install = _patch.install
uninstall = _patch.uninstall
