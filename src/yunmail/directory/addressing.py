"""Hosted addresses for mailboxes, aliases and groups: composing, occupancy errors and reservation.

An address is reserved in the ``addresses`` table in the same transaction that creates what it
names; the table's primary key settles races. An address held by a mailbox in the recycle bin gets
its own error ("restore or purge it first"), distinct from an address in use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from yunmail.directory.model import normalise_local_part
from yunmail.domains import to_ascii, to_unicode
from yunmail.errors import AddressInRecycleBin, AddressOccupied, DomainInvalid, DomainNotFound
from yunmail.storage.repos import addresses as address_rows
from yunmail.storage.repos import domains as domain_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


def compose(local_part: str, domain_name: str) -> str:
    """Canonical address: validated lower-case local part at the domain's A-label."""
    return f"{normalise_local_part(local_part)}@{domain_name}"


def canonical_address(address: str) -> str | None:
    """How a hosted address is stored: lower-case local part, A-label domain; None if not an address.

    Local parts are matched case-insensitively (all hosted ones are lower-case, ASCII).
    """
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return None
    try:
        return f"{local.lower()}@{to_ascii(domain)}"
    except DomainInvalid:
        return None


def display(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local}@{to_unicode(domain)}"


async def require_domain(conn: AsyncConnection, enterprise_id: int, domain_id: int) -> Mapping[str, Any]:
    """The enterprise's own domain; another enterprise's id behaves as missing."""
    row = await domain_rows.get(conn, enterprise_id, domain_id)
    if row is None:
        raise DomainNotFound()
    return row


def occupied_error(address: str, holder: Mapping[str, Any]) -> AddressOccupied | AddressInRecycleBin:
    if holder["mailbox_status"] in ("recycled", "purging") and holder["kind"] == "mailbox":
        return AddressInRecycleBin(address=display(address))
    return AddressOccupied(address=display(address))


async def refuse_if_taken(conn: AsyncConnection, address: str) -> None:
    holder = await address_rows.occupant(conn, address)
    if holder is not None:
        raise occupied_error(address, holder)


async def reserve(
    conn: AsyncConnection,
    enterprise_id: int,
    address: str,
    *,
    kind: str,
    mailbox_id: int | None = None,
    group_id: int | None = None,
) -> None:
    """Reserve ``address`` for what was just inserted; the loser of a race gets the occupancy error."""
    if not await address_rows.reserve(
        conn,
        address=address,
        enterprise_id=enterprise_id,
        kind=kind,
        mailbox_id=mailbox_id,
        group_id=group_id,
    ):
        await refuse_if_taken(conn, address)
        raise AddressOccupied(address=display(address))
