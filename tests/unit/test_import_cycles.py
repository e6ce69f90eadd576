"""No import cycle between the repository's modules (issue 15).

Every import counts, also one inside a function or under `TYPE_CHECKING`: a cycle that is only deferred is still two
modules that cannot be understood, moved or tested apart. `from package import name` is an edge to the submodule
when `name` is one, else to the package itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGES = ("credscore", "credscore_aws", "credscore_cli", "credscore_local")


def module_files(src: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in sorted((src / package).rglob("*.py")):
            parts = list(path.relative_to(src).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against this module's package
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                yield f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target


def import_graph(files: dict[str, Path]) -> dict[str, set[str]]:
    """Module → the repository modules it imports (outside modules left out)."""
    return {
        module: {target for target in _imported(module, path, files) if target in files and target != module}
        for module, path in files.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_repository_has_no_import_cycle() -> None:
    files = module_files(SRC, PACKAGES)
    assert len(files) > 100, "the walk found the packages"
    assert cycles(import_graph(files)) == []


def test_the_local_stack_facade_sits_on_top_of_its_parts() -> None:
    graph = import_graph(module_files(SRC, PACKAGES))
    assert {
        "credscore_local.provisioning",
        "credscore_local.event_pump",
        "credscore_local.executions",
    } <= graph["credscore_local.stack"]
    importers = {module for module, targets in graph.items() if "credscore_local.stack" in targets}
    assert not {m for m in importers if m.startswith("credscore_local.") and m != "credscore_local.__main__"}


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        # a deferred import inside a function still closes a cycle
        ({"a": "import p.b\n", "b": "def f():\n    from p.a import x\n"}, [["p.a", "p.b"]]),
        # so does one only made for type checking, and `from package import module`
        ({"a": "from p import b\n", "b": "if TYPE_CHECKING:\n    from p.a import X\n"}, [["p.a", "p.b"]]),
        # relative imports, three modules round
        (
            {"a": "from .b import x\n", "b": "from . import c\n", "c": "from p.a import y\n"},
            [["p.a", "p.b", "p.c"]],
        ),
        # a chain is no cycle, and outside packages are left out
        ({"a": "import os\nfrom p.b import x\n", "b": "from p.c import y\n", "c": "import json\n"}, []),
    ],
)
def test_cycle_finder(tmp_path: Path, sources: dict[str, str], expected: list[list[str]]) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "__init__.py").write_text("")
    for name, text in sources.items():
        (tmp_path / "p" / f"{name}.py").write_text(text)
    assert cycles(import_graph(module_files(tmp_path, ("p",)))) == expected
