"""Mailbox automation rows (one JSON value per mailbox) and the once-per-sender-per-day auto-reply log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.sql.schema import auto_reply_log, mailbox_automation, mailboxes


def _insert(conn: AsyncConnection) -> Any:
    return sqlite_insert if conn.dialect.name == "sqlite" else pg_insert


async def mailbox_in_enterprise(conn: AsyncConnection, enterprise_id: int, mailbox_id: int) -> bool:
    query = select(mailboxes.c.id).where(
        mailboxes.c.id == mailbox_id, mailboxes.c.enterprise_id == enterprise_id
    )
    return (await conn.execute(query)).first() is not None


async def get(conn: AsyncConnection, enterprise_id: int, mailbox_id: int) -> Mapping[str, Any] | None:
    query = select(mailbox_automation.c.settings).where(
        mailbox_automation.c.mailbox_id == mailbox_id, mailbox_automation.c.enterprise_id == enterprise_id
    )
    value = (await conn.execute(query)).scalar_one_or_none()
    return value if isinstance(value, dict) else None


async def put(
    conn: AsyncConnection,
    enterprise_id: int,
    mailbox_id: int,
    settings: Mapping[str, Any],
    *,
    active: bool,
    at: dt.datetime,
) -> None:
    values = {"settings": dict(settings), "active": active, "updated_at": at}
    changed = await conn.execute(
        update(mailbox_automation)
        .where(
            mailbox_automation.c.mailbox_id == mailbox_id, mailbox_automation.c.enterprise_id == enterprise_id
        )
        .values(**values)
    )
    if changed.rowcount == 0:
        await conn.execute(
            _insert(conn)(mailbox_automation).values(
                mailbox_id=mailbox_id, enterprise_id=enterprise_id, **values
            )
        )


async def mailbox_address(conn: AsyncConnection, enterprise_id: int, mailbox_id: int) -> str | None:
    query = select(mailboxes.c.address).where(
        mailboxes.c.id == mailbox_id, mailboxes.c.enterprise_id == enterprise_id
    )
    value = (await conn.execute(query)).scalar_one_or_none()
    return str(value) if value is not None else None


async def active_for(conn: AsyncConnection, mailbox_ids: Iterable[int]) -> list[dict[str, Any]]:
    """``{mailbox_id, enterprise_id, address, settings}`` of the mailboxes among ``mailbox_ids`` that
    have something to do at delivery time. Platform-internal: delivery already resolved the mailboxes.
    """
    ids = sorted(set(mailbox_ids))
    if not ids:
        return []
    query = (
        select(
            mailbox_automation.c.mailbox_id,
            mailbox_automation.c.enterprise_id,
            mailboxes.c.address,
            mailbox_automation.c.settings,
        )
        .join(mailboxes, mailboxes.c.id == mailbox_automation.c.mailbox_id)
        .where(mailbox_automation.c.mailbox_id.in_(ids), mailbox_automation.c.active.is_(True))
    )
    return [dict(row) for row in (await conn.execute(query)).mappings()]


async def active_mailbox_ids(conn: AsyncConnection) -> list[int]:
    """Every mailbox with something to do at delivery time (delivery caches this set briefly)."""
    query = select(mailbox_automation.c.mailbox_id).where(mailbox_automation.c.active.is_(True))
    return [int(v) for v in (await conn.execute(query)).scalars()]


async def claim_auto_reply(conn: AsyncConnection, mailbox_id: int, sender: str, day: dt.date) -> bool:
    """Record an auto-reply to ``sender`` today; False when one was already sent (nothing written)."""
    stmt = (
        _insert(conn)(auto_reply_log)
        .values(mailbox_id=mailbox_id, sender=sender, day=day)
        .on_conflict_do_nothing(index_elements=["mailbox_id", "sender", "day"])
    )
    return bool((await conn.execute(stmt)).rowcount)


async def prune_auto_reply_log(conn: AsyncConnection, before: dt.date) -> int:
    result = await conn.execute(delete(auto_reply_log).where(auto_reply_log.c.day < before))
    return int(result.rowcount or 0)
