"""Login lookups for auth: a member's credentials, status, enterprise and open mailbox in one row.

The directory's own repositories return members without their enterprise or mailbox; a login needs
all of them at once (on the IMAP/SMTP hot path), so these joins live here. Lookups by organisation
identifier, mailbox address, domain and phone are platform-wide by nature (the login names the
tenant); everything else takes ``enterprise_id``. Enterprises being dissolved count as missing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every, first
from yunmail.storage.sql.schema import domains, enterprises, mailboxes, members

_GONE = "dissolving"


def _accounts() -> Select[Any]:
    """Member + enterprise + the member's open personal mailbox (if any), one row per member."""
    open_mailbox = and_(
        mailboxes.c.member_id == members.c.id,
        mailboxes.c.enterprise_id == members.c.enterprise_id,
        mailboxes.c.status == "open",
    )
    return (
        select(
            members.c.id.label("member_id"),
            members.c.enterprise_id,
            members.c.account,
            members.c.status,
            members.c.password_hash,
            members.c.must_change_password,
            members.c.phone,
            members.c.contact_email,
            members.c.session_keep_minutes,
            enterprises.c.org_id,
            enterprises.c.status.label("enterprise_status"),
            enterprises.c.settings.label("enterprise_settings"),
            mailboxes.c.id.label("mailbox_id"),
            mailboxes.c.address,
        )
        .select_from(
            members.join(enterprises, enterprises.c.id == members.c.enterprise_id).outerjoin(
                mailboxes, open_mailbox
            )
        )
        .where(enterprises.c.status != _GONE)
    )


async def enterprise_by_org_id(conn: AsyncConnection, org_id: str) -> dict[str, Any] | None:
    stmt = select(enterprises.c.id, enterprises.c.org_id, enterprises.c.status, enterprises.c.settings).where(
        enterprises.c.org_id == org_id, enterprises.c.status != _GONE
    )
    return first(await conn.execute(stmt))


async def enterprise_by_domain(conn: AsyncConnection, domain: str) -> dict[str, Any] | None:
    """The enterprise that added ``domain`` (A-label, lower case), whatever its verification state."""
    stmt = (
        select(enterprises.c.id, enterprises.c.org_id, enterprises.c.status, enterprises.c.settings)
        .select_from(domains.join(enterprises, enterprises.c.id == domains.c.enterprise_id))
        .where(domains.c.name == domain, enterprises.c.status != _GONE)
    )
    return first(await conn.execute(stmt))


async def account(conn: AsyncConnection, enterprise_id: int, member_id: int) -> dict[str, Any] | None:
    stmt = _accounts().where(members.c.enterprise_id == enterprise_id, members.c.id == member_id)
    return first(await conn.execute(stmt))


async def account_by_key(
    conn: AsyncConnection, enterprise_id: int, account_key: str
) -> dict[str, Any] | None:
    stmt = _accounts().where(members.c.enterprise_id == enterprise_id, members.c.account_key == account_key)
    return first(await conn.execute(stmt))


async def account_by_address(
    conn: AsyncConnection, address: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(enterprise, account) for a canonical mailbox address: the enterprise that hosts its domain, and
    the member whose own mailbox (open or in the recycle bin) it is. Either may be None."""
    stmt = select(mailboxes.c.member_id).where(
        mailboxes.c.address == address, mailboxes.c.kind == "personal", mailboxes.c.member_id.is_not(None)
    )
    member_id = (await conn.execute(stmt)).scalar_one_or_none()
    enterprise = await enterprise_by_domain(conn, address.rpartition("@")[2])
    if enterprise is None or member_id is None:
        return enterprise, None
    return enterprise, await account(conn, int(enterprise["id"]), int(member_id))


async def accounts_by_phone(conn: AsyncConnection, phone: str) -> list[dict[str, Any]]:
    """Every member with this (normalised) phone, across enterprises, by enterprise id."""
    stmt = _accounts().where(members.c.phone == phone).order_by(members.c.enterprise_id)
    return every(await conn.execute(stmt))


async def set_password_hash(
    conn: AsyncConnection, enterprise_id: int, member_id: int, password_hash: str
) -> None:
    """The member's own new password (forgot-password flow): it need not be changed again."""
    await conn.execute(
        update(members)
        .where(members.c.enterprise_id == enterprise_id, members.c.id == member_id)
        .values(password_hash=password_hash, must_change_password=False)
    )


async def replace_password_hash(
    conn: AsyncConnection, enterprise_id: int, member_id: int, old_hash: str, new_hash: str
) -> bool:
    """The same password under new hashing parameters, only if the stored hash is still ``old_hash``
    (a password change in between wins). Leaves "must change" as it was. False when not replaced."""
    result = await conn.execute(
        update(members)
        .where(
            members.c.enterprise_id == enterprise_id,
            members.c.id == member_id,
            members.c.password_hash == old_hash,
        )
        .values(password_hash=new_hash)
    )
    return bool(result.rowcount)


async def set_session_keep_minutes(
    conn: AsyncConnection, enterprise_id: int, member_id: int, minutes: int
) -> bool:
    """False when no such member exists in the enterprise."""
    result = await conn.execute(
        update(members)
        .where(members.c.enterprise_id == enterprise_id, members.c.id == member_id)
        .values(session_keep_minutes=minutes)
    )
    return bool(result.rowcount)
