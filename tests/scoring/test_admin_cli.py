"""The admin CLI's main() against moto: output, exit codes (0 ok, 2 invalid configuration, 1 other errors)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from credscore.scoring.config import default_config_text
from credscore_cli import weights as admin_cli

PARAM = "/credscore/test/scoring-config"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = admin_cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = json.loads(default_config_text())
    good["version"] = "from-file"
    bad = dict(good, max_reasons=-1, normalised_range={"min": 1, "max": 0})
    paths = {"good": tmp_path / "good.json", "bad": tmp_path / "bad.json"}
    paths["good"].write_text(json.dumps(good))
    paths["bad"].write_text(json.dumps(bad))
    return paths


def test_validate_needs_no_aws(files: dict[str, Path]) -> None:
    code, out, _ = run("validate", str(files["good"]))
    assert code == 0
    assert "valid" in out
    assert "'from-file'" in out
    code, _, err = run("validate", str(files["bad"]))
    assert code == 2
    assert "max_reasons: Input should be greater than or equal to 0 (got -1)" in err


def test_set_show_history_diff_rollback(ssm: Any, files: dict[str, Path]) -> None:
    ssm.put_parameter(Name=PARAM, Value='{"version": "bootstrap"}', Type="String")
    code, out, _ = run("set", str(files["good"]), "--parameter-name", PARAM)
    assert (code, out.splitlines()[0]) == (0, f"stored {files['good']} as {PARAM} version 2")

    code, out, _ = run("--parameter-name", PARAM, "show")
    assert code == 0
    assert f"{PARAM} version 2 in force" in out
    assert json.loads(out.split("\n", 1)[1])["version"] == "from-file"

    code, out, _ = run("history", "--parameter-name", PARAM)
    lines = out.strip().splitlines()
    assert code == 0
    assert len(lines) == 2
    assert "'bootstrap'" in lines[0]
    assert "'from-file'" in lines[1]

    code, out, _ = run("diff", "1", "2", "--parameter-name", PARAM)
    assert code == 0
    assert '-  "version": "bootstrap"' in out
    assert '+  "version": "from-file"' in out

    code, out, _ = run("rollback", "1", "--parameter-name", PARAM)
    assert (code, out.strip()) == (0, f"version 1 written again as {PARAM} version 3")
    assert ssm.get_parameter(Name=PARAM)["Parameter"]["Version"] == 3


def test_set_refuses_an_invalid_file(ssm: Any, files: dict[str, Path]) -> None:
    ssm.put_parameter(Name=PARAM, Value='{"version": "bootstrap"}', Type="String")
    code, out, err = run("set", str(files["bad"]), "--parameter-name", PARAM)
    assert code == 2
    assert out == ""
    assert "  - max_reasons: " in err
    assert "is not a valid scoring configuration" in err
    assert ssm.get_parameter(Name=PARAM)["Parameter"]["Version"] == 1


def test_show_warns_when_the_last_good_version_is_in_force(ssm: Any) -> None:
    ssm.put_parameter(Name=PARAM, Value='{"version": "good"}', Type="String")
    ssm.put_parameter(Name=PARAM, Value='{"version": 5}', Type="String", Overwrite=True)
    code, out, err = run("show", "--parameter-name", PARAM)
    assert code == 0
    assert "version 1 in force" in out
    assert "parameter version 2 is invalid" in err
    assert "last good version 1 stays in force" in err


def test_parameter_name_comes_from_the_environment(ssm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ssm.put_parameter(Name=PARAM, Value='{"version": "env"}', Type="String")
    monkeypatch.setenv(admin_cli.ENV_PARAMETER, PARAM)
    code, out, _ = run("show")
    assert code == 0
    assert "'env'" in out


def test_single_scoring_config_parameter_is_found_without_a_name(
    ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(admin_cli.ENV_PARAMETER, raising=False)
    ssm.put_parameter(Name=PARAM, Value='{"version": "found"}', Type="String")
    code, out, _ = run("show")
    assert code == 0
    assert "'found'" in out


def test_other_errors_exit_1(ssm: Any, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(admin_cli.ENV_PARAMETER, raising=False)
    code, _, err = run("show")  # no name, nothing to discover: the documented default, which is absent
    assert code == 1
    assert f"{admin_cli.DEFAULT_PARAMETER}: parameter not found" in err
    code, _, err = run("show", "--parameter-name", "/nope")
    assert code == 1
    assert "not found" in err
    code, _, err = run("set", "/no/such/file.json", "--parameter-name", PARAM)
    assert code == 1
    code, _, _ = run("rollback", "notanumber")
    assert code == 1


def test_with_several_configurations_and_no_name_nothing_is_guessed(
    ssm: Any, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Several stages in one account: the CLI used the dev default, and `set` wrote (or created) it while the
    # admin meant another stage.
    monkeypatch.delenv(admin_cli.ENV_PARAMETER, raising=False)
    ssm.put_parameter(Name="/credscore/staging/scoring-config", Value='{"version": "staging"}', Type="String")
    ssm.put_parameter(Name="/credscore/prod/scoring-config", Value='{"version": "prod"}', Type="String")
    for action in (("show",), ("set", str(files["good"]))):
        code, _, err = run(*action)
        assert code == 1
        assert "several scoring configurations here (/credscore/prod/scoring-config, " in err
        assert "--parameter-name" in err
    assert "/credscore/dev/scoring-config" not in {
        p["Name"] for p in ssm.describe_parameters()["Parameters"]
    }, "nothing created"
    code, out, _ = run("show", "--parameter-name", "/credscore/prod/scoring-config")
    assert code == 0
    assert "'prod'" in out


def test_set_never_creates_a_parameter(ssm: Any, files: dict[str, Path]) -> None:
    code, _, err = run("set", str(files["good"]), "--parameter-name", "/credscore/prdo/scoring-config")
    assert code == 1
    assert "/credscore/prdo/scoring-config does not exist: deploy the stack" in err
    assert not ssm.describe_parameters()["Parameters"]


def test_show_json_round_trips_into_set(ssm: Any, files: dict[str, Path], tmp_path: Path) -> None:
    ssm.put_parameter(Name=PARAM, Value=files["good"].read_text(), Type="String")
    code, out, err = run("show", "--json", "--parameter-name", PARAM)
    assert code == 0
    assert f"{PARAM} version 1 in force" in err
    shown = tmp_path / "shown.json"
    shown.write_text(out)
    code, out, _ = run("set", str(shown), "--parameter-name", PARAM)
    assert code == 0, out
    assert "version 2" in out
    assert "new scores use it within 60 s" in out
    code, out, _ = run("diff", "1", "2", "--parameter-name", PARAM)
    assert "same content" in out


def test_a_local_endpoint_needs_no_aws_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    # Nothing listens on port 9: the call fails to connect, which proves region and credentials were settled.
    code, _, err = run("show", "--endpoint-url", "http://127.0.0.1:9", "--parameter-name", PARAM)
    assert code == 1
    assert "NoRegion" not in err
    assert "NoCredentials" not in err
    assert "127.0.0.1:9" in err
