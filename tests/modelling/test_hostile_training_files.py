"""`credscore model fit` on training files a careless or hostile export makes: each is refused with a message that
names what to fix (TrainingDataError, exit 2), never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from credscore.modelling.data import TrainingDataError, read_training_file, write_training_csv
from credscore_cli.main import main
from tests.modelling.conftest import simulated

pa = pytest.importorskip("pyarrow")  # pinned in requirements/dev.txt
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def good_csv(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("rows") / "rows.csv"
    write_training_csv(path, simulated(n=300)[0])
    return path.read_text(encoding="utf-8")


def _refused(path: Path) -> str:
    with pytest.raises(TrainingDataError) as caught:
        read_training_file(path)
    return str(caught.value)


def test_a_csv_column_named_twice_is_refused(tmp_path: Path, good_csv: str) -> None:
    # Each copy was appended to one column, twice as long as the others: IndexError deep in the fit.
    header, _, body = good_csv.partition("\n")
    path = tmp_path / "rows.csv"
    path.write_text(header.replace("skills", "connections") + "\n" + body, encoding="utf-8")
    assert _refused(path) == f"{path}: the column 'connections' appears more than once"


def test_a_parquet_column_named_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    columns = [pa.array(["good", "bad"]), pa.array([1.0, 2.0]), pa.array([3.0, 4.0])]
    pq.write_table(pa.Table.from_arrays(columns, names=["outcome", "likes", "likes"]), path)
    assert _refused(path) == f"{path}: the column 'likes' appears more than once"


def test_the_cli_says_so_with_exit_2_and_no_markup_left_in_the_text(
    tmp_path: Path, good_csv: str, capsys: pytest.CaptureFixture[str]
) -> None:
    header, _, body = good_csv.partition("\n")
    path = tmp_path / "rows.csv"
    path.write_text(header.replace("age_band", "outcome") + "\n" + body, encoding="utf-8")
    assert main(["model", "fit", "--data", str(path), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ")  # rich markup printed as text was "[red]error:[/red] ..."
    assert "the column 'outcome' appears more than once" in error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("row", "says"),
    [
        # The quote never closes: the rest of the file becomes one cell.
        (
            '"a1,2025-01-01,good,,,5\n' + "a2,2025-01-01,good,,,5\n" * 6000,
            "line 2: field larger than field limit",
        ),
        ("a1," + "9" * 200_000 + ",good,,,5\n", "line 2: field larger than field limit"),
    ],
    ids=["unterminated quote", "a 200,000-character cell"],
)
def test_a_csv_the_csv_module_refuses_names_the_line(tmp_path: Path, row: str, says: str) -> None:
    # csv.Error is no ValueError: it escaped the CLI as a traceback.
    path = tmp_path / "rows.csv"
    path.write_text(
        "application_id,scored_at,outcome,outcome_observed_at,age_band,likes\n" + row, encoding="utf-8"
    )
    assert _refused(path).startswith(f"{path}: {says}")


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_a_csv_not_in_utf8_says_so(tmp_path: Path, good_csv: str, encoding: str) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(good_csv.replace("a1,", "é1,", 1).encode(encoding))
    assert _refused(path) == f"{path}: not UTF-8 text; save the file as UTF-8 CSV"


def _parquet(path: Path, **columns: object) -> Path:
    pq.write_table(pa.table({"outcome": ["good", "bad", "good"], **columns}), path)
    return path


@pytest.mark.parametrize(
    ("column", "values", "type_name"),
    [
        (
            "scored_at",
            [1_700_000_000] * 3,
            "int64",
        ),  # AttributeError: 'int' object has no attribute 'isoformat'
        ("scored_at", [1.5] * 3, "double"),
        (
            "likes",
            [[1.0], [2.0], [3.0]],
            "list<element: double>",
        ),  # "setting an array element with a sequence"
        ("likes", [{"a": 1}] * 3, "struct<a: int64>"),
    ],
)
def test_a_parquet_column_of_the_wrong_type_is_refused_naming_it(
    tmp_path: Path, column: str, values: list[object], type_name: str
) -> None:
    extra = {} if column == "likes" else {"likes": [1.0, 2.0, 3.0]}
    path = _parquet(tmp_path / "rows.parquet", **extra, **{column: values})
    assert _refused(path) == f"{path}: the column {column!r} holds {type_name}, not {_WANTED[column]}"


_WANTED = {"scored_at": "ISO 8601 text, dates or timestamps", "likes": "numbers"}


def test_parquet_text_and_decimal_numbers_read_like_csv_cells(tmp_path: Path) -> None:
    from decimal import Decimal

    path = _parquet(
        tmp_path / "rows.parquet",
        likes=pa.array(["5", "abc", None], pa.large_string()),  # raised "could not convert string to float"
        skills=pa.array([Decimal(2), None, Decimal("3.5")], pa.decimal128(4, 1)),
        scored_at=pa.array(["2025-01-02T00:00:00Z", None, "2025-01-01"], pa.large_string()),
    )
    data = read_training_file(path)
    assert data.characteristics["likes"].tolist()[0] == 5.0
    assert np.isnan(data.characteristics["likes"][1:]).all()
    assert data.characteristics["skills"][[0, 2]].tolist() == [2.0, 3.5]
    assert np.isnan(data.characteristics["skills"][1])
    assert data.scored_at[0] - data.scored_at[2] == 86_400
    assert np.isnan(data.scored_at[1])


def test_a_file_where_no_characteristic_tells_good_from_bad_says_why_each_is_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It used to fail as "invalid scoring configuration: at least one characteristic must be enabled".
    rows = [f"{'bad' if i % 5 == 0 else 'good'},7,{(i // 5) % 20}\n" for i in range(400)]
    path = tmp_path / "rows.csv"
    path.write_text("outcome,connections,likes\n" + "".join(rows), encoding="utf-8")
    assert main(["model", "fit", "--data", str(path), "--out", str(tmp_path / "out")]) == 1
    error = " ".join(capsys.readouterr().err.split())
    assert error.startswith("error: the fit failed: no characteristic enters the model: ")
    assert "connections: no spread: every applicant falls in one bin" in error
    assert re.search(r"likes: information value 0\.00\d\d below 0\.02", error), error


def test_an_empty_outcome_is_named_in_the_refusal(tmp_path: Path) -> None:
    # The message listed the unknown values bare: an empty one read "unknown outcome value(s): " and nothing.
    path = tmp_path / "rows.csv"
    path.write_text("outcome,likes\ngood,1\n,2\nmaybe,3\n", encoding="utf-8")
    assert _refused(path) == "unknown outcome value(s): '', 'maybe' (use good, bad or indeterminate)"
