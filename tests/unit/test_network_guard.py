"""The test run reaches loopback only (issue 15.6), in the test process and in the local stack's Lambda workers.

No test here can send a packet off the machine even if the guard broke: the unpatched connect the guard hands
allowed addresses to is swapped for a recorder first, and the worker refuses to try unless it is guarded.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from credscore_local import network_guard
from credscore_local.lambda_runtime import FunctionPool
from credscore_local.network_guard import NameLookupBlocked, NetworkBlockedError
from tests.local_functions import one_file_function

OUTSIDE = ("192.0.2.10", 80)  # TEST-NET-1: documentation only, never routed


@pytest.fixture
def reached(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Addresses the guard let through to the real connect (recorded, then refused without sending anything)."""
    seen: list[Any] = []
    real = network_guard._originals["connect"]

    def record(sock: socket.socket, address: Any) -> None:
        seen.append(address)
        if not network_guard.is_loopback(address[0]):
            raise AssertionError(f"the guard let {address} through")
        real(sock, address)

    monkeypatch.setitem(network_guard._originals, "connect", record)
    return seen


@pytest.fixture
def echo_server() -> Iterator[tuple[str, int]]:
    class Echo(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.sendall(self.request.recv(64).upper())

    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield server.server_address[0], server.server_address[1]
        server.shutdown()


def test_the_test_run_is_guarded_and_tells_its_children() -> None:
    assert network_guard.installed()
    assert os.environ[network_guard.LOOPBACK_ONLY_ENV] == "1"


def test_an_outside_connection_is_refused(reached: list[Any]) -> None:
    with pytest.raises(NetworkBlockedError, match=r"192\.0\.2\.10"):
        socket.create_connection(OUTSIDE, timeout=1)
    with socket.socket() as sock, pytest.raises(NetworkBlockedError):
        sock.connect_ex(OUTSIDE)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, pytest.raises(NetworkBlockedError):
        udp.sendto(b"x", OUTSIDE)
    # Through an HTTP client too: the error is not an OSError, so no retry loop or `except OSError` hides it.
    with pytest.raises(NetworkBlockedError):
        requests.get(f"http://{OUTSIDE[0]}/", timeout=1)
    assert reached == []


@pytest.mark.parametrize("name", ["example.com", "api.x.com", b"pypi.org"])
def test_a_name_outside_is_not_looked_up(name: str | bytes) -> None:
    with pytest.raises(NameLookupBlocked) as lookup:
        socket.getaddrinfo(name, 443)
    assert lookup.value.errno == socket.EAI_NONAME  # what an offline machine answers
    with pytest.raises(NameLookupBlocked):
        socket.gethostbyname(name.decode() if isinstance(name, bytes) else name)


def test_loopback_works(reached: list[Any], echo_server: tuple[str, int]) -> None:
    host, port = echo_server
    for target in (host, "localhost"):
        with socket.create_connection((target, port), timeout=5) as conn:
            conn.sendall(b"ping")
            assert conn.recv(64) == b"PING"
    assert len(reached) >= 2
    assert {address[1] for address in reached} == {port}
    assert socket.getaddrinfo("localhost", port)
    assert socket.getaddrinfo("192.0.2.10", 80)  # a numeric address is parsed, not queried


def test_a_name_that_cannot_be_encoded_fails_as_it_would_anywhere() -> None:
    """getaddrinfo encodes the name before any query; code that handles that error keeps working."""
    with pytest.raises(UnicodeError):
        socket.getaddrinfo("a" * 70 + ".example", 443)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("api.localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("169.254.169.254", False),
        ("::ffff:10.0.0.1", False),
        ("localhost.example.com", False),
        ("8.8.8.8", False),
        (None, False),
    ],
)
def test_what_counts_as_loopback(host: Any, loopback: bool) -> None:
    assert network_guard.is_loopback(host) is loopback


WORKER = textwrap.dedent(
    """
    import socket
    from credscore_local import network_guard

    def lambda_handler(event, context):
        if not network_guard.installed():
            return {"guarded": False}
        # Even a broken guard would hand an outside address to this stub, never to the network.
        real = network_guard._originals["connect"]
        network_guard._originals["connect"] = lambda sock, address: (
            real(sock, address) if network_guard.is_loopback(address[0]) else None
        )
        outcomes = {}
        for name, address in (("outside", ("192.0.2.10", 80)), ("loopback", ("127.0.0.1", event["port"]))):
            try:
                socket.create_connection(address, timeout=1).close()
                outcomes[name] = "connected"
            except Exception as exc:
                outcomes[name] = type(exc).__name__
        return {"guarded": True, **outcomes}
    """
)


def test_the_local_stacks_lambda_workers_are_guarded_too(
    tmp_path: Path, echo_server: tuple[str, int]
) -> None:
    spec = one_file_function(tmp_path, "net", WORKER)
    pool = FunctionPool(
        spec, {}, "arn:aws:lambda:us-east-1:123456789012:function:net", 1, enforce_memory=False
    )
    try:
        payload, errored = pool.invoke({"port": echo_server[1]})
    finally:
        pool.stop()
    assert not errored, payload
    assert json.loads(payload) == {"guarded": True, "outside": "NetworkBlockedError", "loopback": "connected"}
