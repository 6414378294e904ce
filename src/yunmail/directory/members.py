"""Members and their login accounts: add, update, disable/enable, delete-if-disabled, passwords, search.

Invariants:

* A member has a phone or a contact e-mail (at least one); the phone is unique in the enterprise.
* The account is unique case-insensitively in the enterprise and never changes (``AccountImmutable``).
* Passwords follow the policy (``security.check_password_policy``) and are stored only as hashes.
  A password an administrator sets (on add or reset) must be changed at first login; the member's
  own change clears that flag. Hashing runs before the transaction, never inside it.
* Only a disabled member can be deleted; its mailbox goes to the recycle bin (detached from the
  member, which no longer exists) and its group and shared-mailbox memberships end.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from yunmail.directory.context import DirectoryContext, record, require_enterprise
from yunmail.directory.departments import subtree_ids
from yunmail.directory.model import (
    MEMBER_STATUSES,
    Member,
    NewMember,
    Page,
    account_key,
    normalise_phone,
    parse_hire_date,
    validate_account,
    validate_contact_email,
    validate_member_name,
    validate_role,
    validate_staff_type,
)
from yunmail.errors import (
    AccountImmutable,
    AccountTaken,
    ContactRequired,
    CurrentPasswordWrong,
    DepartmentNotFound,
    InvalidInput,
    MemberNotDisabled,
    MemberNotFound,
    PhoneTaken,
)
from yunmail.security import check_password_policy
from yunmail.storage.repos import departments as department_rows
from yunmail.storage.repos import mailboxes as mailbox_rows
from yunmail.storage.repos import members as member_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


class Keep(enum.Enum):
    """Marks an ``update`` field the caller leaves unchanged (None means "clear" where allowed)."""

    KEEP = "keep"


KEEP = Keep.KEEP


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


class Members:
    def __init__(self, ctx: DirectoryContext) -> None:
        self._ctx = ctx

    async def hash_new_password(self, password: str) -> str:
        """Policy check, then hash (slow: call it before opening a transaction)."""
        check_password_policy(password)
        return await self._ctx.hasher.hash(password)

    async def add(
        self, enterprise_id: int, new: NewMember, actor: str, *, require_password_change: bool = True
    ) -> Member:
        """Add a member; a password set here by an administrator must be changed at first login."""
        _validated(new)  # refuse bad input before spending time on the hash
        password_hash = await self.hash_new_password(new.password) if new.password is not None else None
        async with self._ctx.db.transaction() as conn:
            await require_enterprise(conn, enterprise_id)
            return await self.add_in(
                conn,
                enterprise_id,
                new,
                actor,
                password_hash=password_hash,
                require_password_change=require_password_change,
            )

    async def add_in(
        self,
        conn: AsyncConnection,
        enterprise_id: int,
        new: NewMember,
        actor: str,
        *,
        password_hash: str | None,
        require_password_change: bool = True,
    ) -> Member:
        """``add`` inside the caller's transaction, with the password already hashed (batch import)."""
        values = _validated(new)
        if values["department_id"] is not None:
            await _require_department(conn, enterprise_id, values["department_id"])
        await _refuse_taken(conn, enterprise_id, values["account"], values["phone"])
        values.update(
            password_hash=password_hash,
            must_change_password=password_hash is not None and require_password_change,
            status="active",
            created_at=self._ctx.now(),
        )
        member_id = await member_rows.insert_member(conn, enterprise_id=enterprise_id, values=values)
        if member_id is None:  # a concurrent add took the account or phone between check and insert
            await _refuse_taken(conn, enterprise_id, values["account"], values["phone"])
            raise AccountTaken(account=values["account"])
        await record(
            self._ctx,
            conn,
            enterprise_id,
            actor,
            "member.add",
            f"member:{member_id}",
            {"account": values["account"], "name": values["name"]},
        )
        return Member.from_row(await _require(conn, enterprise_id, member_id))

    async def get(self, enterprise_id: int, member_id: int) -> Member:
        async with self._ctx.db.read() as conn:
            return Member.from_row(await _require(conn, enterprise_id, member_id))

    async def get_by_account(self, enterprise_id: int, account: str) -> Member:
        async with self._ctx.db.read() as conn:
            row = await member_rows.get_by_account_key(conn, enterprise_id, account_key(account.strip()))
        if row is None:
            raise MemberNotFound()
        return Member.from_row(row)

    async def get_by_phone(self, enterprise_id: int, phone: str) -> Member:
        async with self._ctx.db.read() as conn:
            row = await member_rows.get_by_phone(conn, enterprise_id, normalise_phone(phone))
        if row is None:
            raise MemberNotFound()
        return Member.from_row(row)

    async def update(
        self,
        enterprise_id: int,
        member_id: int,
        actor: str,
        *,
        account: str | Keep = KEEP,
        name: str | Keep = KEEP,
        department_id: int | Keep | None = KEEP,
        phone: str | Keep | None = KEEP,
        contact_email: str | Keep | None = KEEP,
        role: str | Keep = KEEP,
        staff_type: str | Keep = KEEP,
        hire_date: dt.date | str | Keep | None = KEEP,
    ) -> Member:
        """Change the editable fields; passing a different ``account`` is refused (immutable)."""
        changes: dict[str, Any] = {}
        if not isinstance(name, Keep):
            changes["name"] = validate_member_name(name)
        if not isinstance(phone, Keep):
            phone = _blank_to_none(phone)
            changes["phone"] = normalise_phone(phone) if phone is not None else None
        if not isinstance(contact_email, Keep):
            contact_email = _blank_to_none(contact_email)
            changes["contact_email"] = validate_contact_email(contact_email) if contact_email else None
        if not isinstance(role, Keep):
            changes["role_label"] = validate_role(role)
        if not isinstance(staff_type, Keep):
            changes["staff_type"] = validate_staff_type(staff_type)
        if not isinstance(hire_date, Keep):
            changes["hire_date"] = parse_hire_date(hire_date)
        if not isinstance(department_id, Keep):
            changes["department_id"] = department_id
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, member_id)
            if not isinstance(account, Keep) and account.strip() != row["account"]:
                raise AccountImmutable()
            if changes.get("department_id") is not None:
                await _require_department(conn, enterprise_id, changes["department_id"])
            merged = {**row, **changes}
            if merged["phone"] is None and merged["contact_email"] is None:
                raise ContactRequired()
            if changes.get("phone") is not None and changes["phone"] != row["phone"]:
                await _refuse_taken(conn, enterprise_id, None, changes["phone"])
            if changes and not await member_rows.update_values(conn, enterprise_id, member_id, changes):
                raise PhoneTaken()
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "member.update",
                f"member:{member_id}",
                {k: str(v) if isinstance(v, dt.date) else v for k, v in changes.items()},
            )
            return Member.from_row(await _require(conn, enterprise_id, member_id))

    async def disable(self, enterprise_id: int, member_id: int, actor: str) -> Member:
        return await self._set_status(enterprise_id, member_id, "disabled", actor)

    async def enable(self, enterprise_id: int, member_id: int, actor: str) -> Member:
        return await self._set_status(enterprise_id, member_id, "active", actor)

    async def delete(self, enterprise_id: int, member_id: int, actor: str) -> None:
        """Delete a disabled member; its mailbox moves to the recycle bin."""
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, member_id)
            if row["status"] != "disabled":
                raise MemberNotDisabled()
            mailbox = await mailbox_rows.get_for_member(conn, enterprise_id, member_id)
            detail: dict[str, Any] = {"account": row["account"]}
            if mailbox is not None:
                values: dict[str, Any] = {"member_id": None}
                if mailbox["status"] == "open":
                    values.update(status="recycled", recycled_at=self._ctx.now())
                await mailbox_rows.update_values(conn, enterprise_id, mailbox["id"], values)
                detail["mailbox"] = mailbox["address"]
            await member_rows.delete_member(conn, enterprise_id, member_id)
            await record(
                self._ctx, conn, enterprise_id, actor, "member.delete", f"member:{member_id}", detail
            )

    async def reset_password(self, enterprise_id: int, member_id: int, password: str, actor: str) -> Member:
        """An administrator sets a new password; the member must change it at the next login."""
        password_hash = await self.hash_new_password(password)
        return await self._store_password(enterprise_id, member_id, password_hash, True, actor, "reset")

    async def change_password(
        self, enterprise_id: int, member_id: int, current: str, new: str, actor: str
    ) -> Member:
        """The member changes its own password (old + new); clears "must change"."""
        async with self._ctx.db.read() as conn:
            row = await _require(conn, enterprise_id, member_id)
        stored = row["password_hash"]
        if stored is None or not await self._ctx.hasher.verify(stored, current):
            raise CurrentPasswordWrong()
        password_hash = await self.hash_new_password(new)
        return await self._store_password(enterprise_id, member_id, password_hash, False, actor, "change")

    async def search(
        self,
        enterprise_id: int,
        term: str | None = None,
        *,
        department_id: int | None = None,
        include_sub_departments: bool = True,
        status: str | None = None,
        has_mailbox: bool | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Member]:
        """Members by id; every given filter applies (``has_mailbox``: has an open mailbox)."""
        if status is not None and status not in MEMBER_STATUSES:
            raise InvalidInput(detail=f"unknown member status {status!r}")
        offset, limit = max(0, offset), max(1, min(limit, 500))
        async with self._ctx.db.read() as conn:
            await require_enterprise(conn, enterprise_id)
            department_ids: set[int] | None = None
            if department_id is not None:
                await _require_department(conn, enterprise_id, department_id)
                department_ids = {department_id}
                if include_sub_departments:
                    rows = await department_rows.all_of(conn, enterprise_id)
                    department_ids = subtree_ids(rows, department_id)
            rows, total = await member_rows.search(
                conn,
                enterprise_id,
                term=(term or "").strip() or None,
                department_ids=department_ids,
                status=status,
                has_mailbox=has_mailbox,
                offset=offset,
                limit=limit,
            )
        return Page(tuple(Member.from_row(r) for r in rows), total, offset, limit)

    async def _set_status(self, enterprise_id: int, member_id: int, status: str, actor: str) -> Member:
        async with self._ctx.db.transaction() as conn:
            await _require(conn, enterprise_id, member_id)
            await member_rows.update_values(conn, enterprise_id, member_id, {"status": status})
            action = "member.disable" if status == "disabled" else "member.enable"
            await record(self._ctx, conn, enterprise_id, actor, action, f"member:{member_id}")
            return Member.from_row(await _require(conn, enterprise_id, member_id))

    async def _store_password(
        self, enterprise_id: int, member_id: int, password_hash: str, must_change: bool, actor: str, how: str
    ) -> Member:
        async with self._ctx.db.transaction() as conn:
            await _require(conn, enterprise_id, member_id)
            await member_rows.update_values(
                conn,
                enterprise_id,
                member_id,
                {"password_hash": password_hash, "must_change_password": must_change},
            )
            await record(
                self._ctx, conn, enterprise_id, actor, f"member.password_{how}", f"member:{member_id}"
            )
            return Member.from_row(await _require(conn, enterprise_id, member_id))


def _validated(new: NewMember) -> dict[str, Any]:
    """Column values for a new member, every rule checked (password policy aside)."""
    phone = _blank_to_none(new.phone)
    email = _blank_to_none(new.contact_email)
    values: dict[str, Any] = {
        "name": validate_member_name(new.name),
        "account": validate_account(new.account),
    }
    if phone is None and email is None:
        raise ContactRequired()
    values.update(
        account_key=account_key(values["account"]),
        phone=normalise_phone(phone) if phone is not None else None,
        contact_email=validate_contact_email(email) if email is not None else None,
        role_label=validate_role(new.role),
        staff_type=validate_staff_type(new.staff_type),
        hire_date=parse_hire_date(new.hire_date),
        department_id=new.department_id,
    )
    if new.password is not None:
        check_password_policy(new.password)
    return values


async def _refuse_taken(
    conn: AsyncConnection, enterprise_id: int, account: str | None, phone: str | None
) -> None:
    if account is not None and await member_rows.get_by_account_key(
        conn, enterprise_id, account_key(account)
    ):
        raise AccountTaken(account=account)
    if phone is not None and await member_rows.get_by_phone(conn, enterprise_id, phone):
        raise PhoneTaken()


async def _require(conn: AsyncConnection, enterprise_id: int, member_id: int) -> Mapping[str, Any]:
    row = await member_rows.get(conn, enterprise_id, member_id)
    if row is None:
        raise MemberNotFound()
    return row


async def _require_department(conn: AsyncConnection, enterprise_id: int, department_id: int) -> None:
    if await department_rows.get(conn, enterprise_id, department_id) is None:
        raise DepartmentNotFound()
