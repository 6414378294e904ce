"""The ``server`` fixture: a real ``Runtime`` on loopback port 0 with a temporary data dir, config and cert.

Use it as a fixture (``server``) or, for a custom setup, ``async with running_server(...)``. The
fixture runs on the ``backend`` parameter through ``database_url``, so a test that takes ``server``
runs on SQLite and on PostgreSQL. Time comes from the test's ``clock`` (a ``FakeClock``), so a test
can age the recycle bin without sleeping.

    async def test_health(server: RunningServer) -> None:
        host, port = server.address("http")
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import argon2
import pytest

from support.factories import cheap_dkim_key
from yunmail.clock import Clock, FakeClock
from yunmail.config import LISTENER_NAMES, Settings, load_settings
from yunmail.net import BoundAddress, NetLimits, client_context, generate_self_signed
from yunmail.runtime import Runtime, build_services, close_services
from yunmail.services import Services

# Tests stop servers quickly: nothing in a test should need a long drain.
TEST_DRAIN_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class RunningServer:
    runtime: Runtime
    services: Services
    settings: Settings
    data_dir: Path
    addresses: Mapping[str, tuple[BoundAddress, ...]]

    def address(self, listener: str) -> tuple[str, int]:
        """``(host, port)`` of the listener's first bound address."""
        first = self.addresses[listener][0]
        return first.host, first.port

    def client_tls(self) -> ssl.SSLContext:
        """A client context that trusts this server's self-signed certificate."""
        return client_context(self.settings.tls.cert_file)


def server_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    """Settings for a test server: every listener on 127.0.0.1:0, environment ignored."""
    values: dict[str, Any] = {
        "hostname": "mail.yunmail.test",
        "data_dir": str(data_dir),
        "database_url": database_url,
        **{f"listen.{name}": ["127.0.0.1:0"] for name in LISTENER_NAMES},
    }
    values.update(overrides)
    return load_settings(env={}, overrides=values)


class CheapArgon2id:
    """argon2id with the smallest costs: the real algorithm and hash format, a millisecond per hash.

    Test servers create and check many passwords; production costs (~25 ms of a core each, far more
    on a loaded CI machine) would dominate the web and protocol suites.
    """

    def __init__(self) -> None:
        self._hasher = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

    async def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except argon2.exceptions.VerificationError:
            return False
        except argon2.exceptions.InvalidHashError:
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return False  # hashes of other costs (e.g. production ones in a test) stay as they are


def use_cheap_dkim_keys(services: Services) -> None:
    """New domains on a test server get 1024-bit RSA keys (``cheap_dkim_key``): most web and protocol
    tests add a domain, and 2048-bit generation costs them ~100 ms each. The runtime builds its own
    ``DkimKeys``, so the test swaps in the key factory after the fact."""
    keys = services.domains.keys
    assert hasattr(keys, "_factory"), "DkimKeys changed: update use_cheap_dkim_keys"
    keys._factory = cheap_dkim_key


@asynccontextmanager
async def running_server(
    data_dir: Path,
    database_url: str,
    *,
    clock: Clock | None = None,
    settings_overrides: Mapping[str, Any] | None = None,
    migrate: bool = True,
) -> AsyncIterator[RunningServer]:
    """Start a ``Runtime`` with a fresh certificate in ``data_dir``; stop it when the block ends.

    ``migrate=False`` skips the schema check for a database known to be migrated already.
    """
    settings = server_settings(data_dir, database_url, **dict(settings_overrides or {}))
    generate_self_signed(
        settings.hostname, settings.tls.cert_file, settings.tls.key_file, now=dt.datetime.now(dt.UTC)
    )
    services = await build_services(
        settings, clock=clock or FakeClock(), hasher=CheapArgon2id(), migrate=migrate
    )
    use_cheap_dkim_keys(services)
    limits = dataclasses.replace(NetLimits.from_settings(settings), drain_seconds=TEST_DRAIN_SECONDS)
    try:
        runtime = Runtime(services, limits=limits)
    except BaseException:
        await close_services(services)
        raise
    try:
        addresses = await runtime.start()
    except BaseException:
        await runtime.stop(grace_seconds=0)
        raise
    try:
        yield RunningServer(runtime, services, settings, data_dir, addresses)
    finally:
        await runtime.stop()


@pytest.fixture
async def server(tmp_path: Path, database_url: str, clock: FakeClock) -> AsyncIterator[RunningServer]:
    # ``database_url`` is a copy of the migrated template or the migrated PostgreSQL test database.
    async with running_server(tmp_path / "server", database_url, clock=clock, migrate=False) as running:
        yield running
