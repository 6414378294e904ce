"""The composition root: services built from settings, the health endpoint, workers and ordered shutdown."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from support.conformance.backends import REDIS_URL, redis_reachable
from support.databases import require_or_skip
from support.server import RunningServer, running_server, server_settings
from yunmail.clock import FakeClock
from yunmail.config import LISTENER_NAMES
from yunmail.directory import NewMember
from yunmail.errors import ListenFailed, MailboxNotFound
from yunmail.events import InProcessBus
from yunmail.net import generate_self_signed
from yunmail.runtime import PeriodicWorker, Runtime, build_services, close_services
from yunmail.services import Services
from yunmail.storage import RedisBus, RedisCounters, SqlCounters, open_database

ACTOR = "test:runtime"


async def test_embedded_mode_uses_in_process_bus_and_database_counters(
    tmp_path: Path, database_url: str
) -> None:
    services = await build_services(server_settings(tmp_path, database_url))
    try:
        assert isinstance(services.bus, InProcessBus)
        assert isinstance(services.counters, SqlCounters)
        assert services.blobs.root == tmp_path / "blobs"  # type: ignore[attr-defined]
    finally:
        await close_services(services)


async def test_scale_out_mode_uses_redis_for_events_and_counters(tmp_path: Path, database_url: str) -> None:
    if not await redis_reachable():
        require_or_skip(f"Redis is not reachable at {REDIS_URL}")
    services = await build_services(server_settings(tmp_path, database_url, redis_url=REDIS_URL))
    try:
        assert isinstance(services.bus, RedisBus)
        assert isinstance(services.counters, RedisCounters)
    finally:
        await close_services(services)


async def test_built_services_share_one_database_and_clock(tmp_path: Path, database_url: str) -> None:
    clock = FakeClock()
    services = await build_services(server_settings(tmp_path, database_url), clock=clock)
    try:
        enterprise = await services.directory.enterprises.create("Acme", "acme", ACTOR)
        domain = await services.domains.add(enterprise.id, "acme.test", ACTOR, trust=True)

        assert domain.enterprise_id == enterprise.id
        assert enterprise.created_at == clock.now()
    finally:
        await close_services(services)


async def test_build_services_creates_a_fresh_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new' / 'yunmail.db'}"
    services = await build_services(server_settings(tmp_path, url))
    try:
        page = await services.directory.enterprises.search()
    finally:
        await close_services(services)

    assert page.total == 0


async def test_every_implemented_listener_is_bound_on_loopback(server: RunningServer) -> None:
    assert sorted(server.addresses) == sorted(LISTENER_NAMES)
    assert {server.address(name)[0] for name in server.addresses} == {"127.0.0.1"}


async def test_every_configured_listener_is_implemented(server: RunningServer) -> None:
    assert server.runtime.pending_listeners() == ()


async def test_switched_off_listener_is_neither_bound_nor_pending(tmp_path: Path, database_url: str) -> None:
    overrides: dict[str, list[str]] = {"listen.http": [], "listen.pop3": [], "listen.smtp": []}
    async with running_server(tmp_path, database_url, settings_overrides=overrides) as running:
        assert "http" not in running.addresses
        assert "pop3" not in running.addresses
        assert "smtp" not in running.runtime.pending_listeners()


async def test_listener_on_a_busy_port_fails_start_with_listen_failed(
    server: RunningServer, tmp_path: Path, database_url: str
) -> None:
    _, port = server.address("http")
    overrides = {"listen.http": [f"127.0.0.1:{port}"]}

    with pytest.raises(ListenFailed):
        async with running_server(tmp_path / "second", database_url, settings_overrides=overrides):
            pass


async def test_stop_closes_the_listeners(tmp_path: Path, database_url: str) -> None:
    async with running_server(tmp_path, database_url) as running:
        host, port = running.address("http")
        await running.runtime.stop()

        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(host, port)


async def test_stop_twice_is_harmless(tmp_path: Path, database_url: str) -> None:
    async with running_server(tmp_path, database_url) as running:
        await running.runtime.stop()
        await running.runtime.stop()

    assert running.runtime.listeners.stopping.is_set()


async def test_missing_certificate_leaves_tls_off(tmp_path: Path, database_url: str) -> None:
    services = await build_services(server_settings(tmp_path, database_url))
    runtime = Runtime(services)
    try:
        assert runtime.tls is None
    finally:
        await runtime.stop()


async def test_tls_reload_with_a_broken_key_keeps_the_current_certificate(
    tmp_path: Path, database_url: str
) -> None:
    async with running_server(tmp_path, database_url) as running:
        tls = running.runtime.tls
        assert tls is not None
        before = tls.context
        Path(running.settings.tls.key_file).write_text("not a key", encoding="utf-8")

        running.runtime.reload_tls()

        assert tls.context is before


async def test_tls_reload_picks_up_a_certificate_written_after_start(
    tmp_path: Path, database_url: str
) -> None:
    settings = server_settings(tmp_path, database_url)
    runtime = Runtime(await build_services(settings))
    try:
        generate_self_signed(
            "late.test", settings.tls.cert_file, settings.tls.key_file, now=dt.datetime.now(dt.UTC)
        )

        runtime.reload_tls()

        assert runtime.tls is not None
    finally:
        await runtime.stop()


async def test_database_check_fails_when_the_database_is_unreachable(server: RunningServer) -> None:
    unreachable = await open_database("postgresql+asyncpg://nobody@127.0.0.1:1/none", migrate=False)
    broken = dataclasses.replace(server.services, db=unreachable)
    try:
        ok = await broken.database_ok()
    finally:
        await unreachable.dispose()

    assert ok is False


async def _recycled_mailbox(services: Services) -> tuple[int, int]:
    directory = services.directory
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    domain = await services.domains.add(enterprise.id, "acme.test", ACTOR, trust=True)
    member = await directory.members.add(
        enterprise.id, NewMember(name="Ann", account="ann", phone="13900000009"), ACTOR
    )
    mailbox = await directory.mailboxes.open(enterprise.id, member.id, domain.id, ACTOR)
    await directory.mailboxes.close(enterprise.id, mailbox.id, ACTOR)
    return enterprise.id, mailbox.id


async def test_recycle_bin_worker_purges_expired_mailboxes_at_start(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock()
    services = await build_services(server_settings(tmp_path, database_url), clock=clock)
    enterprise_id, mailbox_id = await _recycled_mailbox(services)
    clock.advance(days=31)
    runtime = Runtime(services)
    try:
        await runtime.start()
        worker = next(w for w in runtime.workers if w.name == "recycle-bin")
        await worker.first_run.wait()

        with pytest.raises(MailboxNotFound):
            await services.directory.mailboxes.get(enterprise_id, mailbox_id)
    finally:
        await runtime.stop()


async def test_recycle_bin_worker_keeps_mailboxes_inside_the_retention(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock()
    services = await build_services(server_settings(tmp_path, database_url), clock=clock)
    enterprise_id, mailbox_id = await _recycled_mailbox(services)
    clock.advance(days=29)
    runtime = Runtime(services)
    try:
        await runtime.start()
        await runtime.workers[0].first_run.wait()

        mailbox = await services.directory.mailboxes.get(enterprise_id, mailbox_id)
    finally:
        await runtime.stop()

    assert mailbox.status == "recycled"


async def test_periodic_worker_runs_again_after_a_failed_run() -> None:
    calls = 0
    second = asyncio.Event()

    async def job() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("first run fails")
        second.set()

    worker = PeriodicWorker("flaky", job, interval_seconds=0)
    worker.start()
    await second.wait()
    await worker.stop(grace_seconds=5)

    assert calls >= 2


async def test_periodic_worker_stop_cancels_a_run_past_the_grace_period() -> None:
    started = asyncio.Event()
    cancelled = False

    async def stuck() -> None:
        nonlocal cancelled
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled = True
            raise

    worker = PeriodicWorker("stuck", stuck, interval_seconds=3600)
    worker.start()
    await started.wait()
    await worker.stop(grace_seconds=0)

    assert cancelled
