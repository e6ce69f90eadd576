"""The local runtime's shim into moto's Lambda (moto is pinned; its private `_invoke_lambda` is what we replace)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from credscore_local.lambda_runtime import LocalLambdaRuntime, shim_engaged


class _Pool:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def invoke(self, event: Any) -> tuple[str, bool]:
        self.events.append(event)
        return '{"handled": "locally"}', False


def test_moto_still_has_the_method_the_shim_replaces() -> None:
    assert shim_engaged()


def test_installed_shim_routes_moto_invocations_to_the_pools_and_uninstall_restores_moto() -> None:
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction._invoke_lambda
    runtime = LocalLambdaRuntime(base_env={})
    pool = _Pool()
    runtime.pools["credscore-dev-score"] = pool  # type: ignore[assignment]
    runtime.install()
    try:
        assert LambdaFunction._invoke_lambda is not original
        fn = SimpleNamespace(function_name="credscore-dev-score")
        payload = LambdaFunction._invoke_lambda(fn, {"application_id": "a"})  # type: ignore[arg-type]
        assert payload == ('{"handled": "locally"}', False, "")
        assert pool.events == [{"application_id": "a"}]
    finally:
        runtime.uninstall()
    assert LambdaFunction._invoke_lambda is original
