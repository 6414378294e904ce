"""Factories that create enterprises, domains, members and mailboxes through the real services.

Other tests use them to get a working tenant in one line::

    factory = DirectoryFactory.build(db, clock)
    tenant = await factory.tenant()            # enterprise + trusted domain
    member = await factory.member(tenant.enterprise.id)
    mailbox = await factory.mailbox(tenant, member.id)

Every name is unique per factory (counters live on the instance, not the module), so tests that
share a database never collide. ``FastHasher`` replaces argon2id (~130 ms a hash here) in tests that
are not about hashing; ``RecordingMailStorage`` stands in for the mail store's provision/purge;
``cheap_dkim_key`` gives test tenants' domains 1024-bit RSA keys (see ``cheap_domains``).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from yunmail.clock import Clock
from yunmail.config import Settings
from yunmail.directory import Directory, Enterprise, Mailbox, Member, NewMember
from yunmail.domains import DkimKeys, Domain, DomainRegistry
from yunmail.events import EventBus
from yunmail.mailauth.dkim import DkimAlgorithm, DkimKey, generate_key
from yunmail.storage import Database

ACTOR = "test:admin"
PASSWORD = "Secret-2026"


class FastHasher:
    """A cheap, unsalted stand-in for argon2id; never use outside tests."""

    async def hash(self, password: str) -> str:
        return "fast$" + hashlib.sha256(password.encode()).hexdigest()

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == await self.hash(password)

    def needs_rehash(self, password_hash: str) -> bool:
        return False


def cheap_dkim_key(algorithm: DkimAlgorithm) -> DkimKey:
    """RSA at 1024 bits, the smallest RFC 8301 §3.2 allows verifiers to accept: ~7 ms to generate
    against ~100 ms for 2048 (seconds on a loaded machine), and every test domain gets one.

    The production default (2048) has its own tests in tests/domains, which keep it.
    """
    return generate_key(algorithm, 1024)  # the size is ignored for Ed25519


def cheap_domains(db: Database, clock: Clock, bus: EventBus | None = None) -> DomainRegistry:
    """A ``DomainRegistry`` whose new domains get ``cheap_dkim_key`` keys."""
    return DomainRegistry(db, clock, bus, keys=DkimKeys(db, clock, key_factory=cheap_dkim_key))


@dataclass
class RecordingMailStorage:
    """Records what the directory asked of the mail store; ``fail_purge`` ids raise on purge."""

    provisioned: list[int] = field(default_factory=list)
    purged: list[int] = field(default_factory=list)
    fail_purge: set[int] = field(default_factory=set)

    async def provision(self, mailbox_id: int) -> None:
        self.provisioned.append(mailbox_id)

    async def purge_mailbox(self, mailbox_id: int) -> None:
        if mailbox_id in self.fail_purge:
            raise OSError(f"mail store unavailable for mailbox {mailbox_id}")
        self.purged.append(mailbox_id)


@dataclass(frozen=True, slots=True)
class Tenant:
    enterprise: Enterprise
    domain: Domain


@dataclass
class DirectoryFactory:
    directory: Directory
    domains: DomainRegistry
    storage: RecordingMailStorage
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def build(
        cls,
        db: Database,
        clock: Clock,
        *,
        settings: Settings | None = None,
        storage: RecordingMailStorage | None = None,
    ) -> DirectoryFactory:
        storage = storage or RecordingMailStorage()
        directory = Directory(db, clock, settings or Settings(), storage, hasher=FastHasher())
        return cls(directory=directory, domains=cheap_domains(db, clock), storage=storage)

    def next(self) -> int:
        return next(self._serial)

    async def enterprise(self, name: str | None = None, org_id: str | None = None) -> Enterprise:
        n = self.next()
        return await self.directory.enterprises.create(name or f"Enterprise {n}", org_id or f"org{n}", ACTOR)

    async def domain(self, enterprise_id: int, name: str | None = None, *, trust: bool = True) -> Domain:
        return await self.domains.add(enterprise_id, name or f"mail{self.next()}.example", ACTOR, trust=trust)

    async def tenant(self) -> Tenant:
        enterprise = await self.enterprise()
        return Tenant(enterprise, await self.domain(enterprise.id))

    async def member(
        self,
        enterprise_id: int,
        *,
        name: str | None = None,
        account: str | None = None,
        password: str | None = PASSWORD,
        phone: str | None = None,
        contact_email: str | None = None,
        department_id: int | None = None,
    ) -> Member:
        n = self.next()
        new = NewMember(
            name=name or f"Member {n}",
            account=account or f"user{n}",
            password=password,
            phone=phone,
            contact_email=contact_email if contact_email or phone else f"user{n}@contact.example",
            department_id=department_id,
        )
        return await self.directory.members.add(enterprise_id, new, ACTOR)

    async def mailbox(
        self, tenant: Tenant, member_id: int | None = None, local_part: str | None = None
    ) -> Mailbox:
        if member_id is None:
            member_id = (await self.member(tenant.enterprise.id)).id
        return await self.directory.mailboxes.open(
            tenant.enterprise.id, member_id, tenant.domain.id, ACTOR, local_part=local_part
        )

    async def members(self, enterprise_id: int, names: Iterable[str]) -> list[Member]:
        return [await self.member(enterprise_id, name=name) for name in names]
