"""Webhook delivery connects to the address the SSRF check approved (DNS rebinding): the name is resolved once, a
second DNS answer never moves the connection, the request still names the host (Host header, TLS SNI and
certificate), and a redirect is not followed. Receivers run on loopback; the resolver is a fake
(`socket.getaddrinfo` patched for one name) and every `connect` is recorded, refused when not loopback."""

from __future__ import annotations

import socket
import ssl
import threading
import time
import tomllib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import urllib3

from credscore_aws.logic import webhooks
from credscore_client import verify_signature
from credscore_local import network_guard
from credscore_local.template import load_template
from tests.pki import make_ca

REPO = Path(__file__).resolve().parents[2]
NAME = "hooks.test"
BODY = b'{"application_id":"a","id":"evt_1","occurred_at":1,"status":"scored","type":"application.scored"}'


# ---------------------------------------------------------------------------------------------- fakes
@dataclass
class Dns:
    """Answers NAME with `answers[0]` the first time, `answers[1]` after (a hostile server's rebinding)."""

    answers: list[list[str]]
    asked: list[str] = field(default_factory=list)

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host != NAME:
            return list(_REAL_GETADDRINFO(host, port, *args, **kwargs))
        self.asked.append(host)
        answer = self.answers[min(len(self.asked), len(self.answers)) - 1]
        port = int(port or 0)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port))
            for a in answer
        ]


_REAL_GETADDRINFO = socket.getaddrinfo  # the test run's loopback-only guard


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address a socket connects to; outside loopback refused here, before the guard would raise."""
    seen: list[str] = []
    guarded = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        seen.append(address[0])
        if not network_guard.is_loopback(address[0]):
            raise ConnectionRefusedError(f"test: no connection to {address[0]}")
        guarded(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def _dns(monkeypatch: pytest.MonkeyPatch, *answers: list[str]) -> Dns:
    dns = Dns(list(answers))
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns


@dataclass
class Receiver:
    port: int
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]


def _serve(tls: ssl.SSLContext | None = None) -> Generator[Receiver]:
    """/redirect answers 302 to /elsewhere on the same receiver; anything else 200."""
    received: list[tuple[str, dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append((self.path, dict(self.headers), body))
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{port}/elsewhere")
            else:
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    receiver = Receiver(port=port, requests=received)
    if tls is not None:
        tls.sni_callback = lambda _sock, name, _ctx: receiver.sni.append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from _serve()


def _local(monkeypatch: pytest.MonkeyPatch, loopback_ok: bool) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true" if loopback_ok else "false")


# ---------------------------------------------------------------------------------------------- rebinding
@pytest.mark.parametrize(
    ("loopback_ok", "scheme", "first", "then", "expected"),
    [
        # local stack: loopback is allowed, a second answer of the metadata address must not be reached
        (True, "http", "127.0.0.1", "169.254.169.254", (200, None)),
        # AWS: a public first answer, then loopback (a service on the deliverer's own host)
        (False, "https", "93.184.216.34", "127.0.0.1", (None, "connection_failed")),
    ],
)
def test_a_second_dns_answer_never_moves_the_connection(
    monkeypatch: pytest.MonkeyPatch,
    connects: list[str],
    receiver: Receiver,
    loopback_ok: bool,
    scheme: str,
    first: str,
    then: str,
    expected: tuple[int | None, str | None],
) -> None:
    _local(monkeypatch, loopback_ok)
    dns = _dns(monkeypatch, [first], [then])
    url = f"{scheme}://{NAME}:{receiver.port}/h"
    assert webhooks.post_event(url, ["whsec_a"], BODY, timeout=5) == expected
    assert connects == [first]  # the checked address, and only it
    assert then not in connects
    assert dns.asked == [NAME]  # resolved once
    assert len(receiver.requests) == (1 if expected[0] == 200 else 0)


def test_a_forbidden_first_answer_is_refused_without_connecting(
    monkeypatch: pytest.MonkeyPatch, connects: list[str]
) -> None:
    _local(monkeypatch, False)
    _dns(monkeypatch, ["93.184.216.34", "10.0.0.7"])
    assert webhooks.post_event(f"https://{NAME}/h", ["whsec_a"], BODY, timeout=5) == (None, "refused_address")
    assert connects == []


def test_a_loopback_receiver_is_refused_unless_the_local_stack_allows_it(
    monkeypatch: pytest.MonkeyPatch, connects: list[str], receiver: Receiver
) -> None:
    _dns(monkeypatch, ["127.0.0.1"])
    url = f"http://{NAME}:{receiver.port}/h"
    _local(monkeypatch, False)
    assert webhooks.post_event(url, ["whsec_a"], BODY, timeout=5) == (None, "refused_address")
    assert connects == []
    _local(monkeypatch, True)
    assert webhooks.post_event(url, ["whsec_a"], BODY, timeout=5) == (200, None)
    # Only the local stack sets it: the template's default is off and no deployed stage turns it on.
    assert load_template()["Parameters"]["WebhookAllowLoopback"]["Default"] == "false"
    samconfig = tomllib.loads((REPO / "samconfig.toml").read_text(encoding="utf-8"))
    stages = [tables["deploy"]["parameters"] for env, tables in samconfig.items() if env != "version"]
    assert stages
    assert not [stage for stage in stages if "WebhookAllowLoopback" in stage.get("parameter_overrides", "")]


def test_the_checked_addresses_are_tried_in_the_resolvers_order(
    monkeypatch: pytest.MonkeyPatch, connects: list[str], receiver: Receiver
) -> None:
    _local(monkeypatch, True)
    # 127.0.0.2 is loopback too, but nothing listens there: refused, so the next checked address is tried.
    _dns(monkeypatch, ["127.0.0.2", "127.0.0.1"], ["169.254.169.254"])
    assert webhooks.post_event(f"http://{NAME}:{receiver.port}/h", ["whsec_a"], BODY, timeout=5) == (
        200,
        None,
    )
    assert connects == ["127.0.0.2", "127.0.0.1"]


def test_when_every_checked_address_refuses_the_delivery_fails(
    monkeypatch: pytest.MonkeyPatch, connects: list[str], receiver: Receiver
) -> None:
    _local(monkeypatch, True)
    _dns(monkeypatch, ["127.0.0.2", "127.0.0.3"], ["127.0.0.1"])
    url = f"http://{NAME}:{receiver.port}/h"
    assert webhooks.post_event(url, ["whsec_a"], BODY, timeout=5) == (None, "connection_failed")
    assert connects == ["127.0.0.2", "127.0.0.3"]
    assert receiver.requests == []


# ---------------------------------------------------------------------------------------------- the request
def test_the_pinned_request_names_the_host_and_carries_the_event(
    monkeypatch: pytest.MonkeyPatch, connects: list[str], receiver: Receiver
) -> None:
    _local(monkeypatch, True)
    _dns(monkeypatch, ["127.0.0.1"])
    url = f"http://{NAME}:{receiver.port}/hooks/in?partner=p1#fragment"
    assert webhooks.post_event(url, ["whsec_a"], BODY, timeout=5) == (200, None)
    ((path, headers, body),) = receiver.requests
    assert path == "/hooks/in?partner=p1"
    assert headers["Host"] == f"{NAME}:{receiver.port}"
    assert body == BODY
    assert headers["Content-Type"] == "application/json"
    assert headers[webhooks.EVENT_ID_HEADER] == "evt_1"
    assert verify_signature("whsec_a", body, headers[webhooks.SIGNATURE_HEADER])


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(
    monkeypatch: pytest.MonkeyPatch, connects: list[str], receiver: Receiver
) -> None:
    _local(monkeypatch, True)
    _dns(monkeypatch, ["127.0.0.1"])
    url = f"http://{NAME}:{receiver.port}/redirect"
    assert webhooks.post_event(url, ["whsec_a"], BODY, timeout=5) == (302, "http_302")
    assert receiver.paths() == ["/redirect"]
    assert connects == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("url", "host_header", "port", "target"),
    [
        ("https://Hooks.Example/h", "hooks.example", 443, "/h"),
        ("https://hooks.example:8443", "hooks.example:8443", 8443, "/"),
        ("https://bücher.example/x?y=1", "xn--bcher-kva.example", 443, "/x?y=1"),
        ("http://[::1]:8080/h", "[::1]:8080", 8080, "/h"),
    ],
)
def test_the_destination_keeps_what_the_request_must_name(
    url: str, host_header: str, port: int, target: str
) -> None:
    destination = webhooks.check_url(url, loopback_ok=True, resolve=lambda host: ["::1"])
    assert destination.host_header == host_header
    assert destination.port == port
    assert destination.target == target
    assert destination.addresses == ("::1",)


def test_the_addresses_are_kept_in_the_resolvers_order_without_duplicates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _dns(monkeypatch, ["93.184.216.35", "2606:2800:220:1::1", "93.184.216.34", "93.184.216.35"])
    destination = webhooks.check_url(f"https://{NAME}/h", loopback_ok=False)
    assert destination.addresses == ("93.184.216.35", "2606:2800:220:1::1", "93.184.216.34")


# ---------------------------------------------------------------------------------------------- TLS
def test_https_connects_to_the_address_but_verifies_the_host_name() -> None:
    destination = webhooks.Destination("https", "hooks.example", 443, "/h", ("93.184.216.34",))
    pool = webhooks.pinned_pool(destination, "93.184.216.34", 5)
    connection = pool._new_conn()  # not connected: its parameters only
    assert isinstance(connection, urllib3.connection.HTTPSConnection)
    assert (connection.host, connection.port) == ("93.184.216.34", 443)
    assert connection.server_hostname == "hooks.example"  # SNI, and the name the certificate must carry
    assert connection.cert_reqs == "CERT_REQUIRED"
    assert connection.ca_certs == webhooks.CA_BUNDLE
    assert connection.assert_hostname is None  # not False: no hostname check is switched off
    assert connection.assert_fingerprint is None
    assert pool.proxy is None
    plain = webhooks.pinned_pool(
        webhooks.Destination("http", "localhost", 80, "/", ("127.0.0.1",)), "127.0.0.1", 5
    )
    assert not isinstance(plain, type(pool))


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_the_pinned_pool_has_the_timeout_and_never_retries(scheme: str) -> None:
    """Both limits set (an unset one would wait forever on a receiver that stalls), and no retry of its own: a
    delivery is one attempt, retried only by the queue's backoff. (The request passes retries=False as well, which
    the resolver-order tests above hold: a retried refusal would never reach the next address.)"""
    destination = webhooks.Destination(scheme, "hooks.example", 443, "/h", ("127.0.0.1",))
    pool = webhooks.pinned_pool(destination, "127.0.0.1", 2.5)
    assert pool.timeout.connect_timeout == 2.5
    assert pool.timeout.read_timeout == 2.5
    assert pool.retries is False


def test_a_receiver_that_never_answers_times_out(
    monkeypatch: pytest.MonkeyPatch, connects: list[str]
) -> None:
    _local(monkeypatch, True)
    _dns(monkeypatch, ["127.0.0.1"])
    # Listening, never accepting: the kernel completes the handshake and takes the request, nothing answers.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://{NAME}:{silent.getsockname()[1]}/h"
        started = time.monotonic()
        assert webhooks.post_event(url, ["whsec_a"], BODY, timeout=0.3) == (None, "timeout")
        assert time.monotonic() - started < 3
    assert connects == ["127.0.0.1"]


@dataclass
class Pki:
    ca_file: Path
    contexts: dict[str, ssl.SSLContext]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A CA and, per name, a server context with a certificate for that DNS name only (no IP address in it)."""
    ca = make_ca(tmp_path_factory.mktemp("pki"))
    contexts = {}
    for name in (NAME, "other.test"):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*ca.issue(name))
        contexts[name] = context
    return Pki(ca.ca_file, contexts)


@pytest.mark.parametrize(
    ("served", "expected"), [(NAME, (200, None)), ("other.test", (None, "connection_failed"))]
)
def test_tls_to_the_pinned_address_sends_and_verifies_the_host_name(
    monkeypatch: pytest.MonkeyPatch,
    connects: list[str],
    pki: Pki,
    served: str,
    expected: tuple[int | None, str | None],
) -> None:
    _local(monkeypatch, True)  # https to loopback: allowed locally only
    monkeypatch.setattr(webhooks, "CA_BUNDLE", str(pki.ca_file))
    _dns(monkeypatch, ["127.0.0.1"], ["169.254.169.254"])
    server = _serve(pki.contexts[served])
    receiver = next(server)
    try:
        url = f"https://{NAME}:{receiver.port}/h"
        assert webhooks.post_event(url, ["whsec_a"], BODY, timeout=5) == expected
    finally:
        server.close()
    assert connects == ["127.0.0.1"]
    assert receiver.sni == [NAME]  # the name, though the connection went to an address
    if expected[0] == 200:
        ((_, headers, _),) = receiver.requests
        assert headers["Host"] == f"{NAME}:{receiver.port}"
    else:
        assert receiver.requests == []  # a certificate for another name: nothing is sent
