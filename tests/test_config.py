"""Settings: the TOML keys of DESIGN §6, ``YUNMAIL_*`` overrides, validation and path resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from yunmail.config import Settings, load_settings, parse_host_port
from yunmail.errors import ConfigInvalid

DESIGN_EXAMPLE = """
hostname = "mail.example.test"
data_dir = "data"
database_url = "postgresql+asyncpg://yunmail@db.internal/yunmail"
[listen]
smtp = ["127.0.0.1:2525"]
submission = ["127.0.0.1:2587"]
smtps = ["127.0.0.1:2465"]
imap = ["127.0.0.1:2143"]
imaps = ["127.0.0.1:2993"]
pop3 = ["127.0.0.1:2110"]
pop3s = ["127.0.0.1:2995"]
http = ["127.0.0.1:8080", "[::1]:8080"]
[dns]
nameservers = ["127.0.0.1:5353"]
[delivery]
mx_port = 2526
"""


def _write(tmp_path: Path, text: str, name: str = "yunmail.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_design_example_file_loads_every_key(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, DESIGN_EXAMPLE), env={})

    assert settings.hostname == "mail.example.test"
    assert settings.database_url == "postgresql+asyncpg://yunmail@db.internal/yunmail"
    assert settings.listen.smtp == ("127.0.0.1:2525",)
    assert settings.listen.http == ("127.0.0.1:8080", "[::1]:8080")
    assert settings.dns.nameservers == ("127.0.0.1:5353",)
    assert settings.delivery.mx_port == 2526


def test_missing_keys_take_the_dev_defaults_of_design() -> None:
    settings = load_settings(env={})

    assert settings.listen.submission == ("127.0.0.1:2587",)
    assert settings.listen.pop3s == ("127.0.0.1:2995",)
    assert settings.dns.nameservers == ()
    assert settings.delivery.mx_port == 25


def test_environment_overrides_a_scalar_key(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, DESIGN_EXAMPLE), env={"YUNMAIL_HOSTNAME": "mx.corp.test"})

    assert settings.hostname == "mx.corp.test"


def test_environment_list_value_is_comma_separated(tmp_path: Path) -> None:
    env = {"YUNMAIL_LISTEN_SMTP": "127.0.0.1:25, [::1]:25"}

    settings = load_settings(_write(tmp_path, DESIGN_EXAMPLE), env=env)

    assert settings.listen.smtp == ("127.0.0.1:25", "[::1]:25")


def test_empty_environment_list_disables_a_listener() -> None:
    settings = load_settings(env={"YUNMAIL_LISTEN_POP3": ""})

    assert settings.listen.pop3 == ()


def test_environment_integer_key_is_converted() -> None:
    settings = load_settings(env={"YUNMAIL_DELIVERY_MX_PORT": "2525"})

    assert settings.delivery.mx_port == 2525


def test_environment_wins_over_the_file_for_nested_keys(tmp_path: Path) -> None:
    env = {"YUNMAIL_DNS_NAMESERVERS": "10.0.0.53"}

    settings = load_settings(_write(tmp_path, DESIGN_EXAMPLE), env=env)

    assert settings.dns.nameservers == ("10.0.0.53",)


def test_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        load_settings(_write(tmp_path, 'hostnmae = "typo.test"\n'), env={})

    assert caught.value.code == "CONFIG_INVALID"
    assert "hostnmae" in str(caught.value)


def test_unknown_key_in_a_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        load_settings(_write(tmp_path, '[listen]\nimap4 = ["127.0.0.1:143"]\n'), env={})

    assert "listen" in str(caught.value)


@pytest.mark.parametrize("address", ["127.0.0.1:99999", "127.0.0.1:http", "127.0.0.1", ":25"])
def test_listen_address_without_a_valid_host_and_port_is_refused(address: str) -> None:
    with pytest.raises(ConfigInvalid):
        load_settings(env={"YUNMAIL_LISTEN_IMAP": address})


@pytest.mark.parametrize("value", ["0", "70000", "-1"])
def test_outbound_mx_port_outside_1_to_65535_is_refused(value: str) -> None:
    with pytest.raises(ConfigInvalid):
        load_settings(env={"YUNMAIL_DELIVERY_MX_PORT": value})


def test_boolean_in_an_integer_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid):
        load_settings(_write(tmp_path, "[delivery]\nmx_port = true\n"), env={})


def test_string_where_a_list_is_expected_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid):
        load_settings(_write(tmp_path, '[listen]\nsmtp = "127.0.0.1:25"\n'), env={})


def test_invalid_trusted_network_is_refused() -> None:
    with pytest.raises(ConfigInvalid):
        load_settings(env={"YUNMAIL_TRUSTED_NETWORKS": "10.0.0.0/8,not-a-network"})


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid):
        load_settings(_write(tmp_path, "hostname = \n"), env={})


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        load_settings(tmp_path / "absent.toml", env={})

    assert "absent.toml" in str(caught.value)


def test_relative_data_dir_is_resolved_against_the_config_file_directory(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    settings = load_settings(_write(tmp_path / "etc", 'data_dir = "state"\n'), env={})

    assert Path(settings.data_dir) == tmp_path / "etc" / "state"
    assert settings.blob_dir == tmp_path / "etc" / "state" / "blobs"


def test_tls_files_default_to_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, 'data_dir = "data"\n'), env={})

    assert Path(settings.tls.cert_file) == tmp_path / "data" / "tls" / "cert.pem"
    assert Path(settings.tls.key_file) == tmp_path / "data" / "tls" / "key.pem"


def test_absolute_data_dir_is_kept(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, f'data_dir = "{tmp_path / "abs"}"\n'), env={})

    assert Path(settings.data_dir) == tmp_path / "abs"


def test_empty_database_url_means_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, 'data_dir = "data"\n'), env={})

    assert settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'yunmail.db'}"


def test_relative_sqlite_url_is_resolved_against_the_config_file_directory(tmp_path: Path) -> None:
    text = 'database_url = "sqlite+aiosqlite:///data/yunmail.db"\n'

    settings = load_settings(_write(tmp_path, text), env={})

    assert settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'yunmail.db'}"


def test_postgres_url_is_left_alone(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://u@localhost/db"

    settings = load_settings(env={"YUNMAIL_DATABASE_URL": url})

    assert settings.effective_database_url == url


def test_explicit_overrides_win_over_environment() -> None:
    settings = load_settings(env={"YUNMAIL_HOSTNAME": "env.test"}, overrides={"hostname": "cli.test"})

    assert settings.hostname == "cli.test"


def test_settings_are_immutable() -> None:
    settings = Settings()

    with pytest.raises(AttributeError):
        settings.hostname = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("127.0.0.1:25", ("127.0.0.1", 25)), ("[::1]:993", ("::1", 993)), ("localhost:0", ("localhost", 0))],
)
def test_host_port_parsing(text: str, expected: tuple[str, int]) -> None:
    assert parse_host_port(text) == expected


def test_bare_nameserver_takes_port_53() -> None:
    assert parse_host_port("10.0.0.53", default_port=53) == ("10.0.0.53", 53)
