"""``yunmail init``: a data directory with a commented config file, a TLS certificate and a database.

The config file lists every key of ``Settings`` with its development default and a comment, so an
operator edits values instead of looking names up. It is generated from the ``Settings`` dataclasses
(a key without a comment here is a bug that the tests catch), so it cannot drift from the code.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

from yunmail.cli.output import CommandResult, fields_text
from yunmail.clock import Clock, SystemClock
from yunmail.config import Settings, load_settings
from yunmail.errors import ConfigExists
from yunmail.net import generate_self_signed
from yunmail.runtime import initialise_database

CONFIG_NAME = "yunmail.toml"

# One line per key, shown above it in the generated file. Production ports follow in parentheses.
COMMENTS: dict[str, str] = {
    "hostname": "Our MX/HELO name and the name on the TLS certificate.",
    "data_dir": "Database, message blobs and TLS files live here (relative to this file).",
    "database_url": 'Empty = SQLite in data_dir (embedded mode); or "postgresql+asyncpg://user:pw@host/db".',
    "redis_url": 'Empty = in-process events and rate counters; "redis://host:6379/0" for scale-out.',
    "trusted_networks": "Networks treated as this installation's own hosts (local tools, monitoring).",
    "server": "How this node runs.",
    "server.processes": "Serving processes sharing the listeners; 0 = one per CPU core (recommended: 0).",
    "listen": 'Listeners: "host:port" lists; port 0 = any free port; [] = switched off.',
    "listen.smtp": "MX, inbound mail (production: 25).",
    "listen.submission": "Authenticated sending with STARTTLS (production: 587).",
    "listen.smtps": "Authenticated sending over implicit TLS (production: 465).",
    "listen.imap": "IMAP with STARTTLS (production: 143).",
    "listen.imaps": "IMAP over implicit TLS (production: 993).",
    "listen.pop3": "POP3 with STLS (production: 110).",
    "listen.pop3s": "POP3 over implicit TLS (production: 995).",
    "listen.http": "Web consoles, webmail and API; GET /healthz for probes (production: 80 or a proxy).",
    "listen.https": "The same web app over implicit TLS (production: 443).",
    "tls": "TLS certificate chain and key (PEM); relative paths are inside data_dir. SIGHUP reloads them.",
    "tls.cert_file": "Certificate chain; yunmail init writes a self-signed one.",
    "tls.key_file": "Private key, readable by the owner only.",
    "dns": "DNS resolver used for MX lookups and sender authentication.",
    "dns.nameservers": 'e.g. ["127.0.0.1:5353"]; empty = the system resolver.',
    "dns.timeout_seconds": "Per query.",
    "delivery": "Outbound delivery.",
    "delivery.mx_port": "Port of remote MX servers (tests point it elsewhere).",
    "limits": "Product limits (PRODUCT.md).",
    "limits.message_size_bytes": "Largest message accepted or sent (100 MB).",
    "limits.recycle_bin_days": "Closed mailboxes are purged for good after this many days.",
    "limits.trial_days": "Length of a new enterprise's trial.",
    "web": "The web front door (consoles, webmail, API).",
    "web.platform_hosts": "Extra host names serving every portal (besides hostname, localhost, IPs).",
}


def render_config(settings: Settings) -> str:
    """The config file for ``settings``: every key, commented, top-level keys before the tables."""
    lines = [
        "# Yunmail configuration. YUNMAIL_<PATH> in the environment overrides any key, e.g.",
        "# YUNMAIL_DATABASE_URL, or YUNMAIL_LISTEN_SMTP=127.0.0.1:25,[::1]:25 (lists are comma-separated).",
        "",
    ]
    tables: list[tuple[str, Any]] = []
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value):
            tables.append((f.name, value))
        else:
            lines += [f"# {COMMENTS[f.name]}", f"{f.name} = {_toml_value(value)}"]
    for name, table in tables:
        lines += ["", f"# {COMMENTS[name]}", f"[{name}]"]
        for f in dataclasses.fields(table):
            lines += [
                f"# {COMMENTS[f'{name}.{f.name}']}",
                f"{f.name} = {_toml_value(getattr(table, f.name))}",
            ]
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def init(args: argparse.Namespace, *, clock: Clock | None = None) -> CommandResult:
    """Write DIR/yunmail.toml, the TLS certificate and key, and create the database."""
    data_dir = Path(args.data_dir).resolve()
    config_path = data_dir / CONFIG_NAME
    if config_path.exists() and not args.force:
        raise ConfigExists(path=str(config_path))
    data_dir.mkdir(parents=True, exist_ok=True)
    hostname = args.hostname or Settings().hostname
    defaults = dataclasses.replace(Settings(), hostname=hostname, data_dir=".")
    _write_atomically(config_path, render_config(defaults))
    settings = load_settings(config_path)
    cert, key = Path(settings.tls.cert_file), Path(settings.tls.key_file)
    if args.force or not (cert.exists() and key.exists()):
        now = (clock or SystemClock()).now()
        generate_self_signed(settings.hostname, cert, key, now=now)
    asyncio.run(initialise_database(settings))
    data = {
        "config": str(config_path),
        "data_dir": settings.data_dir,
        "hostname": settings.hostname,
        "database": mask_url(settings.effective_database_url),
        "tls": {"cert_file": str(cert), "key_file": str(key)},
    }
    text = fields_text(
        [
            ("config", config_path),
            ("data dir", settings.data_dir),
            ("hostname", settings.hostname),
            ("database", data["database"]),
            ("TLS certificate", cert),
            ("TLS key", key),
        ]
    )
    text += f"\nnext: yunmail serve --config {config_path} --demo"
    return CommandResult(data, text)


def mask_url(url: str) -> str:
    """Hide a password in a database or Redis URL before printing it."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
