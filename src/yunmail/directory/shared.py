"""Shared (public) mailboxes used by several members, and aliases: extra addresses of a mailbox.

A shared mailbox is a mailbox row of kind ``shared`` without an owner; the members who use it are
listed in ``shared_mailbox_members``. It takes a seat like any open mailbox, and its lifecycle
(close to the recycle bin, restore, purge) is the one in ``mailboxes``. An alias is an address on
one of the enterprise's domains that delivers to one mailbox; it is reserved like any address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from yunmail.directory.addressing import compose, display, refuse_if_taken, require_domain, reserve
from yunmail.directory.context import DirectoryContext, record, require_enterprise
from yunmail.directory.mailboxes import Mailboxes
from yunmail.directory.model import Alias, Mailbox, SharedMailbox, validate_shared_mailbox_name
from yunmail.errors import (
    AddressOccupied,
    AliasNotFound,
    MailboxNotFound,
    MailboxRecycled,
    MemberNotFound,
    SharedMailboxNotFound,
)
from yunmail.storage.repos import addresses as address_rows
from yunmail.storage.repos import mailboxes as mailbox_rows
from yunmail.storage.repos import members as member_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


class SharedMailboxes:
    def __init__(self, ctx: DirectoryContext, mailboxes: Mailboxes) -> None:
        self._ctx = ctx
        self._mailboxes = mailboxes

    async def create(
        self,
        enterprise_id: int,
        domain_id: int,
        local_part: str,
        name: str,
        actor: str,
        *,
        member_ids: Iterable[int] = (),
    ) -> SharedMailbox:
        name = validate_shared_mailbox_name(name)
        async with self._ctx.db.transaction() as conn:
            await require_enterprise(conn, enterprise_id)
            domain = await require_domain(conn, enterprise_id, domain_id)
            address = compose(local_part, domain["name"])
            await self._mailboxes.check_seats_in(conn, enterprise_id)
            await refuse_if_taken(conn, address)
            mailbox_id = await mailbox_rows.insert_mailbox(
                conn,
                enterprise_id=enterprise_id,
                member_id=None,
                domain_id=domain_id,
                address=address,
                kind="shared",
                display_name=name,
                created_at=self._ctx.now(),
            )
            if mailbox_id is None:
                raise AddressOccupied(address=display(address))
            await reserve(conn, enterprise_id, address, kind="mailbox", mailbox_id=mailbox_id)
            for member_id in dict.fromkeys(member_ids):
                await _require_member(conn, enterprise_id, member_id)
                await mailbox_rows.add_shared_member(conn, mailbox_id, member_id)
            await record(
                self._ctx, conn, enterprise_id, actor, "shared_mailbox.create", address, {"name": name}
            )
            shared = await _load(conn, enterprise_id, mailbox_id)
        await self._ctx.storage.provision(mailbox_id)
        return shared

    async def get(self, enterprise_id: int, mailbox_id: int) -> SharedMailbox:
        async with self._ctx.db.read() as conn:
            return await _load(conn, enterprise_id, mailbox_id)

    async def list_shared(self, enterprise_id: int) -> tuple[SharedMailbox, ...]:
        async with self._ctx.db.read() as conn:
            await require_enterprise(conn, enterprise_id)
            rows = await mailbox_rows.list_mailboxes(conn, enterprise_id, kind="shared")
            return tuple(
                [
                    SharedMailbox(
                        Mailbox.from_row(r), tuple(await mailbox_rows.shared_member_ids(conn, r["id"]))
                    )
                    for r in rows
                ]
            )

    async def add_member(
        self, enterprise_id: int, mailbox_id: int, member_id: int, actor: str
    ) -> SharedMailbox:
        """Let a member use the shared mailbox (adding one already there changes nothing)."""
        async with self._ctx.db.transaction() as conn:
            shared = await _load(conn, enterprise_id, mailbox_id)
            await _require_member(conn, enterprise_id, member_id)
            if await mailbox_rows.add_shared_member(conn, mailbox_id, member_id):
                await record(
                    self._ctx,
                    conn,
                    enterprise_id,
                    actor,
                    "shared_mailbox.add_member",
                    shared.mailbox.address,
                    {"member_id": member_id},
                )
            return await _load(conn, enterprise_id, mailbox_id)

    async def remove_member(
        self, enterprise_id: int, mailbox_id: int, member_id: int, actor: str
    ) -> SharedMailbox:
        async with self._ctx.db.transaction() as conn:
            shared = await _load(conn, enterprise_id, mailbox_id)
            await mailbox_rows.remove_shared_member(conn, mailbox_id, member_id)
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "shared_mailbox.remove_member",
                shared.mailbox.address,
                {"member_id": member_id},
            )
            return await _load(conn, enterprise_id, mailbox_id)

    async def delete(self, enterprise_id: int, mailbox_id: int, actor: str) -> Mailbox:
        """A shared mailbox is deleted like any other: it goes to the recycle bin first."""
        await self.get(enterprise_id, mailbox_id)
        return await self._mailboxes.close(enterprise_id, mailbox_id, actor)


class Aliases:
    def __init__(self, ctx: DirectoryContext) -> None:
        self._ctx = ctx

    async def add(
        self, enterprise_id: int, mailbox_id: int, domain_id: int, local_part: str, actor: str
    ) -> Alias:
        """A further address for an open mailbox, on any domain of the same enterprise."""
        async with self._ctx.db.transaction() as conn:
            mailbox = await mailbox_rows.get(conn, enterprise_id, mailbox_id)
            if mailbox is None:
                raise MailboxNotFound()
            if mailbox["status"] != "open":
                raise MailboxRecycled(address=display(mailbox["address"]))
            domain = await require_domain(conn, enterprise_id, domain_id)
            address = compose(local_part, domain["name"])
            await refuse_if_taken(conn, address)
            alias_id = await mailbox_rows.insert_alias(
                conn,
                enterprise_id=enterprise_id,
                domain_id=domain_id,
                mailbox_id=mailbox_id,
                address=address,
                created_at=self._ctx.now(),
            )
            if alias_id is None:
                raise AddressOccupied(address=display(address))
            await reserve(conn, enterprise_id, address, kind="alias", mailbox_id=mailbox_id)
            await record(
                self._ctx, conn, enterprise_id, actor, "alias.add", address, {"mailbox": mailbox["address"]}
            )
            row = await mailbox_rows.get_alias(conn, enterprise_id, alias_id)
        assert row is not None
        return Alias.from_row(row)

    async def list_aliases(self, enterprise_id: int, *, mailbox_id: int | None = None) -> tuple[Alias, ...]:
        async with self._ctx.db.read() as conn:
            await require_enterprise(conn, enterprise_id)
            rows = await mailbox_rows.list_aliases(conn, enterprise_id, mailbox_id=mailbox_id)
        return tuple(Alias.from_row(r) for r in rows)

    async def remove(self, enterprise_id: int, alias_id: int, actor: str) -> None:
        """Delete the alias and free its address."""
        async with self._ctx.db.transaction() as conn:
            row = await mailbox_rows.get_alias(conn, enterprise_id, alias_id)
            if row is None:
                raise AliasNotFound()
            await address_rows.release(conn, enterprise_id, row["address"])
            await mailbox_rows.delete_alias(conn, enterprise_id, alias_id)
            await record(self._ctx, conn, enterprise_id, actor, "alias.remove", row["address"])


async def _load(conn: AsyncConnection, enterprise_id: int, mailbox_id: int) -> SharedMailbox:
    row = await mailbox_rows.get(conn, enterprise_id, mailbox_id)
    if row is None or row["kind"] != "shared":
        raise SharedMailboxNotFound()
    return SharedMailbox(Mailbox.from_row(row), tuple(await mailbox_rows.shared_member_ids(conn, mailbox_id)))


async def _require_member(conn: AsyncConnection, enterprise_id: int, member_id: int) -> Mapping[str, Any]:
    row = await member_rows.get(conn, enterprise_id, member_id)
    if row is None:
        raise MemberNotFound()
    return row
