"""The ports and shared dependencies of the directory services: mail storage, password hashing, audit.

``MailboxStorage`` is the slice of the mail store the directory needs (create a mailbox's default
folders, really delete its mail); the runtime passes the real ``MailStore``. ``PasswordHasher`` lets
tests swap argon2id for something cheap; production uses ``Argon2idHasher``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from yunmail.clock import Clock
from yunmail.config import Settings
from yunmail.errors import EnterpriseNotFound
from yunmail.security import hash_password, password_needs_rehash, verify_password
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import enterprises as enterprise_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


class MailboxStorage(Protocol):
    """What the directory asks of the mail store; both calls are idempotent."""

    async def provision(self, mailbox_id: int) -> None:
        """Create the default folders of a (new or restored) mailbox."""
        ...

    async def purge_mailbox(self, mailbox_id: int) -> None:
        """Really delete every message and folder of the mailbox."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Was this (verifiable) hash made with other parameters than ``hash`` uses now?"""
        ...


class Argon2idHasher:
    """The production hasher: ``security.passwords``, argon2id m = 19 MiB, t = 2, p = 1 off the event
    loop (~25 ms of a core per hash; why these numbers: that module's docstring)."""

    def needs_rehash(self, password_hash: str) -> bool:
        return password_needs_rehash(password_hash)

    async def hash(self, password: str) -> str:
        return await hash_password(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await verify_password(password_hash, password)


@dataclass(frozen=True, slots=True)
class DirectoryContext:
    """Everything the directory services share; built once by the runtime (or a test)."""

    db: Database
    clock: Clock
    settings: Settings
    storage: MailboxStorage
    hasher: PasswordHasher

    def now(self) -> dt.datetime:
        return self.clock.now()


async def require_enterprise(
    conn: AsyncConnection, enterprise_id: int, *, for_update: bool = False
) -> Mapping[str, Any]:
    """The enterprise row; EnterpriseNotFound when missing or being dissolved."""
    row = await enterprise_rows.get(conn, enterprise_id, for_update=for_update)
    if row is None or row["status"] == "dissolving":
        raise EnterpriseNotFound()
    return row


async def record(
    ctx: DirectoryContext,
    conn: AsyncConnection,
    enterprise_id: int,
    actor: str,
    action: str,
    target: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Audit one directory write inside its own transaction."""
    await audit.record(
        conn,
        enterprise_id=enterprise_id,
        actor=actor,
        action=action,
        target=target,
        detail=detail,
        at=ctx.now(),
    )
