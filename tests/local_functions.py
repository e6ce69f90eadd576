"""One-file functions for tests of the local Lambda runtime (credscore_local.lambda_runtime): the test's source as
`app.py`, run as AWS runs a python3.13 handler, with no layers, no environment and no template policies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from credscore_local.template import FunctionSpec


def one_file_function(
    code_dir: Path,
    name: str,
    source: str,
    *,
    memory_mb: int = 512,
    policy_statements: list[dict[str, Any]] | None = None,
) -> FunctionSpec:
    """`source` written to `code_dir`/app.py, as the function `name` (logical id `<Name>Function`)."""
    (code_dir / "app.py").write_text(source)
    return FunctionSpec(
        logical_id=f"{name.title()}Function",
        name=name,
        code_dir=code_dir,
        handler="app.lambda_handler",
        runtime="python3.13",
        timeout=60,
        memory_mb=memory_mb,
        environment={},
        layers=[],
        policies=[],
        policy_statements=policy_statements,
    )
