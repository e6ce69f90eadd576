"""The labelled group/page names (tests/analysis/data/names-labelled.tsv), split for evaluation.

A fixed quarter of the names (by a hash of the name) is held out: the word lists and context rules were tuned
on the other three quarters only, so precision and recall on the held-out part estimate unseen names.
Shared by the tests and bench/analysis.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

NAMES = Path(__file__).parent / "data" / "names-labelled.tsv"


@dataclass(frozen=True)
class LabelledName:
    name: str
    profane: bool
    category: str

    @property
    def held_out(self) -> bool:
        return int(hashlib.sha256(self.name.encode()).hexdigest(), 16) % 4 == 0


@dataclass(frozen=True)
class Scores:
    n: int
    precision: float
    recall: float
    false_positives: list[str]
    false_negatives: list[str]


def labelled_names() -> list[LabelledName]:
    with NAMES.open(encoding="utf-8") as handle:
        return [
            LabelledName(row["name"], row["label"] == "profane", row["category"])
            for row in csv.DictReader(handle, delimiter="\t")
        ]


def evaluate(rows: list[LabelledName], flags: Callable[[str], bool]) -> Scores:
    verdicts = [(row, flags(row.name)) for row in rows]
    tp = sum(row.profane and got for row, got in verdicts)
    fp = [row.name for row, got in verdicts if got and not row.profane]
    fn = [row.name for row, got in verdicts if row.profane and not got]
    return Scores(
        n=len(rows),
        precision=tp / (tp + len(fp)) if tp + len(fp) else 0.0,
        recall=tp / (tp + len(fn)) if tp + len(fn) else 0.0,
        false_positives=fp,
        false_negatives=fn,
    )
