"""``yunmail init``: config file, TLS certificate and key, database; no silent overwrite."""

from __future__ import annotations

import dataclasses
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from yunmail.cli.commands_init import COMMENTS, render_config
from yunmail.cli.main import main
from yunmail.config import Settings, load_settings


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("YUNMAIL_CONFIG", "YUNMAIL_DATABASE_URL", "YUNMAIL_DATA_DIR", "YUNMAIL_HOSTNAME"):
        monkeypatch.delenv(name, raising=False)


def _init(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = main(["init", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_init_writes_config_certificate_key_and_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"

    code, result = _init(capsys, "--data-dir", str(data_dir), "--hostname", "mx.acme.test")

    assert code == 0
    assert result == {
        "config": str(data_dir / "yunmail.toml"),
        "data_dir": str(data_dir),
        "hostname": "mx.acme.test",
        "database": f"sqlite+aiosqlite:///{data_dir / 'yunmail.db'}",
        "tls": {
            "cert_file": str(data_dir / "tls" / "cert.pem"),
            "key_file": str(data_dir / "tls" / "key.pem"),
        },
    }
    assert all(path.is_file() for path in (data_dir / "yunmail.db", data_dir / "tls" / "cert.pem"))


def test_generated_config_loads_as_the_defaults_with_the_given_hostname(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(capsys, "--data-dir", str(tmp_path), "--hostname", "mx.acme.test")

    settings = load_settings(tmp_path / "yunmail.toml", env={})

    expected = load_settings(env={}, overrides={"hostname": "mx.acme.test", "data_dir": str(tmp_path)})
    assert settings == expected


def test_init_refuses_to_overwrite_an_existing_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(capsys, "--data-dir", str(tmp_path))
    (tmp_path / "yunmail.toml").write_text('hostname = "edited.test"\n', encoding="utf-8")

    code, error = _init(capsys, "--data-dir", str(tmp_path))

    assert (code, error["code"]) == (1, "CONFIG_EXISTS")
    assert (tmp_path / "yunmail.toml").read_text(encoding="utf-8") == 'hostname = "edited.test"\n'


def test_init_with_force_rewrites_config_and_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(capsys, "--data-dir", str(tmp_path), "--hostname", "old.test")

    code, _ = _init(capsys, "--data-dir", str(tmp_path), "--hostname", "new.test", "--force")

    assert code == 0
    assert load_settings(tmp_path / "yunmail.toml", env={}).hostname == "new.test"
    assert _certificate_names(tmp_path)[0] == "new.test"


def test_init_again_after_removing_the_config_keeps_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(capsys, "--data-dir", str(tmp_path))
    main(["enterprise", "create", "Acme", "--org", "acme", "--config", str(tmp_path / "yunmail.toml")])
    capsys.readouterr()
    (tmp_path / "yunmail.toml").unlink()
    _init(capsys, "--data-dir", str(tmp_path))
    capsys.readouterr()

    main(["enterprise", "list", "--json", "--config", str(tmp_path / "yunmail.toml")])

    assert [e["org_id"] for e in json.loads(capsys.readouterr().out)] == ["acme"]


def test_private_key_is_readable_by_its_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(capsys, "--data-dir", str(tmp_path))

    assert stat.S_IMODE((tmp_path / "tls" / "key.pem").stat().st_mode) == 0o600


def test_certificate_names_the_hostname_and_localhost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(capsys, "--data-dir", str(tmp_path), "--hostname", "mx.acme.test")

    assert _certificate_names(tmp_path) == ["mx.acme.test", "localhost"]


def test_hostname_defaults_to_the_settings_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, result = _init(capsys, "--data-dir", str(tmp_path))

    assert result["hostname"] == Settings().hostname


def test_initialised_data_dir_serves_administration_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(capsys, "--data-dir", str(tmp_path))

    code = main(
        [
            "enterprise",
            "create",
            "Acme",
            "--org",
            "acme",
            "--json",
            "--config",
            str(tmp_path / "yunmail.toml"),
        ]
    )

    assert (code, json.loads(capsys.readouterr().out)["org_id"]) == (0, "acme")


def test_every_settings_key_and_table_has_exactly_one_comment() -> None:
    paths: set[str] = set()
    for f in dataclasses.fields(Settings):
        paths.add(f.name)
        default = getattr(Settings(), f.name)
        if dataclasses.is_dataclass(default):
            paths.update(f"{f.name}.{inner.name}" for inner in dataclasses.fields(default))

    assert set(COMMENTS) == paths


def test_rendered_config_comments_every_key() -> None:
    lines = render_config(Settings()).splitlines()

    keys = [i for i, line in enumerate(lines) if " = " in line and not line.startswith("#")]
    assert keys
    assert all(lines[i - 1].startswith("# ") for i in keys)


def _certificate_names(data_dir: Path) -> list[str]:
    certificate = x509.load_pem_x509_certificate((data_dir / "tls" / "cert.pem").read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return names.get_values_for_type(x509.DNSName)
