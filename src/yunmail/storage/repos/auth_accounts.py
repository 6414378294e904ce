"""Login lookups for auth: a member's credentials, status, enterprise and open mailbox in one row.

The directory's own repositories return members without their enterprise or mailbox; a login needs
all of them at once (on the IMAP/SMTP hot path), so these joins live here. Lookups by organisation
identifier, mailbox address, domain and phone are platform-wide by nature (the login names the
tenant); everything else takes ``enterprise_id``. Enterprises being dissolved count as missing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, bindparam, select, update
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


def _login_lookup(found: Any, where: Any) -> Select[Any]:
    """Enterprise + member (if ``found`` matches one) + open mailbox, one row per enterprise."""
    open_mailbox = and_(
        mailboxes.c.member_id == members.c.id,
        mailboxes.c.enterprise_id == members.c.enterprise_id,
        mailboxes.c.status == "open",
    )
    return (
        select(
            enterprises.c.id.label("enterprise_id"),
            enterprises.c.org_id,
            enterprises.c.status.label("enterprise_status"),
            enterprises.c.settings.label("enterprise_settings"),
            members.c.id.label("member_id"),
            members.c.account,
            members.c.status,
            members.c.password_hash,
            members.c.must_change_password,
            members.c.phone,
            members.c.contact_email,
            members.c.session_keep_minutes,
            mailboxes.c.id.label("mailbox_id"),
            mailboxes.c.address,
        )
        .select_from(found.outerjoin(mailboxes, open_mailbox))
        .where(where, enterprises.c.status != _GONE)
    )


# The login hot path (every IMAP/POP3/SMTP login): each form is ONE statement, built once here so
# that a login pays neither statement construction nor cache-key generation.
_BY_ORG_ACCOUNT = _login_lookup(
    enterprises.outerjoin(
        members,
        and_(members.c.enterprise_id == enterprises.c.id, members.c.account_key == bindparam("account_key")),
    ),
    enterprises.c.org_id == bindparam("org_id"),
)
_named = mailboxes.alias("named")  # the personal mailbox the login address names, open or recycled
_BY_ADDRESS = _login_lookup(
    domains.join(enterprises, enterprises.c.id == domains.c.enterprise_id)
    .outerjoin(
        _named,
        and_(
            _named.c.address == bindparam("address"),
            _named.c.kind == "personal",
            _named.c.member_id.is_not(None),
        ),
    )
    .outerjoin(
        members, and_(members.c.id == _named.c.member_id, members.c.enterprise_id == enterprises.c.id)
    ),
    domains.c.name == bindparam("domain"),
)


def _split(row: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if row is None:
        return None, None
    enterprise = {
        "id": row["enterprise_id"],
        "org_id": row["org_id"],
        "status": row["enterprise_status"],
        "settings": row["enterprise_settings"],
    }
    return enterprise, (row if row["member_id"] is not None else None)


async def login_by_account(
    conn: AsyncConnection, org_id: str, account_key: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(enterprise, account) for ``account@orgid`` in one statement: no enterprise -> (None, None); no
    such account there -> (enterprise, None). The account row has the shape of ``account``."""
    return _split(first(await conn.execute(_BY_ORG_ACCOUNT, {"org_id": org_id, "account_key": account_key})))


async def login_by_address(
    conn: AsyncConnection, address: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(enterprise, account) for a canonical mailbox address in one statement: the enterprise that
    added the address's domain, and the member of that enterprise whose own mailbox (open or in the
    recycle bin) the address is. Either may be None."""
    params = {"address": address, "domain": address.rpartition("@")[2]}
    return _split(first(await conn.execute(_BY_ADDRESS, params)))


async def enterprise_by_org_id(conn: AsyncConnection, org_id: str) -> dict[str, Any] | None:
    stmt = select(enterprises.c.id, enterprises.c.org_id, enterprises.c.status, enterprises.c.settings).where(
        enterprises.c.org_id == org_id, enterprises.c.status != _GONE
    )
    return first(await conn.execute(stmt))


async def account(conn: AsyncConnection, enterprise_id: int, member_id: int) -> dict[str, Any] | None:
    stmt = _accounts().where(members.c.enterprise_id == enterprise_id, members.c.id == member_id)
    return first(await conn.execute(stmt))


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
