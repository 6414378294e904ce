"""CLI fixtures: a config file on the test's backend and an in-process runner for ``yunmail ...``."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.runner import Cli, Outcome
from support.dns_server import dns_zone
from yunmail.cli.main import main


@pytest.fixture
def config_file(tmp_path: Path, database_url: str) -> Path:
    """A config file whose database is the test's backend (SQLite copy or PostgreSQL)."""
    path = tmp_path / "yunmail.toml"
    path.write_text(f'data_dir = "data"\ndatabase_url = "{database_url}"\n', encoding="utf-8")
    return path


@pytest.fixture
def cli(config_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Run ``yunmail ARGS --config <config_file>`` in-process; ``as_json`` adds ``--json``."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("YUNMAIL_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)

    def run(*args: str, as_json: bool = True) -> Outcome:
        capsys.readouterr()
        code = main([*args, "--config", str(config_file), *(["--json"] if as_json else [])])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


__all__ = ["cli", "config_file", "dns_zone"]
