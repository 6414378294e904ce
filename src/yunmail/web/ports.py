"""What the web front door needs from the composition root: the services it calls, nothing else.

``yunmail.services.Services`` satisfies this structurally; the web package never imports it (it sits
in the layer above, DESIGN §3), and this list documents which services pages and the API may use.
No storage port is here on purpose: the web never touches the database, only services do.
"""

from __future__ import annotations

from typing import Protocol

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


class WebServices(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def bus(self) -> EventBus: ...
    @property
    def resolver(self) -> Resolver: ...  # handed to domain checks (the web never queries DNS itself)
    @property
    def deployment(self) -> Deployment: ...
    @property
    def mailstore(self) -> MailStore: ...
    @property
    def domains(self) -> DomainRegistry: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def auth(self) -> Auth: ...
    @property
    def mailflow(self) -> MailFlow: ...
    @property
    def backend(self) -> str: ...

    async def database_ok(self) -> bool: ...
