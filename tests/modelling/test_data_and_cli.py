"""Training rows from CSV/Parquet, and `credscore model fit` end to end on a file."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from credscore.modelling.configfmt import validate_config
from credscore.modelling.data import TrainingDataError, read_training_file, write_training_csv
from credscore_cli.main import main
from tests.modelling.conftest import simulated

HEADER = "application_id,scored_at,outcome,outcome_observed_at,age_band,attr_region,connections,skills\n"


def test_csv_rows_empty_means_missing_and_dates_parse(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        HEADER
        + "a1,2025-01-02T10:00:00Z,good,2025-06-01,18-24,north,120,\n"
        + "a2,2025-01-03T10:00:00+00:00,bad,2025-06-01,,south,,7\n"
        + "a3,,indeterminate,,25-34,,3.5,0\n",
        encoding="utf-8",
    )
    data = read_training_file(path)
    assert data.outcome.tolist() == [0, 1, -1]
    assert data.characteristics["connections"][0] == 120
    assert math.isnan(data.characteristics["connections"][1])
    assert math.isnan(data.characteristics["skills"][0])
    assert data.characteristics["skills"][2] == 0
    assert data.scored_at[1] - data.scored_at[0] == 86_400
    assert math.isnan(data.scored_at[2])
    assert data.age_band.tolist() == ["18-24", "", "25-34"]
    assert data.attributes["attr_region"].tolist() == ["north", "south", ""]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("application_id,outcome\na,good\n", "no characteristic column"),
        ("application_id,connections\na,1\n", "no 'outcome' column"),
        ("outcome,connections\nmaybe,1\n", "unknown outcome"),
        ("outcome,connections\ngood,1,2\n", "line 2 has 3 fields"),
    ],
)
def test_unusable_files_say_why(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TrainingDataError, match=message):
        read_training_file(path)


def test_csv_round_trip(tmp_path: Path) -> None:
    data, _ = simulated(n=300)
    write_training_csv(tmp_path / "rows.csv", data)
    back = read_training_file(tmp_path / "rows.csv")
    assert back.outcome.tolist() == data.outcome.tolist()
    for name, values in data.characteristics.items():
        assert np.array_equal(np.isnan(values), np.isnan(back.characteristics[name]))
        assert np.allclose(np.nan_to_num(values), np.nan_to_num(back.characteristics[name]))
    assert np.allclose(back.scored_at, data.scored_at)


def test_parquet_reads_like_csv(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")  # pinned in requirements/dev.txt; CSV needs nothing extra
    import pyarrow.parquet as pq

    data, _ = simulated(n=300)
    table = pa.table(
        {
            "application_id": data.application_id,
            "scored_at": [f"2025-01-01T00:{i // 60:02d}:{i % 60:02d}Z" for i in range(300)],
            "outcome": [{0: "good", 1: "bad", -1: "indeterminate"}[int(o)] for o in data.outcome],
            "age_band": data.age_band.tolist(),
            **{k: v for k, v in data.characteristics.items()},
        }
    )
    pq.write_table(table, tmp_path / "rows.parquet")
    back = read_training_file(tmp_path / "rows.parquet")
    assert back.outcome.tolist() == data.outcome.tolist()
    assert np.array_equal(np.isnan(back.characteristics["skills"]), np.isnan(data.characteristics["skills"]))
    assert back.scored_at[1] - back.scored_at[0] == 1


def test_model_fit_writes_config_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, _ = simulated(n=4000)
    write_training_csv(tmp_path / "rows.csv", data)
    out = tmp_path / "fitted"
    code = main(
        [
            "model",
            "fit",
            "--data",
            str(tmp_path / "rows.csv"),
            "--out",
            str(out),
            "--pdo",
            "40",
            "--base-score",
            "500",
            "--version",
            "cli-test",
            "--exclude",
            "likes",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "holdout AUC" in printed
    assert "connections" in printed
    assert "excluded by the fit's options" in printed
    document = validate_config((out / "scoring-config.json").read_text(encoding="utf-8"))
    assert document["version"] == "cli-test"
    assert document["scorecard"]["scaling"] == {"base_score": 500.0, "base_odds": 50.0, "pdo": 40.0}
    assert document["scorecard"]["characteristics"]["likes"]["enabled"] is False
    report = json.loads((out / "validation-report.json").read_text(encoding="utf-8"))
    assert report["options"]["excluded"] == ["likes"]
    assert "<html" in (out / "validation-report.html").read_text(encoding="utf-8")


def test_model_fit_bad_input_exits_2(tmp_path: Path) -> None:
    assert main(["model", "fit", "--data", str(tmp_path / "none.csv"), "--out", str(tmp_path)]) == 2
    (tmp_path / "x.csv").write_text("outcome,connections\ngood,1\n", encoding="utf-8")
    assert main(["model", "fit", "--data", str(tmp_path / "x.csv"), "--out", str(tmp_path / "o")]) == 1
    assert (
        main(
            [
                "model",
                "fit",
                "--data",
                str(tmp_path / "x.csv"),
                "--out",
                str(tmp_path),
                "--holdout-share",
                "2",
            ]
        )
        == 2
    )


def test_no_lambda_code_imports_the_modelling_package() -> None:
    repo = Path(__file__).resolve().parents[2]
    sources = [*repo.glob("functions/*/app.py"), *(repo / "src" / "credscore_aws").rglob("*.py")]
    sources += [p for p in (repo / "src" / "credscore").rglob("*.py") if "modelling" not in p.parts]
    assert sources
    importing = re.compile(r"^\s*(from|import)\s+credscore\.modelling", re.MULTILINE)
    offenders = [str(p) for p in sources if importing.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    # The domain layer ships the handlers' import closure only (tools/layer_contents.py): never the fitting code.
    sys.path.insert(0, str(repo / "tools"))
    import layer_contents

    shipped = layer_contents.layer_modules()
    assert "credscore.scoring.scorer" in shipped
    assert not [
        m for m in shipped if m.startswith(("credscore.modelling", "credscore_cli", "credscore.synth"))
    ]


def test_unreadable_or_infinite_numbers_are_missing(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("outcome,connections,skills\ngood,abc,1\nbad,inf,2\ngood,5,\n", encoding="utf-8")
    data = read_training_file(path)
    assert np.isnan(data.characteristics["connections"][:2]).all()
    assert data.characteristics["connections"][2] == 5
    assert data.characteristics["skills"][:2].tolist() == [1.0, 2.0]
