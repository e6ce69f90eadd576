"""The Lambda layers hold what the handlers import, and nothing else (tools/layer_contents.py)."""

from __future__ import annotations

import re
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from credscore_local.template import load_template

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

import layer_contents  # noqa: E402


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def _import_names() -> dict[str, set[str]]:
    """Distribution (normalised) → the top-level names it installs, from this environment."""
    names: dict[str, set[str]] = {}
    for top, dists in metadata.packages_distributions().items():
        for dist in dists:
            names.setdefault(_norm(dist), set()).add(top)
    return names


def _requirements(path: Path) -> list[str]:
    if not path.is_file():
        return []
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [_norm(re.split(r"[=<>\[;~ ]", line)[0]) for line in lines if line]


def _depends_on(dist: str) -> set[str]:
    """Every distribution `dist` requires, with any extra, transitively."""
    found: set[str] = set()
    todo = [dist]
    while todo:
        try:
            requires = metadata.requires(todo.pop()) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            name = _norm(re.split(r"[=<>\[;~ (!]", line)[0])
            if name not in found:
                found.add(name)
                todo.append(name)
    return found


@cache
def _layout() -> tuple[dict[str, Path], dict[str, list[str]]]:
    """Layer logical id → its folder; function folder name → its layers (Globals first, as SAM appends)."""
    template = load_template()
    globals_layers = template["Globals"]["Function"].get("Layers", [])
    layers, functions = {}, {}
    for logical, body in template["Resources"].items():
        props = body.get("Properties", {})
        if body["Type"] == "AWS::Serverless::LayerVersion":
            layers[logical] = REPO / props["ContentUri"]
        elif body["Type"] == "AWS::Serverless::Function":
            refs = [*globals_layers, *props.get("Layers", [])]
            functions[Path(props["CodeUri"]).name] = [ref["Ref"] for ref in refs]
    return layers, functions


@cache
def _closures(init_only: bool) -> dict[str, Any]:
    return {
        name: layer_contents.import_closure(path, init_only=init_only)
        for name, path in layer_contents.handlers().items()
    }


def test_every_function_in_the_template_has_a_handler() -> None:
    assert set(_layout()[1]) == set(layer_contents.handlers())


def test_the_domain_layer_ships_exactly_the_modules_the_handlers_import(tmp_path: Path) -> None:
    written = layer_contents.copy_layer(tmp_path)
    shipped = {
        ".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__")
        for p in written
        if p.suffix == ".py"
    }
    assert shipped == layer_contents.layer_modules()
    for name, closure in _closures(False).items():
        assert closure.first_party <= shipped, name
        assert not closure.foreign_first_party, f"{name} imports {closure.foreign_first_party}"
    assert not {m for m in shipped if m.startswith(("credscore.synth", "credscore.modelling"))}
    assert {"credscore_aws.runtime", "credscore.scoring.scorer", "credscore.analysis.images"} <= shipped
    data = {p.relative_to(tmp_path).as_posix() for p in written if p.suffix != ".py"}
    assert "credscore/data/texts.json" in data
    assert "credscore/data/default-scoring-config.json" in data


def test_each_layer_requirement_is_used_by_a_function_that_has_the_layer() -> None:
    layers, functions = _layout()
    closures = _closures(False)
    for logical, folder in layers.items():
        users = [name for name, refs in functions.items() if logical in refs]
        imported = set().union(*(closures[name].third_party for name in users))
        imported_dists = {d for d, tops in _import_names().items() if tops & imported}
        dependencies = set().union(*(_depends_on(d) for d in imported_dists))
        # A pin may also be a dependency of what is imported (numpy for py3langid, the tracer's X-Ray SDK).
        for file in ("requirements.txt", "requirements-no-deps.txt"):
            for dist in _requirements(folder / file):
                assert dist in imported_dists | dependencies, (
                    f"{logical} ships {dist}: no function of it uses it"
                )


def test_each_function_finds_what_it_imports_at_init_in_its_layers_or_the_runtime() -> None:
    layers, functions = _layout()
    for name, closure in _closures(True).items():
        provided = set(layer_contents.RUNTIME_PROVIDED)
        for logical in functions[name]:
            for file in ("requirements.txt", "requirements-no-deps.txt"):
                for dist in _requirements(layers[logical] / file):
                    provided |= _import_names()[dist]
        assert closure.third_party <= provided, f"{name} imports {closure.third_party - provided} at init"


def test_botocore_is_the_runtimes_not_shipped_in_a_layer() -> None:
    layers, _ = _layout()
    for folder in layers.values():
        for file in ("requirements.txt", "requirements-no-deps.txt"):
            assert not {"boto3", "botocore"} & set(_requirements(folder / file))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    pkg = src / "credscore"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import eager\n")
    (pkg / "sub" / "eager.py").write_text("import numpy\n")
    (pkg / "lazy.py").write_text("def f():\n    import onnxruntime\n    from credscore import late\n")
    (pkg / "late.py").write_text("import importlib.util\nimportlib.util.find_spec('nudenet')\n")
    (pkg / "typed.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import PIL\n")
    (pkg / "unused.py").write_text("import tweepy\n")
    (tmp_path / "app.py").write_text(
        "import json\nimport credscore.sub\nfrom credscore import lazy, typed\nimport credscore_cli\n"
    )
    (src / "credscore_cli").mkdir()
    (src / "credscore_cli" / "__init__.py").write_text("")
    return tmp_path


def test_the_closure_follows_lazy_imports_and_skips_type_checking(tree: Path) -> None:
    closure = layer_contents.import_closure(tree / "app.py", tree / "src")
    assert closure.first_party == {
        "credscore",
        "credscore.sub",
        "credscore.sub.eager",
        "credscore.lazy",
        "credscore.late",
        "credscore.typed",
    }
    assert closure.third_party == {"numpy", "onnxruntime", "nudenet"}
    assert closure.foreign_first_party == {"credscore_cli"}


def test_the_init_closure_leaves_function_bodies_out(tree: Path) -> None:
    closure = layer_contents.import_closure(tree / "app.py", tree / "src", init_only=True)
    assert "credscore.late" not in closure.first_party
    assert closure.third_party == {"numpy"}
