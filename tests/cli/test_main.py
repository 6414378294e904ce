"""The command-line contract: where the config comes from, output formats, languages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.runner import Cli
from yunmail.cli.main import EXIT_USAGE, main


def test_human_output_keeps_chinese_text_readable(cli: Cli) -> None:
    outcome = cli("enterprise", "create", "云邮科技", "--org", "kmail", as_json=False)

    assert outcome.code == 0
    assert "name:       云邮科技" in outcome.stdout.splitlines()


def test_json_output_writes_chinese_unescaped(cli: Cli) -> None:
    outcome = cli("enterprise", "create", "云邮科技", "--org", "kmail")

    assert '"name": "云邮科技"' in outcome.stdout


def test_human_error_goes_to_stderr_with_its_code(cli: Cli) -> None:
    outcome = cli("enterprise", "show", "nosuch", as_json=False)

    assert (outcome.code, outcome.stdout) == (1, "")
    assert outcome.stderr == "error: Enterprise not found [ENTERPRISE_NOT_FOUND]\n"


def test_chinese_locale_gets_chinese_error_messages(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNMAIL_LANG", "zh_CN.UTF-8")

    outcome = cli("enterprise", "show", "nosuch")

    assert outcome.data == {"code": "ENTERPRISE_NOT_FOUND", "message": "企业不存在"}


def test_json_flag_and_config_may_come_before_the_command(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--json", "--config", str(config_file), "enterprise", "create", "Acme", "--org", "acme"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["org_id"] == "acme"


def test_config_comes_from_the_environment_when_not_given(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YUNMAIL_CONFIG", str(config_file))

    code = main(["enterprise", "list", "--json"])

    assert (code, json.loads(capsys.readouterr().out)) == (0, [])


def test_config_defaults_to_yunmail_toml_in_the_working_directory(
    config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("YUNMAIL_CONFIG", raising=False)
    monkeypatch.chdir(config_file.parent)

    code = main(["enterprise", "list", "--json"])

    assert (code, json.loads(capsys.readouterr().out)) == (0, [])


def test_missing_config_file_fails_with_config_invalid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("YUNMAIL_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)

    code = main(["enterprise", "list", "--json"])

    error = json.loads(capsys.readouterr().out)
    assert (code, error["code"]) == (1, "CONFIG_INVALID")
    assert "yunmail init" in error["message"]


def test_usage_error_exits_2_with_a_json_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["enterprise", "create", "Acme", "--json"])  # --org missing

    error = json.loads(capsys.readouterr().out)
    assert (code, error["code"]) == (EXIT_USAGE, "INVALID_INPUT")
    assert "--org" in error["message"]


def test_usage_error_without_json_prints_usage_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["mailbox", "explode"])

    captured = capsys.readouterr()
    assert (code, captured.out) == (EXIT_USAGE, "")
    assert captured.err.startswith("usage: yunmail mailbox")


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([])

    assert code == EXIT_USAGE
    assert "COMMAND" in capsys.readouterr().err


def test_version_flag_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--version"])

    assert (code, capsys.readouterr().out) == (0, "yunmail 0.1.0\n")


@pytest.mark.parametrize(
    "command",
    [
        ["init", "--help"],
        ["serve", "--help"],
        ["enterprise", "create", "--help"],
        ["domain", "add", "--help"],
        ["member", "add", "--help"],
        ["mailbox", "open", "--help"],
    ],
)
def test_every_command_of_the_stable_interface_has_help(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(command)

    assert code == 0
    assert "--config" in capsys.readouterr().out
