"""What the Lambda layers must hold, computed from the handlers' import closure.

    python tools/layer_contents.py copy DEST      copy the first-party modules some Lambda imports (and the
                                                   package data) into DEST (the domain layer's python/)
    python tools/layer_contents.py show           each function's first-party modules and third-party imports

Every import statement counts, also those inside functions (a lazy import runs in the Lambda too), except those
under `if TYPE_CHECKING:`; a module with a module-level `__getattr__` re-exports lazily, so its TYPE_CHECKING
imports count as well. Importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py`: those are included too.
"""

from __future__ import annotations

import ast
import shutil
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
FUNCTIONS = REPO / "functions"
# The packages a Lambda may import from src/ (the domain layer ships them); the command-line and local-stack
# packages never run in AWS.
LAYER_PACKAGES = ("credscore", "credscore_aws")
# Shipped by the Lambda Python runtime itself (see README, "Lambda layers").
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "awslambdaric"})


@dataclass
class Closure:
    first_party: set[str] = field(default_factory=set)  # dotted module names under LAYER_PACKAGES
    third_party: set[str] = field(default_factory=set)  # top-level import names outside stdlib and src/
    foreign_first_party: set[str] = field(default_factory=set)  # src/ packages a Lambda must not import


def module_file(name: str, src: Path = SRC) -> Path | None:
    """The source file of a dotted module name under src/, if it is one."""
    base = src.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(tree: ast.AST, init_only: bool) -> Iterable[ast.AST]:
    """Every node, skipping `if TYPE_CHECKING:` bodies and, for init_only, function bodies (they run later)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _nodes(ast.Module(body=node.orelse, type_ignores=[]), init_only)
            continue
        if init_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        yield node
        yield from _nodes(node, init_only)


def _literal_lookups(node: ast.AST) -> Iterable[str]:
    """`importlib.import_module("x")` and `find_spec("x")` use package x as surely as an import does."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("import_module", "find_spec") and isinstance(node.args[0].value, str):
            yield node.args[0].value


def _imports(tree: ast.Module, package: str, init_only: bool = False) -> Iterable[str]:
    """Dotted names a module imports ("from a import b" yields a and a.b: b may be a submodule)."""
    if any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body):
        # Lazy re-exports: the TYPE_CHECKING block lists what __getattr__ imports on first use.
        for node in tree.body:
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                node.test = ast.Constant(value=True)
    for node in _nodes(tree, init_only):
        yield from _literal_lookups(node)
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names if alias.name != "*")


@cache
def _imports_of(path: Path, package: str, init_only: bool) -> tuple[str, ...]:
    return tuple(_imports(ast.parse(path.read_text(encoding="utf-8")), package, init_only))


def import_closure(entry: Path, src: Path = SRC, init_only: bool = False) -> Closure:
    """The modules `entry` (a handler file) imports, transitively through src/; with init_only, only those
    imported while the handler module itself is imported (Lambda's init phase)."""
    closure = Closure()
    stdlib = sys.stdlib_module_names
    todo: list[tuple[Path, str]] = [(entry, "")]
    seen: set[Path] = set()
    while todo:
        path, package = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imports_of(path, package, init_only):
            top = name.split(".")[0]
            if not top or top in stdlib or top == "__future__":
                continue
            if not (src / top).is_dir():
                closure.third_party.add(top)
                continue
            if top not in LAYER_PACKAGES:
                closure.foreign_first_party.add(top)
                continue
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # the parent packages run first
                dotted = ".".join(parts[:depth])
                found = module_file(dotted, src)
                if found is None or dotted in closure.first_party:
                    continue
                closure.first_party.add(dotted)
                todo.append((found, dotted if found.name == "__init__.py" else dotted.rpartition(".")[0]))
    return closure


def handlers(functions: Path = FUNCTIONS) -> dict[str, Path]:
    return {path.parent.name: path for path in sorted(functions.glob("*/app.py"))}


def layer_modules(functions: Path = FUNCTIONS, src: Path = SRC) -> set[str]:
    """The union over every function: the domain layer is in every function's Globals."""
    return set().union(*(import_closure(path, src).first_party for path in handlers(functions).values()))


def package_data(src: Path = SRC, pyproject: Path = REPO / "pyproject.toml") -> list[Path]:
    """The data files pyproject declares for the layer's packages (what an install would ship)."""
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    return sorted(
        path
        for package, patterns in declared.items()
        if package in LAYER_PACKAGES
        for pattern in patterns
        for path in (src / package).glob(pattern)
        if path.is_file() and path.suffix not in (".py", ".pyc")
    )


def copy_layer(dest: Path, functions: Path = FUNCTIONS, src: Path = SRC) -> list[Path]:
    """Copy the modules some Lambda imports, and the package data, into dest; the files written."""
    files = [module_file(name, src) for name in sorted(layer_modules(functions, src))]
    written = []
    for path in [p for p in files if p is not None] + package_data(src):
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if argv[:1] == ["copy"] and len(argv) == 2:
        written = copy_layer(Path(argv[1]))
        print(f"{len(written)} files copied into {argv[1]}")
        return 0
    if argv == ["show"]:
        for name, path in handlers().items():
            closure, init = import_closure(path), import_closure(path, init_only=True)
            print(f"{name}: {len(closure.first_party)} modules; imports {sorted(closure.third_party)}")
            print(f"    at init: {len(init.first_party)} modules; imports {sorted(init.third_party)}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
