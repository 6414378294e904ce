"""API-token rows of enterprise administrators: create, list, revoke, find by hash, record last use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first
from yunmail.storage.sql.schema import api_tokens

_PUBLIC = (
    api_tokens.c.id,
    api_tokens.c.enterprise_id,
    api_tokens.c.admin_id,
    api_tokens.c.label,
    api_tokens.c.created_at,
    api_tokens.c.last_used_at,
    api_tokens.c.last_used_ip,
    api_tokens.c.revoked_at,
)


def _of_admin(enterprise_id: int, admin_id: int) -> Any:
    return (api_tokens.c.enterprise_id == enterprise_id) & (api_tokens.c.admin_id == admin_id)


async def insert_token(
    conn: AsyncConnection,
    *,
    enterprise_id: int,
    admin_id: int,
    label: str,
    token_hash: str,
    created_at: dt.datetime,
) -> int:
    stmt = (
        insert(api_tokens)
        .values(
            enterprise_id=enterprise_id,
            admin_id=admin_id,
            label=label,
            token_hash=token_hash,
            created_at=created_at,
        )
        .returning(api_tokens.c.id)
    )
    return int((await conn.execute(stmt)).scalar_one())


async def get(
    conn: AsyncConnection, enterprise_id: int, admin_id: int, token_id: int
) -> dict[str, Any] | None:
    """The row without its hash."""
    stmt = select(*_PUBLIC).where(_of_admin(enterprise_id, admin_id), api_tokens.c.id == token_id)
    return first(await conn.execute(stmt))


async def get_by_hash(conn: AsyncConnection, token_hash: str) -> dict[str, Any] | None:
    """The one global lookup: a token names its enterprise and administrator by itself."""
    return first(await conn.execute(select(*_PUBLIC).where(api_tokens.c.token_hash == token_hash)))


async def list_for_admin(conn: AsyncConnection, enterprise_id: int, admin_id: int) -> list[dict[str, Any]]:
    """Every token of the administrator (revoked ones too), newest first, without hashes."""
    stmt = (
        select(*_PUBLIC)
        .where(_of_admin(enterprise_id, admin_id))
        .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc())
    )
    return every(await conn.execute(stmt))


async def count_active(conn: AsyncConnection, enterprise_id: int, admin_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(api_tokens)
        .where(_of_admin(enterprise_id, admin_id), api_tokens.c.revoked_at.is_(None))
    )
    return int((await conn.execute(stmt)).scalar_one())


async def revoke(
    conn: AsyncConnection, enterprise_id: int, admin_id: int, token_id: int, at: dt.datetime
) -> None:
    await conn.execute(
        update(api_tokens)
        .where(
            _of_admin(enterprise_id, admin_id), api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None)
        )
        .values(revoked_at=at)
    )


async def record_use(conn: AsyncConnection, token_id: int, *, at: dt.datetime, remote_ip: str | None) -> None:
    await conn.execute(
        update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=at, last_used_ip=remote_ip)
    )
