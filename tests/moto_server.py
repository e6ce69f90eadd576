"""A moto server for the unit tests of the local stack's moto patches (s3_ranges, asl_cache): on loopback, with
the fake credentials, freshly reset, as the local stack runs it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import pytest
import requests

from credscore_local.deployment import FAKE_CREDENTIALS, free_port


@contextmanager
def moto_server(patch: ModuleType) -> Iterator[str]:
    """The server's endpoint for the block. The environment (credentials, MOTO_PORT) and whether `patch` is
    installed are put back as they were afterwards, whatever the tests did to either."""
    from moto.server import ThreadedMotoServer

    was_installed = patch.installed()
    with pytest.MonkeyPatch.context() as env:
        for name, value in FAKE_CREDENTIALS.items():
            env.setenv(name, value)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        port = free_port()
        env.setenv("MOTO_PORT", str(port))
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        endpoint = f"http://127.0.0.1:{port}"
        try:
            requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
            yield endpoint
        finally:
            server.stop()
            (patch.install if was_installed else patch.uninstall)()
