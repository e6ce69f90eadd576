"""Training rows (one per scored application with an outcome), read from CSV or Parquet into numpy columns.

Columns (the shared training-row format): `application_id`, `scored_at` (ISO 8601), `outcome`
(`good` | `bad` | `indeterminate`), `outcome_observed_at`, `age_band` (may be empty), optional test attributes
`attr_*`, and one numeric column per characteristic named by its FeatureId value (empty = missing). Parquet is
read with pyarrow when it is installed; CSV needs nothing beyond the standard library and numpy.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from credscore.scoring.config import FeatureId

CHARACTERISTICS = [f.value for f in FeatureId]
BASE_COLUMNS = ["application_id", "scored_at", "outcome", "outcome_observed_at", "age_band"]
OUTCOMES = {"good": 0, "bad": 1, "indeterminate": -1}


class TrainingDataError(ValueError):
    """The file cannot be used for fitting; the message says what to fix."""


@dataclass
class TrainingData:
    application_id: list[str]
    scored_at: NDArray[np.float64]  # POSIX seconds; NaN when absent or unreadable
    outcome: NDArray[np.int8]  # 1 bad, 0 good, -1 indeterminate
    age_band: NDArray[np.str_]
    characteristics: dict[str, NDArray[np.float64]]  # NaN = missing
    attributes: dict[str, NDArray[np.str_]] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.outcome.size)

    def subset(self, mask: NDArray[np.bool_]) -> TrainingData:
        ids = [a for a, keep in zip(self.application_id, mask.tolist(), strict=True) if keep]
        return TrainingData(
            application_id=ids,
            scored_at=self.scored_at[mask],
            outcome=self.outcome[mask],
            age_band=self.age_band[mask],
            characteristics={k: v[mask] for k, v in self.characteristics.items()},
            attributes={k: v[mask] for k, v in self.attributes.items()},
        )


def _timestamp(text: str) -> float:
    if not text:
        return math.nan
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return math.nan
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


def _numbers(values: Any) -> NDArray[np.float64]:
    if isinstance(values, np.ndarray):
        out_array: NDArray[np.float64] = np.where(np.isfinite(values), values, np.nan).astype(np.float64)
        return out_array
    out = []
    for v in values:
        if v is None or v == "":
            out.append(math.nan)
            continue
        try:
            number = float(v)
        except (TypeError, ValueError):
            number = math.nan
        out.append(number if math.isfinite(number) else math.nan)
    return np.array(out, dtype=np.float64)


def from_columns(columns: dict[str, Any]) -> TrainingData:
    """Build and check the training data from named columns of equal length."""
    if "outcome" not in columns:
        raise TrainingDataError("no 'outcome' column (good | bad | indeterminate)")
    found = [c for c in CHARACTERISTICS if c in columns]
    if not found:
        raise TrainingDataError(f"no characteristic column; expected some of: {', '.join(CHARACTERISTICS)}")
    raw_outcomes = [str(v or "").strip().lower() for v in columns["outcome"]]
    unknown = sorted({v for v in raw_outcomes if v not in OUTCOMES})
    if unknown:
        shown = ", ".join(repr(v) for v in unknown[:5])  # quoted: an empty cell must show as ''
        raise TrainingDataError(f"unknown outcome value(s): {shown} (use good, bad or indeterminate)")
    n = len(raw_outcomes)
    ids = [str(v) for v in columns.get("application_id", [str(i) for i in range(n)])]
    scored = columns.get("scored_at")
    return TrainingData(
        application_id=ids,
        scored_at=np.array([_timestamp(str(v or "")) for v in scored] if scored else [math.nan] * n),
        outcome=np.array([OUTCOMES[v] for v in raw_outcomes], dtype=np.int8),
        age_band=np.array([str(v or "") for v in columns.get("age_band", [""] * n)], dtype=np.str_),
        characteristics={c: _numbers(columns[c]) for c in found},
        attributes={
            c: np.array([str(v or "") for v in columns[c]], dtype=np.str_)
            for c in columns
            if c.startswith("attr_")
        },
    )


_CHUNK = 50_000


def read_csv(path: Path) -> TrainingData:
    """Read in chunks: each chunk is transposed and its numbers converted by numpy in C, so a million rows
    take seconds and never sit in memory as text all at once."""
    try:
        return from_columns(_csv_columns(path))
    except UnicodeDecodeError:
        raise TrainingDataError(f"{path}: not UTF-8 text; save the file as UTF-8 CSV") from None


def _records(path: Path, reader: Any) -> Iterator[list[str]]:
    """The reader's rows; what the csv module refuses (a cell over its limit, as when a quote never closes)
    is a TrainingDataError naming the line the record starts on."""
    while True:
        start = reader.line_num + 1
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TrainingDataError(f"{path}: line {start}: {exc}") from None


def _csv_columns(path: Path) -> dict[str, Any]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        records = _records(path, reader)
        header = next(records, None)
        if header is None:
            raise TrainingDataError(f"{path}: empty file")
        width = len(header)
        _refuse_repeated(path, header)
        wanted = [(j, name) for j, name in enumerate(header) if _wanted(name)]
        numbers: dict[str, list[NDArray[np.float64]]] = {n: [] for _, n in wanted if n in CHARACTERISTICS}
        strings: dict[str, list[str]] = {n: [] for _, n in wanted if n not in CHARACTERISTICS}
        line = 2
        while chunk := list(itertools.islice(records, _CHUNK)):
            for offset, row in enumerate(chunk):
                if len(row) != width:
                    raise TrainingDataError(
                        f"{path}: line {line + offset} has {len(row)} fields, the header {width}"
                    )
            line += len(chunk)
            columns = list(zip(*chunk, strict=True))
            for j, name in wanted:
                if name in numbers:
                    numbers[name].append(_parse_numbers(columns[j]))
                else:
                    strings[name].extend(columns[j])
    merged: dict[str, Any] = {**strings}
    for name, parts in numbers.items():
        merged[name] = np.concatenate(parts) if parts else np.empty(0)
    return merged


def _parse_numbers(values: tuple[str, ...]) -> NDArray[np.float64]:
    text = np.array(values, dtype=np.str_)
    text[text == ""] = "nan"
    try:
        parsed = text.astype(np.float64)
    except ValueError:  # some cell is not a number: parse one by one, unreadable cells become missing
        parsed = np.array([_number(v) for v in values], dtype=np.float64)
    out: NDArray[np.float64] = np.where(np.isfinite(parsed), parsed, np.nan)
    return out


def _number(text: str) -> float:
    if not text:
        return math.nan
    try:
        number = float(text)
    except ValueError:
        return math.nan
    return number if math.isfinite(number) else math.nan


def _wanted(name: str) -> bool:
    return name in BASE_COLUMNS or name in CHARACTERISTICS or name.startswith("attr_")


def _refuse_repeated(path: Path, names: list[str]) -> None:
    """Two columns of one name would be read as one column twice as long as the others."""
    seen: set[str] = set()
    for name in names:
        if _wanted(name) and name in seen:
            raise TrainingDataError(f"{path}: the column {name!r} appears more than once")
        seen.add(name)


def read_parquet(path: Path) -> TrainingData:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise TrainingDataError(
            "reading Parquet needs pyarrow (pip install pyarrow); or give the rows as CSV"
        ) from None
    _refuse_repeated(path, pq.read_schema(path).names)
    table = pq.read_table(path)
    columns: dict[str, list[Any]] = {}
    for name in table.column_names:
        if not _wanted(name):
            continue
        column = table.column(name)
        kind = column.type
        if pa.types.is_dictionary(kind):
            column, kind = column.cast(kind.value_type), kind.value_type
        text = pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)
        if name in CHARACTERISTICS:
            if text:  # read like CSV cells: what is not a number is missing
                columns[name] = _numbers(column.to_pylist()).tolist()
            elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
                values = column.to_numpy(zero_copy_only=False).astype(np.float64)  # None → NaN
                columns[name] = _numbers(values).tolist()
            else:
                raise TrainingDataError(f"{path}: the column {name!r} holds {kind}, not numbers")
        elif name == "scored_at" and not text:
            if not (pa.types.is_timestamp(kind) or pa.types.is_date(kind)):
                raise TrainingDataError(
                    f"{path}: the column {name!r} holds {kind}, not ISO 8601 text, dates or timestamps"
                )
            columns[name] = [v.isoformat() if v is not None else "" for v in column.to_pylist()]
        else:
            columns[name] = column.to_pylist()
    return from_columns(columns)


def read_training_file(path: Path) -> TrainingData:
    if not path.is_file():
        raise TrainingDataError(f"{path}: no such file")
    if path.suffix.lower() in (".parquet", ".pq"):
        return read_parquet(path)
    return read_csv(path)


def write_training_csv(path: Path, data: TrainingData) -> None:
    """The inverse of `read_csv` (tests and the population generator)."""
    names = {v: k for k, v in OUTCOMES.items()}
    chars = list(data.characteristics)
    attrs = list(data.attributes)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*BASE_COLUMNS, *attrs, *chars])
        columns = [data.characteristics[c] for c in chars]
        for i in range(len(data)):
            ts = data.scored_at[i]
            when = "" if math.isnan(ts) else dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()
            writer.writerow(
                [
                    data.application_id[i],
                    when,
                    names[int(data.outcome[i])],
                    "",
                    data.age_band[i],
                    *(data.attributes[a][i] for a in attrs),
                    *("" if math.isnan(col[i]) else repr(float(col[i])) for col in columns),
                ]
            )
