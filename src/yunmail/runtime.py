"""The composition root: build ports and services from ``Settings``, run listeners and workers, stop in order.

``build_services`` turns settings into a ``Services`` value (database with migrations, blob store,
event bus, counters, DNS resolver, the deployment's DNS identity, mail store, domains, directory).
``Runtime`` runs a ``Services`` value as a server: it binds the listeners of the protocols that
exist so far, starts the background workers, and on SIGTERM/SIGINT stops in this order (each step
waits for the one before):

1. stop accepting connections (listening sockets closed);
2. let in-flight connections finish, up to ``NetLimits.drain_seconds``, then cancel them;
3. stop the workers (a job that is running may finish, up to the same deadline);
4. close the services (event bus, counters, database).

Listeners: ``http``/``https`` (the web app: API, consoles, webmail, ``/healthz``), SMTP, IMAP and
POP3; each protocol contributes ``ListenerSpec`` builders to ``Runtime._specs``. SIGHUP reloads the
TLS certificate.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from yunmail import logging
from yunmail.auth import Auth
from yunmail.clock import Clock, SystemClock
from yunmail.config import LISTENER_NAMES, Settings
from yunmail.delivery import (
    DkimSigner,
    DomainSigningKeys,
    MailFlow,
    Notifier,
    OutboundWorker,
    SmtpTransport,
)
from yunmail.directory import Directory, PasswordHasher
from yunmail.dns import DnsPythonResolver
from yunmail.domains import DomainRegistry, Rechecker
from yunmail.errors import ConfigInvalid
from yunmail.events import EventBus, InProcessBus
from yunmail.mailauth.records import Deployment
from yunmail.mailstore import MailStore
from yunmail.net import BoundAddress, Listeners, ListenerSpec, NetLimits, ServerTls
from yunmail.protocols.imap.server import ImapServer
from yunmail.protocols.pop3.server import Pop3Server
from yunmail.protocols.smtp import SmtpContext, SmtpSettings, smtp_listener_specs
from yunmail.services import Services
from yunmail.storage import (
    Counters,
    FileBlobStore,
    LocalBus,
    LocalBusLink,
    LocalBusLinks,
    RedisBus,
    RedisCounters,
    SqlCounters,
    open_database,
)
from yunmail.web import HttpServer, create_app

AUTH_PRUNE_INTERVAL_SECONDS = 600.0
RECYCLE_BIN_INTERVAL_SECONDS = 3600.0
DOMAIN_RECHECK_INTERVAL_SECONDS = 60.0

_log = logging.get("runtime")


# --- services ------------------------------------------------------------------------------------


async def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    hasher: PasswordHasher | None = None,
    bus_link: LocalBusLink | None = None,
) -> Services:
    """Open storage (running migrations) and build every service on it.

    ``hasher`` defaults to argon2id with production costs; test servers pass a cheaper argon2id.

    Embedded mode (no ``redis_url``): in-process event bus, rate counters in the database (so daily
    sending limits survive a restart); with ``bus_link`` (a serving process of a pre-forked node)
    events also reach the node's other serving processes. Scale-out mode: Redis carries events
    between nodes and holds the rate counters, so every node sees the same limits.
    """
    clock = clock or SystemClock()
    db = await open_database(settings.effective_database_url, migrate=migrate)
    try:
        blobs = FileBlobStore(settings.blob_dir)
        bus: EventBus
        counters: Counters
        if settings.redis_url:
            bus, counters = RedisBus(settings.redis_url), RedisCounters(settings.redis_url)
        else:
            bus = LocalBus(bus_link) if bus_link is not None else InProcessBus()
            counters = SqlCounters(db)
        resolver = DnsPythonResolver.from_settings(settings.dns)
        mailstore = MailStore(db, blobs, bus, clock, max_message_bytes=settings.limits.message_size_bytes)
        domains = DomainRegistry(db, clock, bus)
        directory = Directory(db, clock, settings, mailstore, hasher=hasher)
        auth = Auth(db, directory, counters, clock, hasher=hasher)
        mailflow = MailFlow.build(
            db=db,
            blobs=blobs,
            counters=counters,
            clock=clock,
            mailstore=mailstore,
            recipients=directory.recipients,
            enterprises=directory.enterprises,
            hostname=settings.hostname,
            resolver=resolver,
        )
    except BaseException:
        await db.dispose()
        raise
    return Services(
        settings=settings,
        clock=clock,
        db=db,
        blobs=blobs,
        bus=bus,
        counters=counters,
        resolver=resolver,
        deployment=deployment_for(settings),
        mailstore=mailstore,
        domains=domains,
        directory=directory,
        auth=auth,
        mailflow=mailflow,
    )


NodeBusLinks = LocalBusLinks


def node_bus_links(settings: Settings, processes: int) -> NodeBusLinks | None:
    """The event-bus sockets between a node's serving processes; None when Redis carries events."""
    return None if settings.redis_url else LocalBusLinks.create(processes)


def deployment_for(settings: Settings) -> Deployment:
    """The records customer domains point at: this host as MX, webmail and autoconfig target.

    ``_spf.<hostname>`` is the name whose SPF record the operator keeps listing our outbound IPs, so
    customer SPF records never change when those IPs do.
    """
    host = settings.hostname
    return Deployment(
        mx_hosts=((10, host),), spf_include=f"_spf.{host}", webmail_host=host, autoconfig_host=host
    )


async def close_services(services: Services) -> None:
    """Release what ``build_services`` opened; safe to call once the listeners have stopped."""
    try:
        await services.bus.close()
        close = getattr(services.counters, "close", None)
        if close is not None:
            await close()
    finally:
        await services.db.dispose()


@asynccontextmanager
async def open_services(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[Services]:
    """``build_services`` for the length of a block (CLI commands, scripts)."""
    services = await build_services(settings, clock=clock)
    try:
        yield services
    finally:
        await close_services(services)


async def initialise_database(settings: Settings) -> None:
    """Create the database (or bring it up to date): what ``yunmail init`` does to storage."""
    await close_services(await build_services(settings))


# --- workers -------------------------------------------------------------------------------------


class PeriodicWorker:
    """Runs ``job`` once at start, then every ``interval_seconds`` until stopped.

    A failing run is logged and the next one happens on schedule. ``stop`` lets a running job
    finish up to a grace period, then cancels it.
    """

    def __init__(self, name: str, job: Callable[[], Awaitable[object]], interval_seconds: float) -> None:
        self.name = name
        self.runs = 0
        self.first_run = asyncio.Event()
        self._job = job
        self._interval = interval_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=f"worker-{self.name}")

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                await self._job()
            except Exception:
                _log.exception("worker run failed", extra={"fields": {"worker": self.name}})
            self.runs += 1
            self.first_run.set()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._stop.wait()

    async def stop(self, grace_seconds: float) -> None:
        self._stop.set()
        if self._task is None:
            return
        done, _ = await asyncio.wait({self._task}, timeout=grace_seconds)
        if not done:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


# --- the running server --------------------------------------------------------------------------


class Runtime:
    """A server process: listeners and workers over one ``Services`` value."""

    def __init__(
        self,
        services: Services,
        *,
        limits: NetLimits | None = None,
        recycle_bin_interval_seconds: float = RECYCLE_BIN_INTERVAL_SECONDS,
        prebound: Mapping[tuple[str, str], Sequence[socket.socket]] | None = None,
        run_workers: bool = True,
    ) -> None:
        """``prebound``: listening sockets a pre-forking parent bound (by listener and address);
        ``run_workers``: False in every serving process of a node but one, so each job runs once."""
        self.services = services
        self.limits = limits or NetLimits.from_settings(services.settings)
        self.listeners = Listeners(self.limits, prebound=prebound)
        self.run_workers = run_workers
        self.tls = _load_tls(services.settings)
        self.http = HttpServer(lambda: create_app(services))
        self.imap = ImapServer(
            services.mailstore,
            services.auth.login,
            services.clock,
            settings=services.settings,
            limits=self.limits,
            tls=self.tls,
        )
        self.pop3 = Pop3Server(
            services.mailstore,
            services.auth.login,
            services.clock,
            settings=services.settings,
            limits=self.limits,
            tls=self.tls,
        )
        self.smtp = SmtpContext(
            settings=SmtpSettings(
                hostname=services.settings.hostname,
                message_size_bytes=services.settings.limits.message_size_bytes,
            ),
            inbound=services.mailflow.inbound,
            submission=services.mailflow.submission,
            authenticator=services.auth.login,
            idle_seconds=self.limits.smtp_idle_seconds,
        )
        self.outbound = OutboundWorker(
            services.db,
            services.blobs,
            services.clock,
            SmtpTransport.from_settings(services.settings, services.resolver),
            Notifier(
                services.directory.recipients,
                services.mailstore,
                hostname=services.settings.hostname,
                queue=services.mailflow.queue,
            ),
            signer=DkimSigner(DomainSigningKeys(services.domains.keys), services.clock),
        )
        self._outbound_stop = asyncio.Event()
        self._outbound_task: asyncio.Task[None] | None = None
        self.workers = [
            PeriodicWorker(
                "recycle-bin", services.directory.recycle_bin.run_once, recycle_bin_interval_seconds
            ),
            PeriodicWorker("auth-prune", self._prune_auth, AUTH_PRUNE_INTERVAL_SECONDS),
        ]
        # Domains: background DNS rechecks (domains.rechecks decides which domains are due).
        rechecker = Rechecker(services.domains, services.resolver, services.deployment, services.clock)
        self.workers.append(
            PeriodicWorker("domain-rechecks", rechecker.run_once, DOMAIN_RECHECK_INTERVAL_SECONDS)
        )
        self._stopped = False

    async def _stop_outbound(self, grace: float) -> None:
        """Let the delivery worker finish its batch (rows are leased, so a cut-off batch is retried)."""
        task, self._outbound_task = self._outbound_task, None
        if task is None:
            return
        self._outbound_stop.set()
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _prune_auth(self) -> None:
        """Drop expired web sessions and one-time codes."""
        await self.services.auth.sessions.prune()
        await self.services.auth.codes.prune()

    def _specs(self) -> list[ListenerSpec]:
        listen = self.services.settings.listen
        specs = self.http.specs(listen.http, listen.https, self.tls)
        specs += smtp_listener_specs(self.smtp, listen, self.tls)
        specs += self.imap.specs() + self.pop3.specs()
        return specs

    def pending_listeners(self) -> tuple[str, ...]:
        """Configured listeners whose protocol is not implemented yet (reported, not bound)."""
        implemented = {spec.name for spec in self._specs()}
        listen = self.services.settings.listen
        return tuple(name for name in LISTENER_NAMES if getattr(listen, name) and name not in implemented)

    async def start(self) -> dict[str, tuple[BoundAddress, ...]]:
        """Bind every implemented listener, then start the workers; the bound addresses by listener."""
        try:
            for spec in self._specs():
                await self.listeners.add(spec)
        except BaseException:
            await self.listeners.drain(grace_seconds=0)
            raise
        if self.run_workers:
            for worker in self.workers:
                worker.start()
            self._outbound_task = asyncio.create_task(self.outbound.run(self._outbound_stop), name="outbound")
        return self.addresses()

    def addresses(self) -> dict[str, tuple[BoundAddress, ...]]:
        return self.listeners.addresses()

    def reload_tls(self) -> None:
        """Re-read the certificate (SIGHUP); a broken new file is logged and the old one kept."""
        if self.tls is None:
            self.tls = _load_tls(self.services.settings)
            return
        try:
            self.tls.reload()
        except ConfigInvalid as exc:
            _log.error("TLS reload failed; keeping the current certificate: %s", exc)
        else:
            _log.info("TLS certificate reloaded")

    async def stop(self, grace_seconds: float | None = None) -> None:
        """Ordered shutdown (see the module docstring); idempotent."""
        if self._stopped:
            return
        self._stopped = True
        grace = self.limits.drain_seconds if grace_seconds is None else grace_seconds
        try:
            # Mail sessions are long-lived: stop accepting, say BYE to them, then drain the rest.
            await self.listeners.close_listening()
            self.http.close_idle()
            await self.imap.close(grace)
            await self.pop3.close(grace)
            await self.listeners.drain(grace)
            for worker in self.workers:
                await worker.stop(grace)
            await self._stop_outbound(grace)
        finally:
            await close_services(self.services)

    async def run_until_signalled(self, on_ready: Callable[[Runtime], None] | None = None) -> None:
        """Start, call ``on_ready``, serve until SIGTERM or SIGINT, then stop in order."""
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        handled = (signal.SIGTERM, signal.SIGINT)
        for signum in handled:
            loop.add_signal_handler(signum, stop.set)
        loop.add_signal_handler(signal.SIGHUP, self.reload_tls)
        try:
            try:
                await self.start()
            except BaseException:
                await self.stop(grace_seconds=0)
                raise
            if on_ready is not None:
                on_ready(self)
            await stop.wait()
            _log.info("stopping")
            await self.stop()
        finally:
            for signum in (*handled, signal.SIGHUP):
                loop.remove_signal_handler(signum)

    async def __aenter__(self) -> Runtime:
        try:
            await self.start()
        except BaseException:
            await self.stop(grace_seconds=0)
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


def _load_tls(settings: Settings) -> ServerTls | None:
    """The server TLS context, or None (logged) when ``yunmail init`` has not written a certificate."""
    if not Path(settings.tls.cert_file).exists():
        _log.warning(
            "no TLS certificate at %s; TLS listeners stay off (run yunmail init)", settings.tls.cert_file
        )
        return None
    return ServerTls.from_settings(settings)
