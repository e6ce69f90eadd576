"""The Lambdas' settings: one validated model, the only reader of the environment, and template.yaml gives every
function each variable its code reads."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from credscore_aws.settings import VARIABLES, Settings, SettingsError, settings
from credscore_local.template import REPO_ROOT, load_template

AWS_SRC = REPO_ROOT / "src" / "credscore_aws"
FUNCTIONS_DIR = REPO_ROOT / "functions"
# Operator command lines (run by a person, not a Lambda) keep their own reads of AWS_* and endpoint variables.
OPERATOR_CLIS = {"admin_cli.py", "partners_cli.py", "endpoints.py"}
PROPERTIES = {name.lower(): name for name in VARIABLES}


# ------------------------------------------------------------------------------------------------ the model
def test_every_variable_is_read_through_a_property_of_its_own_name() -> None:
    assert set(VARIABLES) == {name for name in VARIABLES if name.isupper()}
    for prop, variable in PROPERTIES.items():
        assert isinstance(getattr(Settings, prop), property), prop
        with pytest.raises(SettingsError, match=rf"environment variable {variable} is not set"):
            getattr(Settings(), prop)


def test_values_are_typed_and_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "4294967296")
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("TABLE_NAME", "")  # empty is unset, as Lambda's console leaves it
    current = settings()
    assert current.max_upload_bytes == 4 * 1024**3
    assert current.webhook_allow_loopback is True
    assert current.webhook_timeout_seconds == 2.5
    with pytest.raises(SettingsError, match="TABLE_NAME is not set"):
        _ = current.table_name


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MAX_UPLOAD_BYTES", "lots-of-bytes"),
        ("ORT_THREADS", "-3"),
        ("WEBHOOK_ALLOW_LOOPBACK", "maybe-sk_live_x"),
    ],
)
def test_an_invalid_value_names_the_variable_but_never_echoes_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        settings()
    assert variable in str(raised.value)
    assert value not in str(raised.value)


def test_a_changed_environment_gives_fresh_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPLOAD_WINDOW_HOURS", "26")
    assert settings().upload_window_hours == 26
    assert settings() is settings()  # validated once per environment
    monkeypatch.setenv("UPLOAD_WINDOW_HOURS", "48")
    assert settings().upload_window_hours == 48


# ------------------------------------------------------------------------------------------------ the only reader
def _reads_environment(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in {"environ", "getenv", "environb"} for alias in node.names)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_no_lambda_code_but_settings_reads_the_environment() -> None:
    sources = [*AWS_SRC.rglob("*.py"), *FUNCTIONS_DIR.glob("*/*.py")]
    offenders = {
        str(path.relative_to(REPO_ROOT)): lines
        for path in sources
        if path.name not in OPERATOR_CLIS and path != AWS_SRC / "settings.py"
        if (lines := _reads_environment(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}
    assert _reads_environment(ast.parse("import os\nx = os.environ.get('A')\ny = os.getenv('B')")) == [2, 3]
    assert _reads_environment(ast.parse("from os import environ")) == [1]


# ------------------------------------------------------------------------------------------------ the template
@dataclass
class _Module:
    """What a module's functions read of the settings and refer to by name (a name-level call graph)."""

    imports: set[Path] = field(default_factory=set)
    reads: dict[str, set[str]] = field(default_factory=dict)  # function name → variables
    refers: dict[str, set[str]] = field(default_factory=dict)  # function name → names it uses
    routes: set[str] = field(default_factory=set)  # functions registered by a decorator (`@router.get(...)`)


def _module_path(dotted: str) -> Path | None:
    if not dotted.startswith("credscore_aws"):
        return None
    base = REPO_ROOT / "src" / Path(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _settings_reads(node: ast.AST) -> set[str]:
    """`settings().<property>` anywhere under `node`, as variable names."""
    return {
        PROPERTIES[n.attr]
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Call)
        and isinstance(n.value.func, ast.Name)
        and n.value.func.id == "settings"
        and n.attr in PROPERTIES
    }


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _is_registration(decorator: ast.expr) -> bool:
    """`@router.get(...)`, `@app.exception_handler(...)`: called by the resolver, never by name."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id in {"app", "router"}
    )


def _parse(path: Path) -> _Module:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _Module()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            module.imports |= {p for a in node.names if (p := _module_path(a.name))}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found = _module_path(node.module)
            module.imports |= {found} if found else set()
            module.imports |= {p for a in node.names if (p := _module_path(f"{node.module}.{a.name}"))}
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            module.reads.setdefault(node.name, set()).update(_settings_reads(node))
            module.refers.setdefault(node.name, set()).update(_names(node))
            if any(_is_registration(d) for d in node.decorator_list):
                module.routes.add(node.name)
    # Module-level code runs at import (a cold start): what it reads is needed whatever is called.
    top = [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    module.reads["<module>"] = set().union(*(_settings_reads(n) for n in top))
    module.refers["<module>"] = set()
    return module


def _closure(root: Path) -> Iterator[Path]:
    seen, todo = {root}, [root]
    while todo:
        path = todo.pop()
        yield path
        for found in _parse(path).imports - seen:
            seen.add(found)
            todo.append(found)


def needed_variables(handler: Path) -> set[str]:
    """Variables the handler can reach: every function of the handler module, then (by name) every function of
    the credscore_aws modules it imports that those refer to, transitively."""
    modules = {path: _parse(path) for path in _closure(handler)}
    root = modules[handler]
    reached: set[tuple[Path, str]] = {(handler, name) for name in root.reads}
    reached |= {(path, "<module>") for path in modules}
    # Routers included by the API's resolver: each registered route is an entry point of the handler.
    reached |= {(path, name) for path, module in modules.items() for name in module.routes}
    todo = list(reached)
    while todo:
        path, name = todo.pop()
        for referred in modules[path].refers[name]:
            for other, module in modules.items():
                if referred in module.reads and (other, referred) not in reached:
                    reached.add((other, referred))
                    todo.append((other, referred))
    return set().union(*(modules[path].reads[name] for path, name in reached))


def _given(template: dict[str, Any]) -> dict[str, set[str]]:
    globals_env = set(template["Globals"]["Function"]["Environment"]["Variables"])
    return {
        logical: globals_env | set((body["Properties"].get("Environment") or {}).get("Variables") or {})
        for logical, body in template["Resources"].items()
        if body["Type"] == "AWS::Serverless::Function"
    }


def _handlers(template: dict[str, Any]) -> dict[str, Path]:
    return {
        logical: REPO_ROOT / str(body["Properties"]["CodeUri"]) / "app.py"
        for logical, body in template["Resources"].items()
        if body["Type"] == "AWS::Serverless::Function"
    }


def test_every_function_is_given_every_variable_its_code_reads() -> None:
    template = load_template()
    given = _given(template)
    needs = {logical: needed_variables(handler) for logical, handler in _handlers(template).items()}
    missing = {
        logical: sorted(needs[logical] - given[logical])
        for logical in needs
        if needs[logical] - given[logical]
    }
    assert missing == {}
    # The analysis finds what it must (a blind one would pass the check above trivially) ...
    assert needs["IngestFunction"] >= {
        "BUCKET_NAME",
        "TABLE_NAME",
        "IMAGE_BATCH_SIZE",
        "X_BEARER_TOKEN_PARAM",
    }
    assert needs["ApiFunction"] >= {"STATE_MACHINE_ARN", "PARTNER_REQUESTS_PER_MINUTE", "APPLICANT_PAGE_URL"}
    assert needs["AnalyzeImagesFunction"] >= {"ORT_THREADS", "BUCKET_NAME"}
    assert needs["WebhookDeliverFunction"] >= {
        "WEBHOOK_RETRY_BUDGET_SECONDS",
        "WEBHOOK_DEAD_LETTER_QUEUE_URL",
    }
    # ... and every declared variable is read by some function (no setting without a reader).
    assert set().union(*needs.values()) == set(VARIABLES)


def test_a_function_without_a_variable_it_reads_is_caught() -> None:
    template = load_template()
    del template["Resources"]["AnalyzeImagesFunction"]["Properties"]["Environment"]["Variables"][
        "ORT_THREADS"
    ]
    handler = _handlers(template)["AnalyzeImagesFunction"]
    assert "ORT_THREADS" in needed_variables(handler) - _given(template)["AnalyzeImagesFunction"]
