"""DKIM signing key rows of a domain: create, list (tenant-scoped through the domain), activate, retire."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first, insert_or_none
from yunmail.storage.sql.schema import dkim_keys, domains


def _owned(enterprise_id: int, domain_id: int) -> Any:
    """dkim_keys has no enterprise column: a key belongs to the tenant through its domain."""
    return dkim_keys.c.domain_id.in_(
        select(domains.c.id).where(domains.c.enterprise_id == enterprise_id, domains.c.id == domain_id)
    )


async def insert_key(
    conn: AsyncConnection,
    *,
    domain_id: int,
    selector: str,
    algorithm: str,
    private_key: str,
    public_key: str,
    active: bool,
    created_at: dt.datetime,
) -> int | None:
    """The new id, or None when the domain already has a key with this selector."""
    stmt = (
        insert(dkim_keys)
        .values(
            domain_id=domain_id,
            selector=selector,
            algorithm=algorithm,
            private_key=private_key,
            public_key=public_key,
            active=active,
            created_at=created_at,
        )
        .returning(dkim_keys.c.id)
    )
    return await insert_or_none(conn, stmt)


async def list_keys(conn: AsyncConnection, enterprise_id: int, domain_id: int) -> list[dict[str, Any]]:
    """Every key of the domain, oldest first."""
    stmt = select(dkim_keys).where(_owned(enterprise_id, domain_id)).order_by(dkim_keys.c.id)
    return every(await conn.execute(stmt))


async def get_key(
    conn: AsyncConnection, enterprise_id: int, domain_id: int, selector: str
) -> dict[str, Any] | None:
    stmt = select(dkim_keys).where(_owned(enterprise_id, domain_id), dkim_keys.c.selector == selector)
    return first(await conn.execute(stmt))


async def active_keys_by_domain_name(conn: AsyncConnection, name: str) -> list[dict[str, Any]]:
    """Active keys of the domain called ``name`` (A-label), for the outbound signer.

    Looked up by name because the signer starts from the From address; a domain name belongs to
    exactly one enterprise, so no other tenant's key can be returned.
    """
    stmt = (
        select(dkim_keys)
        .join(domains, domains.c.id == dkim_keys.c.domain_id)
        .where(domains.c.name == name, dkim_keys.c.active.is_(True))
        .order_by(dkim_keys.c.id)
    )
    return every(await conn.execute(stmt))


async def activate(conn: AsyncConnection, domain_id: int, key_id: int, algorithm: str) -> None:
    """Make ``key_id`` the domain's one active key of ``algorithm`` (the caller checked ownership)."""
    await conn.execute(
        update(dkim_keys)
        .where(dkim_keys.c.domain_id == domain_id, dkim_keys.c.algorithm == algorithm)
        .values(active=dkim_keys.c.id == key_id)
    )


async def delete_key(conn: AsyncConnection, domain_id: int, key_id: int) -> None:
    await conn.execute(delete(dkim_keys).where(dkim_keys.c.domain_id == domain_id, dkim_keys.c.id == key_id))
