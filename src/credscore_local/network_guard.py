"""Loopback only: refuse every network connection and name lookup of this process that leaves the machine.

The test run installs it (tests/conftest.py) and sets `LOOPBACK_ONLY_ENV`, so the processes it starts inherit the
setting: the local stack's Lambda workers and a stack started in a child process install the guard too. The
local stack itself is all loopback (moto, the API adapter, webhook receivers on 127.0.0.1), so a test that
reaches further is a test that needs someone else's server: it fails loudly instead of hanging or flaking.

Refused: `connect`/`connect_ex`/`sendto` to an address outside 127.0.0.0/8 and ::1, and looking up a name other
than localhost or the machine's own (a DNS query is a connection too). Allowed: Unix sockets, loopback, lookups
of numeric addresses (no query is sent; connecting to them is checked).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

LOOPBACK_ONLY_ENV = "CREDSCORE_LOOPBACK_ONLY"
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class NetworkBlockedError(RuntimeError):
    """Not an OSError on purpose: retry loops and `except OSError` must not hide it."""


class NameLookupBlocked(socket.gaierror):
    """A lookup of an outside name answers as on a machine without DNS (EAI_NONAME): nothing is sent, and the
    code under test takes the path it takes in production for a name that does not resolve (a webhook address
    check answers 422, not a 500 from an unexpected exception)."""


# What the guard delegates to once an address is allowed (the unpatched functions).
_originals: dict[str, Any] = {}


def is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool((mapped or address).is_loopback)


def _is_numeric(host: object) -> bool:
    try:
        ipaddress.ip_address(str(host).strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # Unix sockets and the like never leave the machine
    host = address[0] if isinstance(address, tuple) and address else address
    if not is_loopback(host):
        raise NetworkBlockedError(f"network access outside loopback is blocked: {host!r}")


def _connect(sock: socket.socket, address: Any) -> None:
    _check(sock, address)
    _originals["connect"](sock, address)


def _connect_ex(sock: socket.socket, address: Any) -> int:
    _check(sock, address)
    return int(_originals["connect_ex"](sock, address))


def _sendto(sock: socket.socket, data: Any, *args: Any) -> int:
    _check(sock, args[-1])  # sendto(data, address) or sendto(data, flags, address)
    return int(_originals["sendto"](sock, data, *args))


def _check_name(host: Any) -> None:
    """A lookup that needs no query, or only the machine's own hosts file: loopback names, numeric addresses,
    the machine's own name and a name that cannot be encoded."""
    name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
    if name is None or is_loopback(name) or _is_numeric(name) or name == socket.gethostname():
        return
    if isinstance(host, str):
        try:
            host.encode("idna")
        except UnicodeError:
            return  # the lookup itself fails on encoding the name, as it would anywhere, before any query
    raise NameLookupBlocked(socket.EAI_NONAME, f"name lookups outside loopback are blocked: {host!r}")


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    _check_name(host)
    return _originals["getaddrinfo"](host, *args, **kwargs)


def _gethostbyname(host: str) -> str:
    _check_name(host)
    return str(_originals["gethostbyname"](host))


def _gethostbyname_ex(host: str) -> tuple[str, list[str], list[str]]:
    _check_name(host)
    return _originals["gethostbyname_ex"](host)


def install() -> None:
    """Guard this process (idempotent)."""
    if _originals:
        return
    _originals.update(
        connect=socket.socket.connect,
        connect_ex=socket.socket.connect_ex,
        sendto=socket.socket.sendto,
        getaddrinfo=socket.getaddrinfo,
        gethostbyname=socket.gethostbyname,
        gethostbyname_ex=socket.gethostbyname_ex,
    )
    socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign,assignment]
    socket.socket.sendto = _sendto  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _getaddrinfo
    socket.gethostbyname = _gethostbyname
    socket.gethostbyname_ex = _gethostbyname_ex


def installed() -> bool:
    return socket.getaddrinfo is _getaddrinfo and socket.socket.connect is _connect


def install_if_asked() -> None:
    """Guard this process when its parent asked for it (`LOOPBACK_ONLY_ENV`): the test run's children."""
    if os.environ.get(LOOPBACK_ONLY_ENV) == "1":
        install()
