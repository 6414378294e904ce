"""The POP3 front door of one process: listener specs (``listen.pop3`` with STLS, ``listen.pop3s``
implicit TLS) for ``net.Listeners``, its sessions and counters.

Wiring (runtime) mirrors IMAP: build one `Pop3Server`, add ``server.specs()`` to the listeners,
and on shutdown ``await server.close()`` before draining them.
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
from yunmail.protocols.imap.session import Authenticator
from yunmail.protocols.pop3.session import (
    DeletePolicy,
    Pop3Config,
    Pop3Deps,
    Pop3Stats,
    Session,
    keep_mail,
)

REFUSAL = b"-ERR [SYS/TEMP] too many connections from your address; try again later\r\n"


class Pop3Server:
    """Builds connections for the POP3 listeners and keeps track of their sessions.

    ``deletes`` answers the member's "POP3 downloads delete / keep" setting: True makes DELE remove
    the message at QUIT, False (the default) only hides it from later POP3 sessions.
    """

    def __init__(
        self,
        mailstore: MailStore,
        authenticator: Authenticator,
        clock: Clock,
        *,
        settings: Settings,
        limits: NetLimits | None = None,
        tls: ServerTls | None = None,
        deletes: DeletePolicy = keep_mail,
    ) -> None:
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in settings.trusted_networks)
        self.settings = settings
        self.tls = tls
        self.stats = Pop3Stats()
        config = Pop3Config(
            hostname=settings.hostname,
            trusted_networks=networks,
            starttls=tls,
            limits=limits or NetLimits.from_settings(settings),
        )
        self.deps = Pop3Deps(mailstore, authenticator, clock, config, self.stats, deletes)
        self._sessions: dict[asyncio.Task[None], Session] = {}

    def connection(self) -> Connection:
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
        listen = self.settings.listen
        specs: list[ListenerSpec] = []
        if listen.pop3:
            specs.append(ListenerSpec("pop3", listen.pop3, protocol_factory=self.connection, refusal=REFUSAL))
        if listen.pop3s and self.tls is not None:
            specs.append(ListenerSpec("pop3s", listen.pop3s, protocol_factory=self.connection, tls=self.tls))
        return specs

    async def close(self, grace_seconds: float = 5.0) -> None:
        """Tell every session to stop at its next command boundary; cancel what is left after the grace."""
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
