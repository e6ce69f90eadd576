"""Exit codes and messages of `credscore` for bad input (no local stack is started by these)."""

from __future__ import annotations

from pathlib import Path

import pytest

from credscore_cli.main import build_parser, main


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "score" in capsys.readouterr().out


def test_score_without_files_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score"]) == 2
    assert "at least one export" in capsys.readouterr().err


def test_score_with_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(tmp_path / "linkedin.zip")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_score_with_an_unknown_platform_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    assert main(["score", str(path)]) == 2
    assert "cannot tell which platform" in capsys.readouterr().err


def test_score_with_only_non_zip_files_reports_each_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("linkedin.zip", "facebook.zip"):
        (tmp_path / name).write_text("hello")
    assert main(["score", str(tmp_path / "linkedin.zip"), str(tmp_path / "facebook.zip")]) == 2
    err = capsys.readouterr().err
    assert "linkedin: linkedin.zip is not a zip archive" in err
    assert "facebook: facebook.zip is not a zip archive" in err
    assert "nothing to score" in err


def test_x_archive_and_handle_together_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    assert main(["score", str(path), "--x-handle", "someone"]) == 2
    assert "not both" in capsys.readouterr().err


def test_serve_with_a_web_dir_without_index_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--web-dir", str(tmp_path), "--api-url", "http://127.0.0.1:9"]) == 2
    assert "no index.html" in capsys.readouterr().err


def test_weights_parses_the_action_itself() -> None:
    args = build_parser().parse_args(["weights", "--local", "diff", "3", "4"])
    assert args.local
    assert (args.action, args.v1, args.v2) == ("diff", 3, 4)


def test_samples_requires_an_output_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["samples"]) == 2
    assert "--out" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from credscore import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"credscore {__version__}"


def test_an_unknown_platform_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    assert main(["score", f"tiktok={path}"]) == 2
    err = capsys.readouterr().err
    assert "tiktok: not a platform credscore reads" in err
    assert "no such file" not in err


def test_a_file_whose_name_holds_an_equals_sign_is_still_a_file(tmp_path: Path) -> None:
    from credscore_cli.inputs import select_exports

    path = tmp_path / "linkedin=old.zip"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    assert select_exports([str(path)]).sources == {"linkedin": [path]}
