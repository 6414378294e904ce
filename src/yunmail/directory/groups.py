"""Groups (distribution lists): an address on an enterprise domain that reaches members and other addresses.

Entries are members of the same enterprise (mail reaches their open mailbox) or addresses: a
hosted address reaches its mailbox, anything else is an outside address the delivery layer
forwards to. Address entries are stored lower-case with an A-label domain. Groups are not nested:
a group address on another group's list is not expanded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from yunmail.directory.addressing import (
    canonical_address,
    compose,
    display,
    refuse_if_taken,
    require_domain,
    reserve,
)
from yunmail.directory.context import DirectoryContext, record, require_enterprise
from yunmail.directory.model import Group, validate_contact_email, validate_group_name
from yunmail.errors import AddressInvalid, AddressOccupied, ContactEmailInvalid, GroupNotFound, MemberNotFound
from yunmail.storage.repos import groups as group_rows
from yunmail.storage.repos import members as member_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


class Groups:
    def __init__(self, ctx: DirectoryContext) -> None:
        self._ctx = ctx

    async def create(
        self,
        enterprise_id: int,
        domain_id: int,
        local_part: str,
        name: str,
        actor: str,
        *,
        member_ids: Iterable[int] = (),
        addresses: Iterable[str] = (),
    ) -> Group:
        name = validate_group_name(name)
        entries = [_entry_address(a) for a in addresses]
        async with self._ctx.db.transaction() as conn:
            await require_enterprise(conn, enterprise_id)
            domain = await require_domain(conn, enterprise_id, domain_id)
            address = compose(local_part, domain["name"])
            await refuse_if_taken(conn, address)
            group_id = await group_rows.insert_group(
                conn,
                enterprise_id=enterprise_id,
                domain_id=domain_id,
                address=address,
                name=name,
                created_at=self._ctx.now(),
            )
            if group_id is None:
                raise AddressOccupied(address=display(address))
            await reserve(conn, enterprise_id, address, kind="group", group_id=group_id)
            for member_id in dict.fromkeys(member_ids):
                await _require_member(conn, enterprise_id, member_id)
                await group_rows.add_entry(conn, group_id, member_id=member_id, address=None)
            for entry in dict.fromkeys(entries):
                await group_rows.add_entry(conn, group_id, member_id=None, address=entry)
            await record(self._ctx, conn, enterprise_id, actor, "group.create", address, {"name": name})
            return await _load(conn, enterprise_id, group_id)

    async def get(self, enterprise_id: int, group_id: int) -> Group:
        async with self._ctx.db.read() as conn:
            return await _load(conn, enterprise_id, group_id)

    async def list_groups(self, enterprise_id: int) -> tuple[Group, ...]:
        async with self._ctx.db.read() as conn:
            await require_enterprise(conn, enterprise_id)
            rows = await group_rows.list_groups(conn, enterprise_id)
            return tuple([await _load(conn, enterprise_id, r["id"]) for r in rows])

    async def add_member(self, enterprise_id: int, group_id: int, member_id: int, actor: str) -> Group:
        """Add a member (already on the list: nothing changes)."""
        async with self._ctx.db.transaction() as conn:
            group = await _require(conn, enterprise_id, group_id)
            await _require_member(conn, enterprise_id, member_id)
            if await group_rows.add_entry(conn, group_id, member_id=member_id, address=None):
                await record(
                    self._ctx,
                    conn,
                    enterprise_id,
                    actor,
                    "group.add_member",
                    group["address"],
                    {"member_id": member_id},
                )
            return await _load(conn, enterprise_id, group_id)

    async def remove_member(self, enterprise_id: int, group_id: int, member_id: int, actor: str) -> Group:
        async with self._ctx.db.transaction() as conn:
            group = await _require(conn, enterprise_id, group_id)
            if await group_rows.remove_entry(conn, group_id, member_id=member_id, address=None):
                await record(
                    self._ctx,
                    conn,
                    enterprise_id,
                    actor,
                    "group.remove_member",
                    group["address"],
                    {"member_id": member_id},
                )
            return await _load(conn, enterprise_id, group_id)

    async def add_address(self, enterprise_id: int, group_id: int, address: str, actor: str) -> Group:
        """Add an outside (or another hosted) address; AddressInvalid when it is not an address."""
        entry = _entry_address(address)
        async with self._ctx.db.transaction() as conn:
            group = await _require(conn, enterprise_id, group_id)
            if await group_rows.add_entry(conn, group_id, member_id=None, address=entry):
                await record(
                    self._ctx,
                    conn,
                    enterprise_id,
                    actor,
                    "group.add_address",
                    group["address"],
                    {"address": entry},
                )
            return await _load(conn, enterprise_id, group_id)

    async def remove_address(self, enterprise_id: int, group_id: int, address: str, actor: str) -> Group:
        entry = canonical_address(address) or address.strip().lower()
        async with self._ctx.db.transaction() as conn:
            group = await _require(conn, enterprise_id, group_id)
            if await group_rows.remove_entry(conn, group_id, member_id=None, address=entry):
                await record(
                    self._ctx,
                    conn,
                    enterprise_id,
                    actor,
                    "group.remove_address",
                    group["address"],
                    {"address": entry},
                )
            return await _load(conn, enterprise_id, group_id)

    async def delete(self, enterprise_id: int, group_id: int, actor: str) -> None:
        """Delete the group and free its address (its entries go with it)."""
        async with self._ctx.db.transaction() as conn:
            group = await _require(conn, enterprise_id, group_id)
            await group_rows.delete_group(conn, enterprise_id, group_id)
            await record(self._ctx, conn, enterprise_id, actor, "group.delete", group["address"])


def _entry_address(address: str) -> str:
    try:
        validate_contact_email(address)
    except ContactEmailInvalid as exc:
        raise AddressInvalid(address=address) from exc
    canonical = canonical_address(address)
    if canonical is None:
        raise AddressInvalid(address=address)
    return canonical


async def _require(conn: AsyncConnection, enterprise_id: int, group_id: int) -> Mapping[str, Any]:
    row = await group_rows.get(conn, enterprise_id, group_id)
    if row is None:
        raise GroupNotFound()
    return row


async def _load(conn: AsyncConnection, enterprise_id: int, group_id: int) -> Group:
    row = await _require(conn, enterprise_id, group_id)
    member_ids, addresses = await group_rows.entries(conn, group_id)
    return Group(
        id=row["id"],
        enterprise_id=row["enterprise_id"],
        domain_id=row["domain_id"],
        address=row["address"],
        name=row["name"],
        member_ids=tuple(member_ids),
        addresses=tuple(addresses),
        created_at=row["created_at"],
    )


async def _require_member(conn: AsyncConnection, enterprise_id: int, member_id: int) -> None:
    if await member_rows.get(conn, enterprise_id, member_id) is None:
        raise MemberNotFound()
