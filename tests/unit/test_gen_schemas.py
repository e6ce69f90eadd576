"""tools/gen_schemas.py writes exactly the committed schema files, and its check tells a stale one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

import gen_schemas  # noqa: E402 (tools/ is not a package)


def test_the_committed_schemas_are_current() -> None:
    assert gen_schemas.stale() == [], "run `make schemas`"


def test_write_schema_writes_exactly_the_committed_files(tmp_path: Path) -> None:
    assert gen_schemas.main(["--check", "--out-dir", str(tmp_path)]) == 1  # not written yet
    assert gen_schemas.main(["--out-dir", str(tmp_path)]) == 0
    for name in ("profile.schema.json", "scoring-config.schema.json"):
        committed = (gen_schemas.SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == committed
    assert gen_schemas.main(["--check", "--out-dir", str(tmp_path)]) == 0


def test_the_check_names_the_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gen_schemas.main(["--out-dir", str(tmp_path)])
    edited = tmp_path / "profile.schema.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace('"title"', '"Title"', 1), encoding="utf-8")
    capsys.readouterr()
    assert gen_schemas.main(["--check", "--out-dir", str(tmp_path)]) == 1
    assert gen_schemas.stale(tmp_path) == ["profile.schema.json"]
    assert "profile.schema.json" in capsys.readouterr().out
