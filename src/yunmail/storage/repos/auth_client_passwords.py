"""Client-password rows of one member: create, list, revoke, the active hashes a login checks, last use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first
from yunmail.storage.sql.schema import client_passwords

_PUBLIC = (
    client_passwords.c.id,
    client_passwords.c.enterprise_id,
    client_passwords.c.member_id,
    client_passwords.c.label,
    client_passwords.c.created_at,
    client_passwords.c.last_used_at,
    client_passwords.c.last_used_protocol,
    client_passwords.c.revoked_at,
)


def _of_member(enterprise_id: int, member_id: int) -> Any:
    return (client_passwords.c.enterprise_id == enterprise_id) & (client_passwords.c.member_id == member_id)


async def insert_client_password(
    conn: AsyncConnection,
    *,
    enterprise_id: int,
    member_id: int,
    label: str,
    secret_hash: str,
    created_at: dt.datetime,
) -> int:
    stmt = (
        insert(client_passwords)
        .values(
            enterprise_id=enterprise_id,
            member_id=member_id,
            label=label,
            secret_hash=secret_hash,
            created_at=created_at,
        )
        .returning(client_passwords.c.id)
    )
    return int((await conn.execute(stmt)).scalar_one())


async def get(
    conn: AsyncConnection, enterprise_id: int, member_id: int, client_password_id: int
) -> dict[str, Any] | None:
    """The row without its hash."""
    stmt = select(*_PUBLIC).where(
        _of_member(enterprise_id, member_id), client_passwords.c.id == client_password_id
    )
    return first(await conn.execute(stmt))


async def list_active(conn: AsyncConnection, enterprise_id: int, member_id: int) -> list[dict[str, Any]]:
    """Unrevoked ones, newest first, without their hashes."""
    stmt = (
        select(*_PUBLIC)
        .where(_of_member(enterprise_id, member_id), client_passwords.c.revoked_at.is_(None))
        .order_by(client_passwords.c.created_at.desc(), client_passwords.c.id.desc())
    )
    return every(await conn.execute(stmt))


async def count_active(conn: AsyncConnection, enterprise_id: int, member_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(client_passwords)
        .where(_of_member(enterprise_id, member_id), client_passwords.c.revoked_at.is_(None))
    )
    return int((await conn.execute(stmt)).scalar_one())


async def active_hashes(conn: AsyncConnection, enterprise_id: int, member_id: int) -> list[dict[str, Any]]:
    """What a login compares against: id, hash and last use of each unrevoked client password."""
    stmt = select(
        client_passwords.c.id,
        client_passwords.c.secret_hash,
        client_passwords.c.last_used_at,
        client_passwords.c.last_used_protocol,
    ).where(_of_member(enterprise_id, member_id), client_passwords.c.revoked_at.is_(None))
    return every(await conn.execute(stmt))


async def is_active(
    conn: AsyncConnection, enterprise_id: int, member_id: int, client_password_id: int
) -> bool:
    stmt = select(client_passwords.c.id).where(
        _of_member(enterprise_id, member_id),
        client_passwords.c.id == client_password_id,
        client_passwords.c.revoked_at.is_(None),
    )
    return (await conn.execute(stmt)).first() is not None


async def revoke(
    conn: AsyncConnection, enterprise_id: int, member_id: int, client_password_id: int, at: dt.datetime
) -> None:
    await conn.execute(
        update(client_passwords)
        .where(
            _of_member(enterprise_id, member_id),
            client_passwords.c.id == client_password_id,
            client_passwords.c.revoked_at.is_(None),
        )
        .values(revoked_at=at)
    )


async def record_use(
    conn: AsyncConnection, enterprise_id: int, client_password_id: int, *, at: dt.datetime, protocol: str
) -> None:
    await conn.execute(
        update(client_passwords)
        .where(client_passwords.c.enterprise_id == enterprise_id, client_passwords.c.id == client_password_id)
        .values(last_used_at=at, last_used_protocol=protocol)
    )
