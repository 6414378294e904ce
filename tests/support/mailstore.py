"""Factories for mail-store tests: minimal mailbox rows (with their enterprise and domain) and messages."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import insert

from yunmail.storage import Database
from yunmail.storage.sql.schema import domains, enterprises, mailboxes

CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


async def create_mailbox(db: Database, *, quota_bytes: int | None = None) -> int:
    """A new ``mailboxes`` row (the directory's job in production) in a fresh enterprise and domain."""
    tag = secrets.token_hex(4)
    async with db.transaction() as conn:
        enterprise_id = (
            await conn.execute(
                insert(enterprises)
                .values(name=f"Test {tag}", org_id=f"t{tag}", created_at=CREATED)
                .returning(enterprises.c.id)
            )
        ).scalar_one()
        domain_id = (
            await conn.execute(
                insert(domains)
                .values(
                    enterprise_id=enterprise_id,
                    name=f"{tag}.example.test",
                    ownership_token=tag,
                    created_at=CREATED,
                )
                .returning(domains.c.id)
            )
        ).scalar_one()
        mailbox_id = (
            await conn.execute(
                insert(mailboxes)
                .values(
                    enterprise_id=enterprise_id,
                    domain_id=domain_id,
                    address=f"user@{tag}.example.test",
                    quota_bytes=quota_bytes,
                    created_at=CREATED,
                )
                .returning(mailboxes.c.id)
            )
        ).scalar_one()
    return int(mailbox_id)


def make_message(
    subject: str = "Hello",
    body: str = "Hi there.\r\n",
    *,
    sender: str = "alice@example.org",
    to: str = "bob@example.test",
    cc: str | None = None,
    message_id: str | None = None,
    date: str = "Thu, 01 Jan 2026 08:00:00 +0000",
    extra: bytes = b"",
) -> bytes:
    """A small RFC 5322 message with CRLF line ends; ``extra`` is appended to the header block."""
    headers = [
        f"From: {sender}",
        f"To: {to}",
        *([f"Cc: {cc}"] if cc else []),
        f"Subject: {subject}",
        f"Date: {date}",
        f"Message-ID: {message_id or f'<{secrets.token_hex(8)}@example.org>'}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    head = "\r\n".join(headers).encode() + b"\r\n" + extra
    return head + b"\r\n" + body.encode("utf-8")
