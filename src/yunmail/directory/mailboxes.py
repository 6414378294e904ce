"""Mailbox lifecycle: open (pinyin default address, single or batch), recycle bin, restore, purge.

Invariants:

* A member has at most one mailbox, open or in the recycle bin (unique ``mailboxes.member_id``).
  Opening another while one sits in the recycle bin is refused with "restore or purge it first".
* The address lives on a domain of the same enterprise and is reserved in ``addresses``.
* Seats: when ``enterprises.seats`` is set, open mailboxes (personal and shared) never exceed it;
  the enterprise row is locked while counting so concurrent opens cannot overshoot.
* Recycle bin: closing sets ``recycled`` + ``recycled_at`` and leaves the mail untouched, so restore
  brings everything back. Purging marks the mailbox ``purging``, has the mail store really delete
  the mail, then deletes the rows (address, aliases and shared members go with them). A purge that
  stops half-way is finished by the next purge call or by the recycle-bin worker.
* Batch open processes members one by one, each in its own transaction, so one failure does not
  stop the others. Each member gets the first free address of ``base``, ``base2``, ``base3``, ...
  where ``base`` is the pinyin of the name; members earlier in the batch already hold theirs, so
  two people called 张三 get ``zhangsan`` and ``zhangsan2``.
"""

from __future__ import annotations

import datetime as dt
import math
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
from yunmail.directory.model import (
    AddressSuggestion,
    BatchOpenResult,
    Mailbox,
    RecycledMailbox,
    default_local_part,
)
from yunmail.errors import (
    AddressInRecycleBin,
    AddressOccupied,
    InvalidInput,
    MailboxAddressImmutable,
    MailboxAlreadyOpen,
    MailboxNotFound,
    MailboxNotInRecycleBin,
    MailboxNotOpened,
    MailboxRecycled,
    MemberNotFound,
    QuotaInvalid,
    SeatsExhausted,
    YunmailError,
)
from yunmail.storage.repos import addresses as address_rows
from yunmail.storage.repos import mailboxes as mailbox_rows
from yunmail.storage.repos import members as member_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

_SUGGESTION_CHUNK = 50
IN_RECYCLE_BIN = ("recycled", "purging")


class Mailboxes:
    def __init__(self, ctx: DirectoryContext) -> None:
        self._ctx = ctx

    @property
    def retention(self) -> dt.timedelta:
        return dt.timedelta(days=self._ctx.settings.limits.recycle_bin_days)

    async def suggest_address(self, enterprise_id: int, member_id: int, domain_id: int) -> AddressSuggestion:
        """The member's pinyin address on the domain, or the first free ``<pinyin><n>`` (n = 2, 3, ...)."""
        async with self._ctx.db.read() as conn:
            member = await _require_member(conn, enterprise_id, member_id)
            domain = await require_domain(conn, enterprise_id, domain_id)
            return await _suggest(conn, default_local_part(member["name"], member["account"]), domain["name"])

    async def open(
        self,
        enterprise_id: int,
        member_id: int,
        domain_id: int,
        actor: str,
        *,
        local_part: str | None = None,
    ) -> Mailbox:
        """Open the member's mailbox at ``local_part`` (default: the name in pinyin) on the domain."""
        async with self._ctx.db.transaction() as conn:
            enterprise = await require_enterprise(conn, enterprise_id, for_update=True)
            member = await _require_member(conn, enterprise_id, member_id)
            domain = await require_domain(conn, enterprise_id, domain_id)
            local = (
                local_part
                if local_part is not None
                else default_local_part(member["name"], member["account"])
            )
            address = compose(local, domain["name"])
            await _refuse_second_mailbox(conn, enterprise_id, member_id)
            await self._check_seats(conn, enterprise)
            await refuse_if_taken(conn, address)
            mailbox_id = await mailbox_rows.insert_mailbox(
                conn,
                enterprise_id=enterprise_id,
                member_id=member_id,
                domain_id=domain_id,
                address=address,
                kind="personal",
                display_name=member["name"],
                created_at=self._ctx.now(),
            )
            if mailbox_id is None:  # a concurrent open won the member slot or the address
                await _refuse_second_mailbox(conn, enterprise_id, member_id)
                raise AddressOccupied(address=display(address))
            await reserve(conn, enterprise_id, address, kind="mailbox", mailbox_id=mailbox_id)
            await record(
                self._ctx, conn, enterprise_id, actor, "mailbox.open", address, {"member_id": member_id}
            )
            row = await _require(conn, enterprise_id, mailbox_id)
        await self._ctx.storage.provision(mailbox_id)
        return Mailbox.from_row(row)

    async def open_batch(
        self, enterprise_id: int, member_ids: Iterable[int], domain_id: int, actor: str
    ) -> tuple[BatchOpenResult, ...]:
        """Open mailboxes for several members on one domain; every member gets its own result."""
        results: list[BatchOpenResult] = []
        for member_id in dict.fromkeys(member_ids):  # de-duplicated, order kept
            address: str | None = None
            try:
                suggestion = await self.suggest_address(enterprise_id, member_id, domain_id)
                address = suggestion.address
                mailbox = await self.open(
                    enterprise_id, member_id, domain_id, actor, local_part=address.partition("@")[0]
                )
            except YunmailError as exc:
                results.append(BatchOpenResult(member_id, address, error_code=exc.code, error=exc.text()))
            else:
                results.append(BatchOpenResult(member_id, mailbox.address, mailbox=mailbox))
        return tuple(results)

    async def get(self, enterprise_id: int, mailbox_id: int) -> Mailbox:
        async with self._ctx.db.read() as conn:
            return Mailbox.from_row(await _require(conn, enterprise_id, mailbox_id))

    async def get_by_address(self, enterprise_id: int, address: str) -> Mailbox:
        """Any spelling of the address (upper case, U-label domain)."""
        canonical = canonical_address(address)
        async with self._ctx.db.read() as conn:
            row = await mailbox_rows.get_by_address(conn, enterprise_id, canonical) if canonical else None
        if row is None:
            raise MailboxNotFound()
        return Mailbox.from_row(row)

    async def for_member(self, enterprise_id: int, member_id: int) -> Mailbox:
        """The member's open mailbox; MailboxNotOpened ("not authorised, ask your administrator") if none."""
        async with self._ctx.db.read() as conn:
            await _require_member(conn, enterprise_id, member_id)
            row = await mailbox_rows.get_for_member(conn, enterprise_id, member_id)
        if row is None or row["status"] != "open":
            raise MailboxNotOpened()
        return Mailbox.from_row(row)

    async def list_mailboxes(
        self, enterprise_id: int, *, status: str | None = None, kind: str | None = None
    ) -> tuple[Mailbox, ...]:
        async with self._ctx.db.read() as conn:
            await require_enterprise(conn, enterprise_id)
            rows = await mailbox_rows.list_mailboxes(conn, enterprise_id, status=status, kind=kind)
        return tuple(Mailbox.from_row(r) for r in rows)

    async def change_address(self, enterprise_id: int, mailbox_id: int, address: str) -> Mailbox:
        """Addresses are immutable: a different address is refused (restating the same one is a no-op)."""
        mailbox = await self.get(enterprise_id, mailbox_id)
        if canonical_address(address) != mailbox.address:
            raise MailboxAddressImmutable()
        return mailbox

    async def set_quota(
        self, enterprise_id: int, mailbox_id: int, quota_bytes: int | None, actor: str
    ) -> Mailbox:
        """Storage quota in bytes; None = unlimited (the default). The mail store enforces it."""
        if quota_bytes is not None and (
            isinstance(quota_bytes, bool) or not isinstance(quota_bytes, int) or quota_bytes < 0
        ):
            raise QuotaInvalid()
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, mailbox_id)
            await mailbox_rows.update_values(conn, enterprise_id, mailbox_id, {"quota_bytes": quota_bytes})
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "mailbox.quota",
                row["address"],
                {"quota_bytes": quota_bytes},
            )
            return Mailbox.from_row(await _require(conn, enterprise_id, mailbox_id))

    async def close(self, enterprise_id: int, mailbox_id: int, actor: str) -> Mailbox:
        """Move an open mailbox (personal or shared) to the recycle bin; its mail is kept as is."""
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, mailbox_id)
            if row["status"] != "open":
                raise MailboxRecycled(address=display(row["address"]))
            await mailbox_rows.update_values(
                conn, enterprise_id, mailbox_id, {"status": "recycled", "recycled_at": self._ctx.now()}
            )
            await record(self._ctx, conn, enterprise_id, actor, "mailbox.close", row["address"])
            return Mailbox.from_row(await _require(conn, enterprise_id, mailbox_id))

    async def restore(
        self, enterprise_id: int, mailbox_id: int, actor: str, *, member_id: int | None = None
    ) -> Mailbox:
        """Reopen a recycled mailbox with all its mail.

        The mailbox of a deleted member comes back without an owner unless ``member_id`` names a
        member (without a mailbox) to give it to.
        """
        async with self._ctx.db.transaction() as conn:
            enterprise = await require_enterprise(conn, enterprise_id, for_update=True)
            row = await _require(conn, enterprise_id, mailbox_id)
            if row["status"] != "recycled":
                raise MailboxNotInRecycleBin(address=display(row["address"]))
            values: dict[str, Any] = {"status": "open", "recycled_at": None}
            if member_id is not None and member_id != row["member_id"]:
                if row["member_id"] is not None or row["kind"] != "personal":
                    raise InvalidInput(detail="only an owner-less personal mailbox can be given to a member")
                await _require_member(conn, enterprise_id, member_id)
                await _refuse_second_mailbox(conn, enterprise_id, member_id)
                values["member_id"] = member_id
            await self._check_seats(conn, enterprise)
            if not await mailbox_rows.update_values(conn, enterprise_id, mailbox_id, values):
                # A concurrent open gave the member another mailbox after our check.
                await _refuse_second_mailbox(conn, enterprise_id, values.get("member_id"))
                raise MailboxAlreadyOpen(address=display(row["address"]))
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "mailbox.restore",
                row["address"],
                {"member_id": member_id},
            )
            return Mailbox.from_row(await _require(conn, enterprise_id, mailbox_id))

    async def purge(self, enterprise_id: int, mailbox_id: int, actor: str) -> None:
        """Really delete a recycled mailbox and its mail; frees the address."""
        await self.purge_recycled(enterprise_id, mailbox_id, actor)

    async def purge_recycled(
        self, enterprise_id: int, mailbox_id: int, actor: str, *, recycled_before: dt.datetime | None = None
    ) -> bool:
        """Purge if still in the recycle bin (and, for the worker, recycled at or before the cutoff).

        Returns False when the worker's cutoff no longer holds (restored, or closed again since).
        """
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, mailbox_id)
            if row["status"] not in IN_RECYCLE_BIN:
                if recycled_before is not None:
                    return False
                raise MailboxNotInRecycleBin(address=display(row["address"]))
            if recycled_before is not None and row["recycled_at"] > recycled_before:
                return False
            if row["status"] != "purging":
                await mailbox_rows.update_values(conn, enterprise_id, mailbox_id, {"status": "purging"})
            await record(self._ctx, conn, enterprise_id, actor, "mailbox.purge", row["address"])
        await self._ctx.storage.purge_mailbox(mailbox_id)
        async with self._ctx.db.transaction() as conn:
            await mailbox_rows.delete_mailbox(conn, enterprise_id, mailbox_id)
        return True

    async def recycle_bin(self, enterprise_id: int) -> tuple[RecycledMailbox, ...]:
        """Mailboxes in the recycle bin, oldest first, with the days left before the automatic purge."""
        now = self._ctx.now()
        async with self._ctx.db.read() as conn:
            await require_enterprise(conn, enterprise_id)
            rows = await mailbox_rows.recycled_with_owner(conn, enterprise_id)
        found: list[RecycledMailbox] = []
        for row in rows:
            purge_at = row["recycled_at"] + self.retention
            days_left = max(0, math.ceil((purge_at - now) / dt.timedelta(days=1)))
            found.append(RecycledMailbox(Mailbox.from_row(row), row["member_name"], purge_at, days_left))
        return tuple(found)

    async def check_seats_in(self, conn: AsyncConnection, enterprise_id: int) -> None:
        """Seat check for callers opening other kinds of mailbox (shared) in their transaction."""
        await self._check_seats(conn, await require_enterprise(conn, enterprise_id, for_update=True))

    async def _check_seats(self, conn: AsyncConnection, enterprise: Mapping[str, Any]) -> None:
        seats = enterprise["seats"]
        if seats is not None and await mailbox_rows.count_open(conn, enterprise["id"]) >= seats:
            raise SeatsExhausted(seats=seats)


async def _suggest(conn: AsyncConnection, base: str, domain_name: str) -> AddressSuggestion:
    preferred = compose(base, domain_name)
    start = 2
    candidates = [preferred]
    while True:
        candidates += [
            compose(f"{base[: 64 - len(str(n))]}{n}", domain_name)
            for n in range(start, start + _SUGGESTION_CHUNK)
        ]
        taken = await address_rows.taken(conn, candidates)
        for candidate in candidates:
            if candidate not in taken:
                return AddressSuggestion(address=candidate, preferred=preferred)
        start += _SUGGESTION_CHUNK
        candidates = []


async def _refuse_second_mailbox(conn: AsyncConnection, enterprise_id: int, member_id: int | None) -> None:
    if member_id is None:
        return
    existing = await mailbox_rows.get_for_member(conn, enterprise_id, member_id)
    if existing is None:
        return
    if existing["status"] == "open":
        raise MailboxAlreadyOpen(address=display(existing["address"]))
    raise AddressInRecycleBin(address=display(existing["address"]))


async def _require(conn: AsyncConnection, enterprise_id: int, mailbox_id: int) -> Mapping[str, Any]:
    row = await mailbox_rows.get(conn, enterprise_id, mailbox_id)
    if row is None:
        raise MailboxNotFound()
    return row


async def _require_member(conn: AsyncConnection, enterprise_id: int, member_id: int) -> Mapping[str, Any]:
    row = await member_rows.get(conn, enterprise_id, member_id)
    if row is None:
        raise MemberNotFound()
    return row
