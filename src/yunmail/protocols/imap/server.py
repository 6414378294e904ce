"""The IMAP front door of one process: its listener specs (``listen.imap`` STARTTLS, ``listen.imaps``
implicit TLS) for ``net.Listeners``, the sessions it runs, and its counters.

Wiring (runtime): build one `ImapServer` from the services, add ``server.specs()`` to the
listeners; on shutdown ``await server.close()`` (BYE to every session) before draining them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress

from yunmail.clock import Clock
from yunmail.config import Settings
from yunmail.mailstore import MailStore
from yunmail.net import ListenerSpec, NetLimits, ServerTls
from yunmail.protocols.imap.connection import Connection
from yunmail.protocols.imap.feeds import ChangeFeeds
from yunmail.protocols.imap.session import (
    MAX_SESSIONS_PER_MAILBOX,
    Authenticator,
    ImapConfig,
    ImapDeps,
    ImapStats,
    Session,
)

REFUSAL = b"* BYE too many connections from your address; try again later\r\n"


class ImapServer:
    """Builds connections for the IMAP listeners and keeps track of their sessions."""

    def __init__(
        self,
        mailstore: MailStore,
        authenticator: Authenticator,
        clock: Clock,
        *,
        settings: Settings,
        limits: NetLimits | None = None,
        tls: ServerTls | None = None,
        max_sessions_per_mailbox: int = MAX_SESSIONS_PER_MAILBOX,
    ) -> None:
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in settings.trusted_networks)
        self.settings = settings
        self.tls = tls
        self.stats = ImapStats()
        config = ImapConfig(
            hostname=settings.hostname,
            trusted_networks=networks,
            starttls=tls,
            limits=limits or NetLimits.from_settings(settings),
            max_sessions_per_mailbox=max_sessions_per_mailbox,
        )
        self.deps = ImapDeps(mailstore, authenticator, clock, config, self.stats, ChangeFeeds(mailstore))
        self._sessions: dict[asyncio.Task[None], Session] = {}

    def connection(self) -> Connection:
        """Protocol factory: one `Connection` whose session starts when the socket is ready."""
        return Connection(self._run)

    async def _run(self, conn: Connection) -> None:
        task = asyncio.current_task()
        session = Session(self.deps, conn)
        if task is not None:
            self._sessions[task] = session
        try:
            await session.run()
        finally:
            if task is not None:
                self._sessions.pop(task, None)

    def specs(self) -> list[ListenerSpec]:
        """Listener specs for the configured IMAP addresses (``imaps`` only when TLS is configured)."""
        listen = self.settings.listen
        specs: list[ListenerSpec] = []
        if listen.imap:
            specs.append(ListenerSpec("imap", listen.imap, protocol_factory=self.connection, refusal=REFUSAL))
        if listen.imaps and self.tls is not None:
            specs.append(ListenerSpec("imaps", listen.imaps, protocol_factory=self.connection, tls=self.tls))
        return specs

    @property
    def session_count(self) -> int:
        return len(self._sessions)

    async def close(self, grace_seconds: float = 5.0) -> None:
        """Say BYE to every session at its next command boundary, wait up to ``grace_seconds``,
        then cancel what is left. Call it before ``Listeners.drain`` so idle clients are told."""
        for session in self._sessions.values():
            session.request_stop()
        tasks = set(self._sessions)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_seconds)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
