"""Typed settings: read once from TOML plus ``YUNMAIL_*`` environment overrides, then validated.

Keys follow ``DESIGN.md`` §6 and are a stable interface. An environment variable overrides a key by
its path in upper case joined with ``_``: ``YUNMAIL_DATABASE_URL``, ``YUNMAIL_LISTEN_SMTP`` (a
comma-separated list), ``YUNMAIL_DELIVERY_MX_PORT``. Relative paths are resolved against the
directory holding the config file. No I/O happens after ``load_settings`` returns.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yunmail.errors import ConfigInvalid

LISTENER_NAMES = ("smtp", "submission", "smtps", "imap", "imaps", "pop3", "pop3s", "http", "https")


@dataclass(frozen=True, slots=True)
class ListenSettings:
    """``host:port`` lists per listener; port 0 asks the OS for a free port (tests)."""

    smtp: tuple[str, ...] = ("127.0.0.1:2525",)
    submission: tuple[str, ...] = ("127.0.0.1:2587",)
    smtps: tuple[str, ...] = ("127.0.0.1:2465",)
    imap: tuple[str, ...] = ("127.0.0.1:2143",)
    imaps: tuple[str, ...] = ("127.0.0.1:2993",)
    pop3: tuple[str, ...] = ("127.0.0.1:2110",)
    pop3s: tuple[str, ...] = ("127.0.0.1:2995",)
    http: tuple[str, ...] = ("127.0.0.1:8080",)
    https: tuple[str, ...] = ("127.0.0.1:8443",)


@dataclass(frozen=True, slots=True)
class TlsSettings:
    cert_file: str = "tls/cert.pem"
    key_file: str = "tls/key.pem"


@dataclass(frozen=True, slots=True)
class DnsSettings:
    nameservers: tuple[str, ...] = ()  # "127.0.0.1:5353" style; empty = system resolver
    timeout_seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    mx_port: int = 25


@dataclass(frozen=True, slots=True)
class LimitSettings:
    message_size_bytes: int = 100 * 1024 * 1024
    recycle_bin_days: int = 30
    trial_days: int = 15


@dataclass(frozen=True, slots=True)
class WebSettings:
    # Extra names that serve every portal (console, API, webmail) besides ``hostname``, the
    # deployment's webmail host, localhost and IP literals; e.g. a load balancer's name.
    platform_hosts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServerSettings:
    # Serving processes per node; 0 = one per CPU core. They share the listening sockets and
    # coordinate through the database and the event bus, as separate nodes do. Default 1 until a
    # rare stop that never finishes with several processes is found (see the README).
    processes: int = 1

    @property
    def effective_processes(self) -> int:
        return self.processes if self.processes > 0 else max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Settings:
    hostname: str = "mail.example.test"
    data_dir: str = "data"
    database_url: str = ""  # empty = SQLite file in data_dir
    redis_url: str = ""  # empty = in-process counters and events
    trusted_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    listen: ListenSettings = field(default_factory=ListenSettings)
    tls: TlsSettings = field(default_factory=TlsSettings)
    dns: DnsSettings = field(default_factory=DnsSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    web: WebSettings = field(default_factory=WebSettings)
    server: ServerSettings = field(default_factory=ServerSettings)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_path / 'yunmail.db'}"

    @property
    def blob_dir(self) -> Path:
        return self.data_path / "blobs"


def load_settings(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read the TOML file (if any), apply environment and explicit overrides, validate."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    base_dir = Path.cwd()
    if path is not None:
        config_path = Path(path)
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigInvalid(detail=f"config file {config_path} not found") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigInvalid(detail=f"{config_path}: {exc}") from exc
        base_dir = config_path.resolve().parent
    _apply_env(raw, env)
    for key, value in (overrides or {}).items():
        _set_path(raw, key.split("."), value)
    settings = _build(Settings, raw, "")
    return _resolve_paths(settings, base_dir)


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    for path, kind in _leaf_paths(Settings, ()):
        name = "YUNMAIL_" + "_".join(path).upper()
        if name in env:
            value: Any = env[name]
            if kind == "tuple":
                value = [item.strip() for item in env[name].split(",") if item.strip()]
            _set_path(raw, list(path), value)


def _leaf_paths(cls: type[Any], prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = []
    for f in dataclasses.fields(cls):
        default = _default_of(f)
        if dataclasses.is_dataclass(default):
            out.extend(_leaf_paths(type(default), (*prefix, f.name)))
        else:
            out.append(((*prefix, f.name), "tuple" if isinstance(default, tuple) else "scalar"))
    return out


def _default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def _set_path(raw: dict[str, Any], path: list[str], value: Any) -> None:
    node = raw
    for part in path[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigInvalid(detail=f"'{part}' must be a table")
    node[path[-1]] = value


def _build(cls: type[Any], raw: Mapping[str, Any], where: str) -> Any:
    if not isinstance(raw, Mapping):
        raise ConfigInvalid(detail=f"[{where}] must be a table")
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ConfigInvalid(detail=f"unknown key(s) {sorted(unknown)} in [{where or 'top level'}]")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        default = _default_of(known[name])
        key = f"{where}.{name}" if where else name
        values[name] = _coerce(default, value, key)
    return cls(**values)


def _coerce(default: Any, value: Any, key: str) -> Any:
    if dataclasses.is_dataclass(default):
        return _build(type(default), value, key)
    if isinstance(default, bool):
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.lower() in ("1", "true", "yes")
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        try:
            # int(True) and int(2.5) would silently "work"; a TOML bool or float is a mistake.
            if isinstance(value, bool | float):
                raise ValueError(value)
            number = int(value)
        except (TypeError, ValueError):
            pass
        else:
            if number >= 0:
                return number
    elif isinstance(default, float):
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    elif isinstance(default, tuple):
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(value)
    elif isinstance(default, str) and isinstance(value, str):
        return value
    raise ConfigInvalid(detail=f"'{key}' has an invalid value {value!r}")


def _resolve_paths(settings: Settings, base_dir: Path) -> Settings:
    data_dir = Path(settings.data_dir)
    if not data_dir.is_absolute():
        data_dir = base_dir / data_dir
    tls = settings.tls
    cert, key = Path(tls.cert_file), Path(tls.key_file)
    if not cert.is_absolute():
        cert = data_dir / cert
    if not key.is_absolute():
        key = data_dir / key
    for name in LISTENER_NAMES:
        for address in getattr(settings.listen, name):
            parse_host_port(address)
    for address in settings.dns.nameservers:
        parse_host_port(address, default_port=53)
    if not 1 <= settings.delivery.mx_port <= 65535:
        raise ConfigInvalid(detail=f"'delivery.mx_port' must be 1-65535, not {settings.delivery.mx_port}")
    if not 0 <= settings.server.processes <= 256:
        raise ConfigInvalid(detail=f"'server.processes' must be 0-256, not {settings.server.processes}")
    for network in settings.trusted_networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ConfigInvalid(detail=f"'trusted_networks' has an invalid network {network!r}") from exc
    return dataclasses.replace(
        settings,
        data_dir=str(data_dir),
        database_url=_resolve_sqlite_url(settings.database_url, base_dir),
        tls=TlsSettings(cert_file=str(cert), key_file=str(key)),
    )


def _resolve_sqlite_url(url: str, base_dir: Path) -> str:
    """``sqlite+aiosqlite:///data/x.db`` names a file relative to the config file, like ``data_dir``."""
    scheme, sep, rest = url.partition(":///")
    if not sep or scheme.split("+", 1)[0] != "sqlite":
        return url
    path, qmark, query = rest.partition("?")
    if not path or path.startswith("/") or path == ":memory:":
        return url
    return f"{scheme}:///{base_dir / path}{qmark}{query}"


def parse_host_port(text: str, default_port: int | None = None) -> tuple[str, int]:
    """``"127.0.0.1:25"``, ``"[::1]:25"`` -> (host, port); a bare host takes ``default_port``."""
    host, sep, port_text = text.rpartition(":")
    if text.startswith("[") and "]" in text:
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
        sep = ":" if port_text else ""
    if not sep or (host.count(":") and not text.startswith("[")):
        if default_port is None:
            raise ConfigInvalid(detail=f"'{text}' must be host:port")
        return text.strip("[]"), default_port
    try:
        port = int(port_text)
    except ValueError as exc:
        raise ConfigInvalid(detail=f"'{text}' has an invalid port") from exc
    if not 0 <= port <= 65535 or not host:
        raise ConfigInvalid(detail=f"'{text}' has an invalid host or port")
    return host, port
