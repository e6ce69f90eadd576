"""`sam build` (make-based layer builds, cross-installed for x86_64 Lambda) and Lambda's size limit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from credscore.analysis.language import PLAIN_MODEL
from credscore_local.template import load_template

REPO = Path(__file__).resolve().parents[2]
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
BUILD_DIR = REPO / ".aws-sam" / "build"

pytestmark = pytest.mark.slow


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


_ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}


def _elf_machine(path: Path) -> str:
    """The architecture an ELF shared object is built for (its e_machine field), or why it is not one."""
    header = path.read_bytes()[:20]
    if header[:4] != b"\x7fELF":
        return "not ELF"
    if header[4] != 2 or header[5] != 1:
        return "not 64-bit little-endian"
    machine = int.from_bytes(header[18:20], "little")
    return _ELF_MACHINES.get(machine, hex(machine))


def test_elf_machine_reads_the_architecture(tmp_path: Path) -> None:
    """The check above cannot pass on anything but an x86-64 ELF file."""
    header = bytearray(b"\x7fELF" + bytes([2, 1, 1]) + bytes(13))
    header[18:20] = (0xB7).to_bytes(2, "little")
    (tmp_path / "arm.so").write_bytes(bytes(header))
    header[18:20] = (0x3E).to_bytes(2, "little")
    (tmp_path / "x86.so").write_bytes(bytes(header))
    (tmp_path / "text.so").write_bytes(b"not a binary at all")
    assert _elf_machine(tmp_path / "arm.so") == "aarch64"
    assert _elf_machine(tmp_path / "x86.so") == "x86_64"
    assert _elf_machine(tmp_path / "text.so") == "not ELF"


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
    for path in extensions:
        assert _elf_machine(path) == "x86_64", f"{path.name} is not an x86-64 Linux binary"
    # The Python extension module is built for the Lambda runtime's interpreter (CPython 3.13 on x86-64 Linux).
    assert any(p.name.endswith(".cpython-313-x86_64-linux-gnu.so") for p in extensions), [
        p.name for p in extensions
    ]
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
    assert not (domain / "credscore" / "modelling").exists(), "model fitting stays out of the Lambda layer"
    language = built / "LanguageLayer" / "python"
    assert (language / "py3langid" / "data" / "model.npz.xz").is_file(), (
        "the language model ships in the layer"
    )
    assert (language / "py3langid" / PLAIN_MODEL).stat().st_size > 50 * 2**20, (
        "decompressed by the build, not at every cold start"
    )
    assert not (domain / "numpy").exists(), "numpy only in the layers of the functions that use it"


def test_handlers_are_packaged(built: Path) -> None:
    for logical, body in load_template()["Resources"].items():
        if body["Type"] == "AWS::Serverless::Function":
            assert (built / logical / "app.py").is_file(), logical
