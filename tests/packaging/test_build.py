"""`sam build` (make-based layer builds, cross-installed for x86_64 Lambda) and Lambda's size limit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from credscore_local.template import load_template

REPO = Path(__file__).resolve().parents[2]
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
BUILD_DIR = REPO / ".aws-sam" / "build"

pytestmark = pytest.mark.slow


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


@pytest.fixture(scope="module")
def built() -> Path:
    if os.environ.get("CREDSCORE_SKIP_BUILD") != "1":
        result = subprocess.run(["make", "build"], cwd=REPO, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return BUILD_DIR


def test_every_function_with_its_layers_fits_lambda_unzipped_limit(built: Path) -> None:
    template = load_template()
    resources = template["Resources"]
    global_layers = [layer["Ref"] for layer in template["Globals"]["Function"]["Layers"]]
    for logical, body in resources.items():
        if body["Type"] != "AWS::Serverless::Function":
            continue
        layers = global_layers + [layer["Ref"] for layer in body["Properties"].get("Layers", [])]
        total = _size(built / logical) + sum(_size(built / layer) for layer in layers)
        assert total < LAMBDA_UNZIPPED_LIMIT, f"{logical}: {total / 2**20:.1f} MiB"


def test_layers_hold_linux_x86_64_binaries_and_the_model(built: Path) -> None:
    model_layer = built / "ImageModelLayer" / "python"
    assert (model_layer / "nudenet" / "320n.onnx").stat().st_size > 10_000_000
    extensions = list((model_layer / "onnxruntime").rglob("*.so"))
    assert extensions, "onnxruntime's native library is in the layer"
    assert any("x86_64" in p.name or "linux" in p.name or p.suffix == ".so" for p in extensions)
    domain = built / "DomainLayer" / "python"
    for package in (
        "credscore",
        "credscore_aws",
        "aws_lambda_powertools",
        "vaderSentiment",
        "better_profanity",
    ):
        assert (domain / package).is_dir(), package
    assert not (domain / "boto3").exists(), "boto3 comes with the Lambda runtime"
    language = built / "LanguageLayer" / "python"
    assert (language / "py3langid" / "data" / "model.npz.xz").is_file(), (
        "the language model ships in the layer"
    )
    assert not (domain / "numpy").exists(), "numpy only in the layers of the functions that use it"


def test_handlers_are_packaged(built: Path) -> None:
    for logical, body in load_template()["Resources"].items():
        if body["Type"] == "AWS::Serverless::Function":
            assert (built / logical / "app.py").is_file(), logical
