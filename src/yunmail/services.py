"""``Services``: the one instance of each port and service a Yunmail process uses, built by the runtime.

Front doors (protocol servers, the web app, the CLI) receive a ``Services`` value and call the
services on it; nothing reads global state. ``runtime.build_services`` is the only place that
constructs one (tests too, through ``tests/support/server.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from yunmail import logging
from yunmail.auth import Auth
from yunmail.clock import Clock
from yunmail.config import Settings
from yunmail.delivery import MailFlow
from yunmail.directory import Directory
from yunmail.dns import Resolver
from yunmail.domains import DomainRegistry
from yunmail.events import EventBus
from yunmail.mailauth.records import Deployment
from yunmail.mailstore import MailStore
from yunmail.storage import BlobStore, Counters, Database

_log = logging.get("services")


@dataclass(frozen=True, slots=True)
class Services:
    """Ports first (settings, clock, storage, bus, counters), then the services built on them."""

    settings: Settings
    clock: Clock
    db: Database
    blobs: BlobStore
    bus: EventBus
    counters: Counters
    resolver: Resolver
    deployment: Deployment  # what customer domains point at (MX, SPF include, webmail host)
    mailstore: MailStore
    domains: DomainRegistry
    directory: Directory
    auth: Auth
    mailflow: MailFlow

    @property
    def backend(self) -> str:
        """``sqlite`` (embedded mode) or ``postgresql`` (scale-out mode)."""
        return self.db.dialect

    async def database_ok(self) -> bool:
        """Whether the database answers (the health endpoint); failures are logged, not raised."""
        try:
            async with self.db.read():
                pass
        except Exception as exc:
            _log.warning("health check: database unavailable: %r", exc)
            return False
        return True
