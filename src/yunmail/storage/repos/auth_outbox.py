"""The development outbox: SMS and e-mail messages "sent" by the outbox sender, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every
from yunmail.storage.sql.schema import outbox


async def insert_message(
    conn: AsyncConnection, *, channel: str, recipient: str, subject: str, body: str, at: dt.datetime
) -> int:
    stmt = (
        insert(outbox)
        .values(channel=channel, recipient=recipient, subject=subject, body=body, created_at=at)
        .returning(outbox.c.id)
    )
    return int((await conn.execute(stmt)).scalar_one())


async def messages(conn: AsyncConnection, *, recipient: str | None, limit: int) -> list[dict[str, Any]]:
    stmt = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
    if recipient is not None:
        stmt = stmt.where(outbox.c.recipient == recipient)
    return every(await conn.execute(stmt))
