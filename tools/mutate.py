"""Mutation testing of the modules where a silent bug costs most (`make mutate`; MUTATION.md records the results).

Each target of tools/mutate.toml runs mutmut in its own scratch directory, .mutate/<target>/, so that every module
is tried only against its own fast tests: mutmut reads one configuration per directory ([tool.mutmut] of the
pyproject.toml there, generated from the repository's own pyproject plus the target) and keeps its mutants and
results in mutants/ beside it. The scratch directory links to the repository's files, so a run always mutates and
tests the working tree as it is.

    python tools/mutate.py                 every target
    python tools/mutate.py archive scorer  only these
    python tools/mutate.py --list          the targets and their tests

It prints, and writes to .mutate/summary.json, per target the mutants generated / killed / survived / timed out,
and the diff of every survivor (also in .mutate/<target>/survivors.txt).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "tools" / "mutate.toml"
WORK = REPO / ".mutate"
# The repository's top-level entries a test may read (template.yaml, samples/, functions/, web/...), copied into
# mutmut's mutants/ directory beside the mutated src/ and the tests.
SKIP_TOP = {".git", ".mutate", "src", "tests", "pyproject.toml", "node_modules"}

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code), grouped as MUTATION.md reports them.
STATUS: dict[int | None, str] = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
}
STATUS |= {
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    37: "type check",
    None: "not checked",
}


# The diff of each survivor, in one process (`mutmut show` per mutant restarts mutmut each time).
DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
for name, status in json.load(sys.stdin).items():
    print(f"## {name} ({status})")
    print(get_diff_for_mutant(name, path=sys.argv[1]))
    print()
"""


@dataclass(frozen=True)
class Target:
    name: str
    module: str  # a path under src/
    functions: list[str]
    tests: list[str]
    deselect: list[str]  # slow tests of those files that kill nothing the fast ones do not

    @property
    def dotted(self) -> str:
        return self.module.removeprefix("src/").removesuffix(".py").replace("/", ".")

    def mutant_globs(self) -> list[str]:
        return [f"{self.dotted}.{fn}__mutmut_*" if fn != "*" else f"{self.dotted}.*" for fn in self.functions]


def load_targets(path: Path = CONFIG) -> list[Target]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Target(t["name"], t["module"], list(t["functions"]), list(t["tests"]), list(t.get("deselect", [])))
        for t in data["target"]
    ]


def _toml_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False)  # a JSON list of strings is a TOML array


def mutmut_section(target: Target, also_copy: list[str]) -> str:
    deselect = [arg for test in target.deselect for arg in ("--deselect", test)]
    return "\n".join(
        [
            "",
            "[tool.mutmut]",
            'source_paths = ["src"]',
            f"only_mutate = {_toml_list([target.module])}",
            f"pytest_add_cli_args_test_selection = {_toml_list(target.tests)}",
            # -x: one failing test kills the mutant; no cache: nothing written between runs
            f"pytest_add_cli_args = {_toml_list(['-x', '-q', '-p', 'no:cacheprovider', *deselect])}",
            f"also_copy = {_toml_list(also_copy)}",
            # the scratch directory is no git checkout of its own
            "use_git_change_detection = false",
            "",
        ]
    )


def prepare(target: Target) -> Path:
    """A fresh scratch directory for the target: links to the repository, a pyproject with its [tool.mutmut]."""
    for path in [REPO / target.module, *(REPO / t for t in target.tests)]:
        if not path.exists():
            raise SystemExit(
                f"{target.name}: {path.relative_to(REPO)} does not exist (moved? fix tools/mutate.toml)"
            )
    work = WORK / target.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    also_copy = []
    for entry in sorted(REPO.iterdir()):
        if entry.name in SKIP_TOP or entry.name.startswith(".venv") or entry.name.endswith(".egg-info"):
            continue
        if entry.name.startswith(".") and entry.name not in {".ci"}:
            continue
        (work / entry.name).symlink_to(entry)
        also_copy.append(entry.name)
    for name in ("src", "tests"):
        (work / name).symlink_to(REPO / name)
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    (work / "pyproject.toml").write_text(pyproject + mutmut_section(target, also_copy), encoding="utf-8")
    return work


def results(target: Target, work: Path) -> dict[str, int | None]:
    """Exit code per mutant of the target's functions, read from mutmut's result file."""
    meta = json.loads((work / "mutants" / (target.module + ".meta")).read_text(encoding="utf-8"))
    codes: dict[str, int | None] = meta["exit_code_by_key"]
    globs = target.mutant_globs()
    return {name: code for name, code in codes.items() if any(fnmatch.fnmatchcase(name, g) for g in globs)}


def run(target: Target, mutmut: Path, children: int) -> dict[str, Any]:
    work = prepare(target)
    started = time.monotonic()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [str(mutmut), "run", "--max-children", str(children), *target.mutant_globs()]
    log = work / "mutmut.log"
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run(command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    seconds = round(time.monotonic() - started)
    if code.returncode != 0:
        raise SystemExit(f"{target.name}: mutmut failed ({code.returncode}); see {log}")
    by_mutant = results(target, work)
    counts = Counter(STATUS.get(c, "suspicious") for c in by_mutant.values())
    survivors = sorted(name for name, c in by_mutant.items() if STATUS.get(c, "suspicious") != "killed")
    diffs = subprocess.run(
        [sys.executable, "-c", DIFFS, target.module],
        cwd=work,
        env=env,
        input=json.dumps({name: STATUS.get(by_mutant[name], "suspicious") for name in survivors}),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    (work / "survivors.txt").write_text("\n".join(diffs), encoding="utf-8")
    return {
        "module": target.module,
        "functions": target.functions,
        "tests": target.tests,
        "seconds": seconds,
        "generated": len(by_mutant),
        **{status: counts.get(status, 0) for status in ("killed", "survived", "timeout", "no tests")},
        "other": sum(n for s, n in counts.items() if s not in {"killed", "survived", "timeout", "no tests"}),
        "not_killed": {name: STATUS.get(by_mutant[name], "suspicious") for name in survivors},
    }


def markdown_table(summary: dict[str, Any]) -> str:
    rows = [
        "| target | module (functions) | generated | killed | survived | timed out | no tests | seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in summary.items():
        functions = (
            "all"
            if r["functions"] == ["*"]
            else ", ".join(f.split("ǁ")[-1].removeprefix("x_") for f in r["functions"])
        )
        rows.append(
            f"| {name} | `{r['module']}` ({functions}) | {r['generated']} | {r['killed']} | {r['survived']} "
            f"| {r['timeout']} | {r['no tests']} | {r['seconds']} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("targets", nargs="*", help="target names (default: all)")
    parser.add_argument("--list", action="store_true", help="print the targets and exit")
    parser.add_argument(
        "--table", action="store_true", help="print .mutate/summary.json as MUTATION.md's table"
    )
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2, help="mutants tested at once")
    args = parser.parse_args(argv)
    targets = load_targets()
    if args.list:
        for t in targets:
            print(f"{t.name}: {t.module} [{', '.join(t.functions)}] <- {' '.join(t.tests)}")
        return 0
    if args.table:
        print(markdown_table(json.loads((WORK / "summary.json").read_text(encoding="utf-8"))))
        return 0
    unknown = set(args.targets) - {t.name for t in targets}
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    by_name = {t.name: t for t in targets}
    chosen = [by_name[name] for name in args.targets] if args.targets else targets
    mutmut = Path(sys.executable).with_name("mutmut")
    summary_path = WORK / "summary.json"
    started = time.monotonic()
    for target in chosen:
        print(f"== {target.name}: {target.module}", flush=True)
        outcome = run(target, mutmut, args.children)
        print(
            f"   {outcome['generated']} mutants: {outcome['killed']} killed, {outcome['survived']} survived, "
            f"{outcome['timeout']} timed out, {outcome['no tests']} without tests ({outcome['seconds']} s)",
            flush=True,
        )
        for name, status in outcome["not_killed"].items():
            print(f"   {status}: {name}")
        # Read again just before writing: another run of this script may have added its targets meanwhile.
        summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
        summary[target.name] = outcome
        summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"total {round(time.monotonic() - started)} s; survivors' diffs in .mutate/<target>/survivors.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
