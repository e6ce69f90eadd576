"""The local stack's moto patches are guarded alike (credscore_local.moto_guard): each runs only on the moto source
it was written for, and a changed moto is left alone, with a warning naming what changed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from credscore_local import asl_cache, ddb_transactions, moto_hosts, s3_disposal, s3_ranges


def _parse() -> Any:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    return AmazonStateLanguageParser.parse


def _get_object() -> Any:
    from moto.s3.responses import S3Response

    return S3Response.get_object


def _dispose() -> Any:
    from moto.s3.models import FakeKey

    return FakeKey.dispose


def _transact_write_items() -> Any:
    from moto.dynamodb.models import DynamoDBBackend

    return DynamoDBBackend.transact_write_items


def _list_of_moto_modules() -> Any:
    from moto import backends

    return backends.list_of_moto_modules


# (the patch, one function its guard records, what the patch replaces)
PATCHES: list[tuple[ModuleType, str, Callable[[], Any]]] = [
    (asl_cache, "ExecutionWorker._get_evaluation_entrypoint", _parse),
    (s3_ranges, "S3Response._handle_range_header", _get_object),
    (moto_hosts, "DomainDispatcherApplication.get_backend_for_host", _list_of_moto_modules),
    (s3_disposal, "FakeKey.dispose", _dispose),
    (ddb_transactions, "StreamShard.add", _transact_write_items),
]


@pytest.mark.parametrize("patch", [p[0] for p in PATCHES], ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_the_moto_functions_the_patch_relies_on_are_the_ones_it_was_written_for(patch: ModuleType) -> None:
    assert patch.moto_changed() == [], (
        f"moto changed: re-read {patch.__name__} against it and record the new sources"
    )


@pytest.mark.parametrize(
    ("patch", "recorded", "patched"),
    PATCHES,
    ids=["asl_cache", "s3_ranges", "moto_hosts", "s3_disposal", "ddb_transactions"],
)
def test_a_changed_moto_is_left_alone(
    patch: ModuleType,
    recorded: str,
    patched: Callable[[], Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    was_installed = patch.installed()
    patch.uninstall()
    original = patched()
    monkeypatch.setitem(patch.MOTO_SOURCES, recorded, "0" * 64)
    try:
        with caplog.at_level(logging.WARNING, logger=patch.__name__):
            patch.install()
        assert not patch.installed()
        assert patched() is original
        assert recorded in caplog.text
        assert f"see {patch.__name__.rsplit('.', 1)[-1]}.py" in caplog.text
        patch.uninstall()  # nothing was installed, so nothing is put back
        assert patched() is original
    finally:
        monkeypatch.undo()
        if was_installed:
            patch.install()


def test_moto_hosts_lists_what_moto_lists_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from moto import backends

    was_installed = moto_hosts.installed()
    moto_hosts.uninstall()
    try:
        expected = list(backends.list_of_moto_modules())
        assert {"s3", "dynamodb", "stepfunctions", "sqs"} <= set(expected)
        moto_hosts.install()
        listings: list[str] = []
        real_listdir = os.listdir
        monkeypatch.setattr(os, "listdir", lambda path: listings.append(path) or real_listdir(path))
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication

        dispatcher = DomainDispatcherApplication(lambda service: None)
        assert list(backends.list_of_moto_modules()) == expected
        assert dispatcher.get_backend_for_host("s3") == "s3"
        assert dispatcher.get_backend_for_host("dynamodb") == "dynamodb"
        assert listings == [], "the package is not listed again per request"
    finally:
        moto_hosts.uninstall()
        if was_installed:
            moto_hosts.install()
