"""Web session rows: create, find by token hash, touch, revoke one or all of a member's, list, prune."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first
from yunmail.storage.sql.schema import web_sessions


async def insert_session(
    conn: AsyncConnection,
    *,
    token_hash: str,
    kind: str,
    enterprise_id: int | None,
    member_id: int | None,
    admin_id: int | None,
    login: str,
    remote_ip: str | None,
    idle_minutes: int,
    at: dt.datetime,
    operator_id: int | None = None,
) -> int:
    stmt = (
        insert(web_sessions)
        .values(
            token_hash=token_hash,
            kind=kind,
            enterprise_id=enterprise_id,
            member_id=member_id,
            admin_id=admin_id,
            operator_id=operator_id,
            login=login,
            remote_ip=remote_ip,
            idle_minutes=idle_minutes,
            created_at=at,
            last_seen_at=at,
        )
        .returning(web_sessions.c.id)
    )
    return int((await conn.execute(stmt)).scalar_one())


async def get_by_token_hash(conn: AsyncConnection, token_hash: str) -> dict[str, Any] | None:
    return first(await conn.execute(select(web_sessions).where(web_sessions.c.token_hash == token_hash)))


async def touch(conn: AsyncConnection, session_id: int, at: dt.datetime) -> None:
    await conn.execute(update(web_sessions).where(web_sessions.c.id == session_id).values(last_seen_at=at))


async def revoke(conn: AsyncConnection, session_id: int, at: dt.datetime) -> None:
    await conn.execute(
        update(web_sessions)
        .where(web_sessions.c.id == session_id, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def revoke_for_member(
    conn: AsyncConnection, enterprise_id: int, member_id: int, at: dt.datetime
) -> int:
    """Revoke every live session of the member; the number revoked."""
    result = await conn.execute(
        update(web_sessions)
        .where(
            web_sessions.c.enterprise_id == enterprise_id,
            web_sessions.c.member_id == member_id,
            web_sessions.c.revoked_at.is_(None),
        )
        .values(revoked_at=at)
    )
    return int(result.rowcount or 0)


async def list_for_member(conn: AsyncConnection, enterprise_id: int, member_id: int) -> list[dict[str, Any]]:
    """Unrevoked sessions (some may be idle-expired; the caller filters by its clock), newest first."""
    stmt = (
        select(web_sessions)
        .where(
            web_sessions.c.enterprise_id == enterprise_id,
            web_sessions.c.member_id == member_id,
            web_sessions.c.revoked_at.is_(None),
        )
        .order_by(web_sessions.c.last_seen_at.desc(), web_sessions.c.id.desc())
    )
    return every(await conn.execute(stmt))


async def delete_stale(conn: AsyncConnection, *, seen_before: dt.datetime) -> int:
    """Delete sessions revoked or last seen before the cutoff (longer ago than any idle limit)."""
    result = await conn.execute(
        delete(web_sessions).where(
            or_(web_sessions.c.last_seen_at < seen_before, web_sessions.c.revoked_at < seen_before)
        )
    )
    return int(result.rowcount or 0)


async def revoke_for_admin(conn: AsyncConnection, enterprise_id: int, admin_id: int, at: dt.datetime) -> int:
    """Revoke every live console session of the administrator; the number revoked."""
    result = await conn.execute(
        update(web_sessions)
        .where(
            web_sessions.c.enterprise_id == enterprise_id,
            web_sessions.c.admin_id == admin_id,
            web_sessions.c.revoked_at.is_(None),
        )
        .values(revoked_at=at)
    )
    return int(result.rowcount or 0)
