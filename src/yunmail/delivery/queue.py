"""The outbound queue, enqueue side: accepted mail for remote recipients becomes durable per-recipient rows.

``enqueue`` stores the message bytes once in the blob store (fsync'd), then in ONE transaction
adds one blob reference per row and inserts a row per recipient (``outbound_queue``). It returns
only after that commit, so an SMTP ``250`` that follows it is backed by durable rows. The delivery
worker (another issue) picks rows by ``(status, next_attempt_at)``, reads ``prefix + blob``,
and releases the row's blob reference when it finishes the row.

A message carries an optional ``dedupe_key``; a recipient already queued under the same key is
skipped, so a client that retries after losing our reply does not make us send twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from yunmail.clock import Clock
from yunmail.storage import BlobStore, Database
from yunmail.storage.repos import blobrefs
from yunmail.storage.repos import queue as queue_rows
from yunmail.storage.repos.blobrefs import BlobRef


@dataclass(frozen=True, slots=True)
class DsnRequest:
    """RFC 3461 §4.3/§4.4 MAIL parameters: RET (``FULL``/``HDRS``) and ENVID (xtext, kept encoded)."""

    ret: str | None = None
    envid: str | None = None


@dataclass(frozen=True, slots=True)
class RecipientDsn:
    """RFC 3461 §4.1/§4.2 RCPT parameters: NOTIFY (``NEVER`` or a list) and ORCPT (``type;xtext``)."""

    notify: str | None = None
    orcpt: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("notify", self.notify), ("orcpt", self.orcpt)) if v is not None}


@dataclass(frozen=True, slots=True)
class OutboundRecipient:
    address: str  # domain as A-label
    dsn: RecipientDsn = field(default_factory=RecipientDsn)


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    enterprise_id: int
    member_id: int | None
    sender: str  # reverse-path; "" for the null sender
    recipients: tuple[OutboundRecipient, ...]
    data: bytes  # the message as received (one blob for every recipient)
    prefix: bytes  # trace headers we added (Received)
    trace_id: str
    dsn: DsnRequest = field(default_factory=DsnRequest)
    smtputf8: bool = False
    body_8bit: bool = False
    message_id: str | None = None
    dedupe_key: str | None = None


@dataclass(frozen=True, slots=True)
class QueuedRecipient:
    """One queue row as the admin trace and the tests see it."""

    id: int
    enterprise_id: int
    member_id: int | None
    sender: str
    recipient: str
    status: str
    attempts: int
    size: int
    blob_sha256: str
    trace_id: str
    message_id: str | None
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    smtputf8: bool
    body_8bit: bool
    dsn_ret: str | None
    dsn_envid: str | None
    dsn_notify: str | None
    dsn_orcpt: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> QueuedRecipient:
        return cls(
            id=int(row["id"]),
            enterprise_id=int(row["enterprise_id"]),
            member_id=row["member_id"],
            sender=row["sender"],
            recipient=row["recipient"],
            status=row["status"],
            attempts=int(row["attempts"]),
            size=int(row["size"]),
            blob_sha256=row["blob_sha256"],
            trace_id=row["trace_id"],
            message_id=row["message_id"],
            created_at=row["created_at"],
            next_attempt_at=row["next_attempt_at"],
            smtputf8=bool(row["smtputf8"]),
            body_8bit=bool(row["body_8bit"]),
            dsn_ret=row["dsn_ret"],
            dsn_envid=row["dsn_envid"],
            dsn_notify=row["dsn_notify"],
            dsn_orcpt=row["dsn_orcpt"],
        )


class OutboundQueue:
    def __init__(self, db: Database, blobs: BlobStore, clock: Clock) -> None:
        self._db = db
        self._blobs = blobs
        self._clock = clock

    async def enqueue(self, message: OutboundMessage) -> tuple[int, ...]:
        """Durable rows for every recipient not already queued under the message's key; their ids."""
        recipients = list(dict.fromkeys(r.address for r in message.recipients))
        if not recipients:
            return ()
        by_address = {r.address: r for r in message.recipients}
        key = await self._blobs.put(message.data)
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if message.dedupe_key is not None:
                done = await queue_rows.queued_recipients(
                    conn, message.enterprise_id, message.dedupe_key, recipients
                )
                recipients = [r for r in recipients if r not in done]
                if not recipients:
                    return ()
            fresh = await blobrefs.add_refs(conn, [BlobRef(key, len(message.data), len(recipients))])
            if fresh and not await self._blobs.exists(key):
                # A concurrent reclaim removed the file between our put and the reference (blobrefs).
                await self._blobs.put(message.data)
            rows = [self._row(message, by_address[address], key, now) for address in recipients]
            ids = await queue_rows.insert_rows(conn, rows)
        return tuple(ids)

    async def list_queued(
        self, enterprise_id: int, *, status: str | None = None, limit: int = 100
    ) -> list[QueuedRecipient]:
        async with self._db.read() as conn:
            rows = await queue_rows.list_for_enterprise(conn, enterprise_id, status=status, limit=limit)
        return [QueuedRecipient.from_row(row) for row in rows]

    async def read_message(self, entry: QueuedRecipient) -> bytes:
        """The bytes to send for a row: our trace headers, then the stored message."""
        async with self._db.read() as conn:
            rows = await queue_rows.by_ids(conn, entry.enterprise_id, [entry.id])
        prefix = bytes(rows[0]["prefix"] or b"") if rows else b""
        return prefix + await self._blobs.get(entry.blob_sha256)

    @staticmethod
    def _row(
        message: OutboundMessage, recipient: OutboundRecipient, key: str, now: dt.datetime
    ) -> dict[str, Any]:
        return {
            "enterprise_id": message.enterprise_id,
            "member_id": message.member_id,
            "sender": message.sender,
            "recipient": recipient.address,
            "recipient_domain": recipient.address.rpartition("@")[2].lower(),
            "blob_sha256": key,
            "prefix": message.prefix or None,
            "size": len(message.prefix) + len(message.data),
            "message_id": message.message_id[:998] if message.message_id else None,
            "trace_id": message.trace_id,
            "created_at": now,
            "next_attempt_at": now,
            "last_attempt_at": None,
            "last_error": None,
            "smtputf8": message.smtputf8,
            "body_8bit": message.body_8bit,
            "dsn_ret": message.dsn.ret,
            "dsn_envid": message.dsn.envid,
            "dsn_notify": recipient.dsn.notify,
            "dsn_orcpt": recipient.dsn.orcpt,
            "dedupe_key": message.dedupe_key,
        }
