"""`credscore serve --api-url` (no local stack) and where `credscore weights` runs its action."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from credscore_cli import local, serve, weights
from credscore_cli import main as cli


@pytest.fixture
def answering_server() -> Iterator[str]:
    class Ok(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_serve_in_front_of_an_api_until_stopped(
    answering_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = cli.build_parser().parse_args(["serve", "--port", "0", "--api-url", answering_server])
    stop = threading.Event()
    outcome: list[int] = []
    runner = threading.Thread(target=lambda: outcome.append(serve.cmd_serve(args, stop)))
    runner.start()
    printed = ""
    for _ in range(100):
        printed += capsys.readouterr().out
        if "Press Ctrl-C" in printed:
            break
        time.sleep(0.05)
    url = printed.split("Web page: ", 1)[1].split()[0]
    assert requests.get(url + "config.json", timeout=5).json() == {"apiBase": "/api"}
    assert f"Partner console: {url}partner.html" in printed
    assert requests.get(url + "api/anything", headers={"Authorization": "Bearer k-1"}, timeout=5).json() == {}
    stop.set()
    runner.join(timeout=10)
    assert outcome == [0]
    assert "Stopped." in capsys.readouterr().out


@pytest.fixture
def admin_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str | None]]:
    """The actions `credscore weights` ran, each with the AWS endpoint it ran against."""
    calls: list[tuple[str, str | None]] = []

    def fake_run(args: Any, out: Any, err: Any) -> int:
        calls.append((args.action, args.endpoint_url))
        return 0

    monkeypatch.setattr(weights, "run", fake_run)
    return calls


def test_weights_passes_the_action_and_the_endpoint(admin_calls: list[tuple[str, str | None]]) -> None:
    assert cli.main(["weights", "show"]) == 0
    assert cli.main(["weights", "--endpoint-url", "http://127.0.0.1:5", "diff", "1", "2"]) == 0
    assert cli.main(["weights", "history", "--endpoint-url", "http://127.0.0.1:6"]) == 0
    assert admin_calls == [("show", None), ("diff", "http://127.0.0.1:5"), ("history", "http://127.0.0.1:6")]


def test_weights_local_and_an_endpoint_are_exclusive(admin_calls: list[tuple[str, str | None]]) -> None:
    assert cli.main(["weights", "--local", "--endpoint-url", "http://127.0.0.1:5", "show"]) == 2
    assert admin_calls == []


def _marker(folder: Path, name: str, endpoint: str, pid: int, started: float) -> None:
    folder.mkdir(exist_ok=True)
    local = {"endpoint": endpoint, "api_url": "x", "pid": pid, "started": started}
    (folder / f"{name}.json").write_text(json.dumps(local))


def test_weights_local_uses_the_running_serve(
    admin_calls: list[tuple[str, str | None]],
    answering_server: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _marker(tmp_path, "1", answering_server, os.getpid(), 10.0)
    monkeypatch.setattr(local, "state_dir", lambda: tmp_path)
    assert cli.main(["weights", "--local", "history"]) == 0
    assert admin_calls == [("history", answering_server)]


def test_several_serves_side_by_side_the_newest_is_used(
    answering_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = answering_server.replace("127.0.0.1", "localhost")  # the same server, told apart by its name
    _marker(tmp_path, "1", answering_server, os.getpid(), 10.0)
    _marker(tmp_path, "2", newer, os.getpid(), 20.0)
    monkeypatch.setattr(local, "state_dir", lambda: tmp_path)
    assert [local["endpoint"] for local in local.running_local_endpoints()] == [newer, answering_server]
    assert local.running_local_endpoint() == local.running_local_endpoints()[0]


def test_each_serve_writes_its_own_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local, "state_dir", lambda: tmp_path)
    assert local.state_file() == tmp_path / f"{os.getpid()}.json"
    assert local.state_file(4242) != local.state_file()


def test_a_stale_state_file_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _marker(tmp_path, "1", "http://127.0.0.1:9", os.getpid(), 1.0)
    monkeypatch.setattr(local, "state_dir", lambda: tmp_path)
    assert local.running_local_endpoint() is None
    (tmp_path / "1.json").write_text("not json")
    assert local.running_local_endpoint() is None


def test_weights_without_an_action_exits_2(admin_calls: list[tuple[str, str | None]]) -> None:
    assert cli.main(["weights"]) == 2
    assert admin_calls == []
