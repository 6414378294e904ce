"""Administrator invitation rows: hashed link tokens, expiry, acceptance and revocation.

Tenant functions take ``enterprise_id``; ``get_by_token_hash`` is global because the invitee's link
carries only the token. Only the token's SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first, insert_or_none
from yunmail.storage.sql.schema import invitations


async def insert_invitation(
    conn: AsyncConnection, *, enterprise_id: int, values: Mapping[str, Any]
) -> int | None:
    """The new id, or None in the (astronomically unlikely) case of a token-hash collision."""
    stmt = insert(invitations).values(enterprise_id=enterprise_id, **values).returning(invitations.c.id)
    return await insert_or_none(conn, stmt)


async def get(conn: AsyncConnection, enterprise_id: int, invitation_id: int) -> dict[str, Any] | None:
    stmt = select(invitations).where(
        invitations.c.enterprise_id == enterprise_id, invitations.c.id == invitation_id
    )
    return first(await conn.execute(stmt))


async def get_by_token_hash(conn: AsyncConnection, token_hash: str) -> dict[str, Any] | None:
    stmt = select(invitations).where(invitations.c.token_hash == token_hash)
    return first(await conn.execute(stmt))


async def list_for_enterprise(conn: AsyncConnection, enterprise_id: int) -> list[dict[str, Any]]:
    """Newest first."""
    stmt = (
        select(invitations)
        .where(invitations.c.enterprise_id == enterprise_id)
        .order_by(invitations.c.created_at.desc(), invitations.c.id.desc())
    )
    return every(await conn.execute(stmt))


async def update_values(
    conn: AsyncConnection, enterprise_id: int, invitation_id: int, values: Mapping[str, Any]
) -> None:
    await conn.execute(
        update(invitations)
        .where(invitations.c.enterprise_id == enterprise_id, invitations.c.id == invitation_id)
        .values(**values)
    )


async def mark_accepted(
    conn: AsyncConnection,
    *,
    invitation_id: int,
    token_hash: str,
    administrator_id: int,
    now: dt.datetime,
) -> bool:
    """Accept once: False when the invitation was meanwhile accepted, revoked, re-issued or expired."""
    result = await conn.execute(
        update(invitations)
        .where(
            invitations.c.id == invitation_id,
            invitations.c.token_hash == token_hash,
            invitations.c.accepted_at.is_(None),
            invitations.c.revoked_at.is_(None),
            invitations.c.expires_at > now,
        )
        .values(accepted_at=now, administrator_id=administrator_id)
    )
    return result.rowcount == 1
