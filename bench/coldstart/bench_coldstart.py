"""Cold start (Lambda's init phase) of every function; writes BENCHMARKS-coldstart.md (repo root).

    python bench/coldstart/bench_coldstart.py [--runs 7] [--layers DIR] [--baseline JSON] [--save-json JSON]

Each run is a fresh interpreter that sees what the function sees in AWS and nothing else: its code folder first,
then its layers as `sam build` builds them (the layer Makefiles, built into a temporary folder unless --layers
names a folder holding <LayerLogicalId>/python), then the boto3/botocore pair the Lambda runtime provides
(compiled, as the runtime ships it), then the standard library (`-S`: no site-packages, no editable install of
src/). It imports the handler module as the runtime's init phase does, with the function's environment from
template.yaml, and reports the wall and CPU time of that import. `-B`: nothing is written back (a layer is
read-only in AWS, so a missing .pyc is compiled again at every cold start). Functions run round-robin so the
machine's other work spreads evenly; medians are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

import first_requests  # noqa: E402

from credscore_local.template import Resolver, load_template, parameter_defaults  # noqa: E402

# What the python3.13 runtime itself ships on its path (boto3 and its dependencies).
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")
GOALS_MS = {"AnalyzeImagesFunction": 1500.0}
DEFAULT_GOAL_MS = 800.0

NOTES = [
    "What the trims were (issue 15.5, 16.6): the layers ship compiled .pyc files (before, every cold start compiled",
    "every layer module again: a layer is read-only, so nothing is cached); botocore is the runtime's (before, the",
    "X-Ray SDK's dependency put an uncompiled 30 MiB botocore in front of it); the domain layer holds only the",
    "handlers' import closure. The handlers already import onnxruntime, vaderSentiment, py3langid and tweepy lazily",
    "(inside the functions that use them: see the packages loaded at init); their one-time loads are measured",
    "separately (the first-request column) and counted in the cold start.",
    "What remains at init is boto3 and its clients, powertools' Logger/Metrics/Tracer (the X-Ray SDK patches",
    "botocore and requests, so requests loads in every function) and pydantic model building.",
]

# What a cold execution environment's first request loads once, after init (the handlers load their models
# lazily): the same calls, timed in the same fresh interpreter right after the import.
FIRST_REQUEST = {
    "AnalyzeImagesFunction": "from credscore_aws.logic.images import moderator; moderator()",
    "AnalyzeTextFunction": first_requests.SENTIMENT,
    "AnalyzeProfanityFunction": first_requests.NAMES,
}

PROBE = """
import importlib, json, sys, time
sys.path[:0] = json.loads(sys.argv[1])
wall, cpu = time.perf_counter(), time.process_time()
importlib.import_module(sys.argv[2])
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
third = sorted({m.split(".")[0] for m in sys.modules} - set(sys.stdlib_module_names) - {"app"})
first_wall, first_cpu = time.perf_counter(), time.process_time()
exec(sys.argv[3])
first_wall, first_cpu = time.perf_counter() - first_wall, time.process_time() - first_cpu
print(json.dumps({"wall_ms": wall * 1000, "cpu_ms": cpu * 1000, "modules": len(sys.modules),
                  "first_wall_ms": first_wall * 1000, "first_cpu_ms": first_cpu * 1000,
                  "packages": [t for t in third if not t.startswith("_")]}))
"""


class _Placeholders(Resolver):
    """Resources do not exist here: their names and ARNs become placeholders (only their shape matters)."""

    def _ref(self, name: str) -> Any:
        try:
            return super()._ref(name)
        except Exception:
            return f"bench-{name}"

    def _getatt(self, logical: str, attr: str) -> str:
        return f"arn:aws:bench:us-east-1:123456789012:{logical}/{attr}"


def functions(root: Path) -> dict[str, dict[str, Any]]:
    """Each function's code folder, layers (in order) and environment, from template.yaml."""
    template = load_template(root / "template.yaml")
    resolver = _Placeholders(
        parameters=parameter_defaults(template),
        pseudo={"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"},
    )
    defaults = template.get("Globals", {}).get("Function", {})
    found = {}
    for logical, body in template["Resources"].items():
        if body["Type"] != "AWS::Serverless::Function":
            continue
        props = body["Properties"]
        env = {**defaults.get("Environment", {}).get("Variables", {})}
        env.update(props.get("Environment", {}).get("Variables", {}))
        found[logical] = {
            "code": root / props["CodeUri"],
            "layers": [x["Ref"] for x in [*defaults.get("Layers", []), *props.get("Layers", [])]],
            "environment": {k: str(resolver.resolve(v)) for k, v in env.items()},
            "memory": props.get("MemorySize", defaults.get("MemorySize")),
            "first_request": FIRST_REQUEST.get(logical, ""),
        }
    return found


def build_layers(root: Path, dest: Path) -> None:
    """The layers as `sam build` builds them: each layer's Makefile target into dest/<LogicalId>."""
    template = load_template(root / "template.yaml")
    for logical, body in template["Resources"].items():
        if body["Type"] != "AWS::Serverless::LayerVersion":
            continue
        artifacts = dest / logical
        artifacts.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["make", "-s", f"build-{logical}", f"ARTIFACTS_DIR={artifacts}", f"CREDSCORE_ROOT={root}"],
            cwd=root / body["Properties"]["ContentUri"],
            check=True,
        )


def runtime_dir(dest: Path) -> Path:
    """The runtime's own packages, compiled as the runtime ships them (copied from this interpreter's
    site-packages, which may hold no .pyc files)."""
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    dest.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        if (site / name).is_dir():
            shutil.copytree(site / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(site / name, dest / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(dest),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dest


def layer_sizes(layers: Path) -> dict[str, float]:
    return {
        folder.name: sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20
        for folder in sorted(layers.iterdir())
        if folder.is_dir()
    }


def measure_once(spec: dict[str, Any], layers: Path, runtime: Path) -> dict[str, Any]:
    path = [str(spec["code"]), *(str(layers / name / "python") for name in spec["layers"]), str(runtime)]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin"),
        "LANG": "C.UTF-8",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": spec["code"].name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec["memory"]),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "LAMBDA_TASK_ROOT": str(spec["code"]),
        **spec["environment"],
    }
    done = subprocess.run(
        [sys.executable, "-S", "-B", "-c", PROBE, json.dumps(path), "app", spec.get("first_request", "")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=spec["code"],
    )
    if done.returncode:
        raise RuntimeError(f"{spec['code'].name}: init failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure(root: Path, layers: Path, runs: int) -> dict[str, dict[str, Any]]:
    specs = functions(root)
    with tempfile.TemporaryDirectory(prefix="credscore-runtime-") as tmp:
        runtime = runtime_dir(Path(tmp) / "runtime")
        samples: dict[str, list[dict[str, Any]]] = {name: [] for name in specs}
        for round_ in range(runs):
            for name, spec in specs.items():
                samples[name].append(measure_once(spec, layers, runtime))
            print(f"round {round_ + 1}/{runs} done", file=sys.stderr, flush=True)
    return {
        name: {
            "wall_ms": statistics.median(s["wall_ms"] for s in runs_),
            "cpu_ms": statistics.median(s["cpu_ms"] for s in runs_),
            "first_wall_ms": statistics.median(s.get("first_wall_ms", 0.0) for s in runs_),
            "first_cpu_ms": statistics.median(s.get("first_cpu_ms", 0.0) for s in runs_),
            "modules": runs_[-1]["modules"],
            "packages": runs_[-1]["packages"],
        }
        for name, runs_ in samples.items()
    }


def measured_now() -> dict[str, Any]:
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        load = loadavg.read().split()[:3]
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "load": load}


def render(
    results: dict[str, Any],
    baseline: dict[str, Any] | None,
    sizes: dict[str, float],
    command: str,
    measured: dict[str, Any],
) -> str:
    cpu = platform.processor() or platform.machine()
    load = measured["load"]
    lines = [
        "# Cold starts",
        "",
        f"Generated by `{command}` (also `make bench`). "
        + (__doc__ or "").split("\n\n")[2].replace("\n", " "),
        "",
        f"- Date: {measured['date']}",
        f"- CPU: {cpu}; nproc: {os.cpu_count()}; load average {' / '.join(load)} while measured: other work "
        "(nice'd) shares the cores, so wall times are inflated; CPU time is the steadier number",
        f"- Python {platform.python_version()}; goal: init ≤ 1.5 s for AnalyzeImagesFunction, ≤ 0.8 s for the others",
        "",
        "Layer sizes (unzipped, MiB): " + ", ".join(f"{name} {mib:.1f}" for name, mib in sizes.items()),
        "",
    ]
    head = (
        "| function | init CPU ms | init wall ms | first request's one-time loads CPU / wall ms "
        "| cold start CPU ms (init + loads) | goal ms | modules | third-party packages loaded at init |"
    )
    rule = "|---|---:|---:|---:|---:|---:|---:|---|"
    if baseline:
        lines += [f"Before: {baseline['label']}.", ""]
        head = head.replace("| init CPU ms |", "| before CPU ms | init CPU ms |").replace(
            "| init wall ms |", "| before wall ms | init wall ms |"
        )
        rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    lines += [head, rule]
    for name, row in sorted(results.items()):
        goal = GOALS_MS.get(name, DEFAULT_GOAL_MS)
        first_cpu = float(row.get("first_cpu_ms", 0.0))
        total = row["cpu_ms"] + first_cpu
        cells = [name]
        before = (baseline or {}).get("results", {}).get(name)
        if baseline:
            cells.append(f"{before['cpu_ms']:.0f}" if before else "—")
        cells.append(f"{row['cpu_ms']:.0f}")
        if baseline:
            cells.append(f"{before['wall_ms']:.0f}" if before else "—")
        cells.append(f"{row['wall_ms']:.0f}")
        cells.append(f"{first_cpu:.0f} / {float(row.get('first_wall_ms', 0.0)):.0f}" if first_cpu else "–")
        cells.append(f"**{total:.0f}**" if total <= goal else f"{total:.0f}")
        cells += [f"{goal:.0f}", str(row["modules"]), ", ".join(row["packages"])]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Bold: within the goal. The goal is judged on what a cold request waits for before its own work: the init "
        "(the handler's import) plus what the first request loads once (the analysis functions build their models "
        "lazily, so the import alone would flatter them): CPU time, the steadier number on a shared machine.",
        "",
        *NOTES,
    ]
    return "\n".join(lines) + "\n"


def _shown(path: Path) -> str:
    return str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per function (median kept)")
    parser.add_argument("--layers", type=Path, help="built layers (<LogicalId>/python); default: build them")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose functions are measured")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=Path(__file__).with_name("baseline.json"),
        help="an earlier --save-json, shown as 'before' (default: main before the layer and init trims)",
    )
    parser.add_argument("--save-json", type=Path, help="also write the medians here")
    parser.add_argument("--label", default="", help="what this run measures (kept in --save-json)")
    parser.add_argument("--results", type=Path, help="render an earlier --save-json instead of measuring")
    parser.add_argument("--write", type=Path, default=ROOT / "BENCHMARKS-coldstart.md")
    args = parser.parse_args(argv)
    command = "python bench/coldstart/bench_coldstart.py" + (f" --runs {args.runs}" if args.runs != 7 else "")
    if args.layers:
        command += " --layers DIR"
    if args.results:
        saved = json.loads(args.results.read_text())
        results, sizes, measured, command = (
            saved["results"],
            saved["sizes_mib"],
            saved["measured"],
            saved["command"],
        )
    else:
        with tempfile.TemporaryDirectory(prefix="credscore-layers-") as tmp:
            layers = args.layers or Path(tmp)
            if args.layers is None:
                build_layers(args.root, layers)
            results = measure(args.root, layers, args.runs)
            sizes = layer_sizes(layers)
        measured = measured_now()
    if args.save_json:
        saved = {"label": args.label, "command": command, "measured": measured}
        args.save_json.write_text(
            json.dumps({**saved, "results": results, "sizes_mib": sizes}, indent=1) + "\n"
        )
    baseline = json.loads(args.baseline.read_text()) if args.baseline and args.baseline.is_file() else None
    args.write.write_text(render(results, baseline, sizes, command, measured), encoding="utf-8")
    print(args.write.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
