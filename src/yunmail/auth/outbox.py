"""How codes leave the system: the ``SmsSender``/``EmailSender`` ports and the development outbox.

Production plugs in an SMS gateway and an e-mail sender implementing the two protocols. Until then
(and in development and tests) ``OutboxSender`` implements both by writing each message to the
``outbox`` table, which the operator console lists (``Outbox.messages``), so a demo login by SMS
code works without any gateway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from yunmail.clock import Clock
from yunmail.storage import Database
from yunmail.storage.repos import auth_outbox as rows


class SmsSender(Protocol):
    async def send_sms(self, phone: str, text: str) -> None:
        """Deliver ``text`` to a mainland-China mobile number (11 digits); raise when it cannot."""
        ...


class EmailSender(Protocol):
    async def send_email(self, address: str, subject: str, body: str) -> None:
        """Deliver a plain-text message to ``address``; raise when it cannot."""
        ...


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    channel: str  # sms | email
    recipient: str
    subject: str
    body: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> OutboxMessage:
        return cls(
            id=int(row["id"]),
            channel=row["channel"],
            recipient=row["recipient"],
            subject=row["subject"],
            body=row["body"],
            created_at=row["created_at"],
        )


class OutboxSender:
    """Both sender ports, "sending" into the outbox table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def send_sms(self, phone: str, text: str) -> None:
        await self._store("sms", phone, "", text)

    async def send_email(self, address: str, subject: str, body: str) -> None:
        await self._store("email", address, subject, body)

    async def _store(self, channel: str, recipient: str, subject: str, body: str) -> None:
        async with self._db.transaction() as conn:
            await rows.insert_message(
                conn, channel=channel, recipient=recipient, subject=subject, body=body, at=self._clock.now()
            )


class Outbox:
    """Read side for the operator console: what the outbox sender has "sent", newest first."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def messages(self, *, recipient: str | None = None, limit: int = 50) -> tuple[OutboxMessage, ...]:
        async with self._db.read() as conn:
            found = await rows.messages(conn, recipient=recipient, limit=max(1, min(limit, 500)))
        return tuple(OutboxMessage.from_row(r) for r in found)
