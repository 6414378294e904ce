"""Batch import of members from the Excel template (PRODUCT §3): preview every row, then commit in one go.

Rules decided here:

* **Every row is checked with the services' own rules** (``directory.model`` validators, the password
  policy, department path segments, mailbox address syntax) and every problem of every row is
  reported: row number, column key, catalogue code and the message in English and Chinese.
* **A repeated account** (compared case-insensitively): the last row wins; earlier rows are listed
  as ``superseded`` (not errors) and take no further part.
* **Import only adds.** An account that already exists in the enterprise is a row error
  (ACCOUNT_TAKEN); nothing about existing members is updated. Likewise a phone used by an existing
  member (PHONE_TAKEN). A phone or a mailbox address repeated inside the file is an error on every
  row after the first one that uses it (IMPORT_PHONE_REPEATED / IMPORT_MAILBOX_REPEATED).
* Empty cells: role -> member, staff type -> regular, department -> the enterprise root, mailbox ->
  none, password -> none (the member signs in by SMS code or after an administrator's reset). Role
  and staff type also accept their Chinese words (管理员, 实习, ...). A password given here is set by
  an administrator, so the member must change it at first login.
* **Mailbox**: a full address on one of the enterprise's domains (MAILBOX_DOMAIN_UNKNOWN otherwise)
  that is free; subscription seats are counted in row order (SEATS_EXHAUSTED past the last seat).
* **File-level errors** (``excel_template.read_workbook``) stop everything: nothing is written.
* ``commit`` parses and validates again (the file may have been previewed long ago), hashes the
  passwords before the transaction (bounded parallelism, one hash per core at a time), then writes
  all valid rows in ONE transaction: departments from paths, members, mailboxes. Each row runs in
  a savepoint, so a row that a concurrent change made invalid becomes a row error instead of
  failing the rest. The mail store provisions the new mailboxes after the commit (idempotent).
* **Hashing cost.** argon2id takes ~25 ms of a core a hash (more on a loaded server), so 200
  different passwords take seconds even in parallel. Rows with the *same* password (the usual
  "initial password for everyone") share one salted hash computed once: the stored hashes then
  show that those members share a password, which is acceptable for an administrator-set password
  that each member must change at first login (their own change gets a fresh salt).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from yunmail.directory.addressing import compose, display, occupied_error, refuse_if_taken, require_domain
from yunmail.directory.addressing import reserve as reserve_address
from yunmail.directory.context import DirectoryContext, record, require_enterprise
from yunmail.directory.departments import Departments, path_segments
from yunmail.directory.excel_template import (
    ROLE_WORDS,
    STAFF_TYPE_WORDS,
    ImportLimits,
    SheetRow,
    read_workbook,
)
from yunmail.directory.members import Members
from yunmail.directory.model import (
    Member,
    NewMember,
    account_key,
    department_name_key,
    normalise_phone,
    parse_hire_date,
    validate_account,
    validate_contact_email,
    validate_member_name,
    validate_role,
    validate_staff_type,
)
from yunmail.domains import to_ascii, to_unicode
from yunmail.errors import (
    AccountTaken,
    AddressInRecycleBin,
    AddressInvalid,
    AddressOccupied,
    ContactRequired,
    DepartmentNameTaken,
    DomainInvalid,
    HireDateInvalid,
    ImportMailboxRepeated,
    ImportPhoneRepeated,
    MailboxDomainUnknown,
    PhoneTaken,
    SeatsExhausted,
    YunmailError,
)
from yunmail.security import check_password_policy
from yunmail.storage.repos import addresses as address_rows
from yunmail.storage.repos import departments as department_rows
from yunmail.storage.repos import domains as domain_rows
from yunmail.storage.repos import mailboxes as mailbox_rows
from yunmail.storage.repos import members as member_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


# --- values ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row (``row`` = spreadsheet row number) cannot be imported; ``column`` None = the row."""

    row: int
    column: str | None
    code: str
    message_en: str
    message_zh: str
    account: str = ""

    @classmethod
    def of(cls, row: int, column: str | None, error: YunmailError, account: str = "") -> RowError:
        return cls(row, column, error.code, error.text("en"), error.text("zh"), account)


@dataclass(frozen=True, slots=True)
class SupersededRow:
    """An earlier row of a repeated account, replaced by the later row ``by_row``."""

    row: int
    account: str
    by_row: int


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A row that will be imported, as it will be stored (the password is never echoed)."""

    row: int
    name: str
    account: str
    phone: str | None
    contact_email: str | None
    role: str
    staff_type: str
    hire_date: dt.date | None
    department: str  # path below the enterprise root, "" = the root
    mailbox: str | None  # display form of the address to open
    has_password: bool


@dataclass(frozen=True, slots=True)
class ImportPreview:
    filename: str
    file_format: str  # xlsx | xls
    total_rows: int  # non-blank data rows in the file
    valid: tuple[ImportRow, ...]
    errors: tuple[RowError, ...]  # by row, then column order
    superseded: tuple[SupersededRow, ...]
    new_departments: tuple[str, ...]  # paths that the commit would create

    @property
    def error_rows(self) -> tuple[int, ...]:
        return tuple(sorted({e.row for e in self.errors}))


@dataclass(frozen=True, slots=True)
class ImportResult:
    filename: str
    added: tuple[Member, ...]
    departments_created: int
    mailboxes_opened: int
    errors: tuple[RowError, ...]
    superseded: tuple[SupersededRow, ...]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A row whose fields passed the rules; ``password`` stays internal."""

    row: ImportRow
    password: str | None
    department_path: str  # as typed (``ensure_path_in`` parses it again)
    segments: tuple[str, ...]
    address: str | None  # canonical (A-label) mailbox address
    domain_id: int | None = None


@dataclass(frozen=True, slots=True)
class _Checked:
    file_format: str
    total_rows: int
    candidates: tuple[_Candidate, ...]
    errors: tuple[RowError, ...]
    superseded: tuple[SupersededRow, ...]


# --- service -----------------------------------------------------------------------------------------


class ExcelImport:
    def __init__(
        self,
        ctx: DirectoryContext,
        departments: Departments,
        members: Members,
        *,
        limits: ImportLimits | None = None,
    ) -> None:
        self._ctx = ctx
        self._departments = departments
        self._members = members
        self.limits = limits or ImportLimits()

    async def preview(self, enterprise_id: int, data: bytes, filename: str) -> ImportPreview:
        """What ``commit`` would do with this file; writes nothing."""
        checked = await self._check(enterprise_id, data, filename)
        async with self._ctx.db.read() as conn:
            existing = await department_rows.all_of(conn, enterprise_id)
        # (parent, name key) -> node; a department the commit would create is its path string.
        known: dict[tuple[object, str], object] = {(r["parent_id"], r["name_key"]): r["id"] for r in existing}
        new_paths: set[str] = set()
        for candidate in checked.candidates:
            parent: object = None
            for depth, segment in enumerate(candidate.segments):
                key = (parent, department_name_key(segment))
                if key not in known:
                    path = "/".join(candidate.segments[: depth + 1])
                    known[key] = path
                    new_paths.add(path)
                parent = known[key]
        return ImportPreview(
            filename=filename,
            file_format=checked.file_format,
            total_rows=checked.total_rows,
            valid=tuple(c.row for c in checked.candidates),
            errors=checked.errors,
            superseded=checked.superseded,
            new_departments=tuple(sorted(new_paths)),
        )

    async def commit(self, enterprise_id: int, data: bytes, filename: str, actor: str) -> ImportResult:
        """Import every valid row in one transaction; the result lists what was added and every row error."""
        checked = await self._check(enterprise_id, data, filename)
        hashes = await self._hash_all([c.password for c in checked.candidates])
        errors = list(checked.errors)
        added: list[Member] = []
        opened: list[int] = []
        async with self._ctx.db.transaction() as conn:
            enterprise = await require_enterprise(conn, enterprise_id, for_update=True)
            departments_before = len(await department_rows.all_of(conn, enterprise_id))
            writer = _Writer(self._ctx, self._departments, self._members, conn, enterprise, actor)
            await writer.start()
            for candidate, password_hash in zip(checked.candidates, hashes, strict=True):
                try:
                    member, mailbox_id = await writer.write(candidate, password_hash)
                except YunmailError as exc:
                    errors.append(RowError.of(candidate.row.row, _column_of(exc), exc, candidate.row.account))
                    continue
                added.append(member)
                if mailbox_id is not None:
                    opened.append(mailbox_id)
            departments_created = len(await department_rows.all_of(conn, enterprise_id)) - departments_before
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "member.import",
                filename[:200],
                {
                    "added": len(added),
                    "errors": len({e.row for e in errors}),
                    "superseded": len(checked.superseded),
                    "mailboxes": len(opened),
                    "departments": departments_created,
                },
            )
        for mailbox_id in opened:  # after the commit: the mail store's provisioning is idempotent
            await self._ctx.storage.provision(mailbox_id)
        return ImportResult(
            filename=filename,
            added=tuple(added),
            departments_created=departments_created,
            mailboxes_opened=len(opened),
            errors=tuple(sorted(errors, key=lambda e: e.row)),
            superseded=checked.superseded,
        )

    # --- checking ------------------------------------------------------------------------------------

    async def _check(self, enterprise_id: int, data: bytes, filename: str) -> _Checked:
        async with self._ctx.db.read() as conn:
            enterprise = await require_enterprise(conn, enterprise_id)
        sheet = await asyncio.to_thread(read_workbook, data, filename, self.limits)
        rows, superseded = _last_row_wins(sheet.rows)
        errors: dict[int, list[RowError]] = {}
        passed: list[_Candidate] = []
        for row in rows:
            candidate, row_errors = _check_fields(row, enterprise["name"])
            if row_errors:
                errors[row.number] = row_errors
            if candidate is not None:
                passed.append(candidate)
        _refuse_repeats(rows, errors)
        async with self._ctx.db.read() as conn:
            passed = await _check_against_directory(conn, enterprise, passed, errors)
        return _Checked(
            file_format=sheet.file_format,
            total_rows=len(sheet.rows),
            candidates=tuple(c for c in passed if c.row.row not in errors),
            errors=tuple(e for number in sorted(errors) for e in errors[number]),
            superseded=superseded,
        )

    async def _hash_all(self, passwords: Sequence[str | None]) -> list[str | None]:
        """One hash per distinct password, at most one per core at a time (argon2id: ~25 ms each)."""
        gate = asyncio.Semaphore(max(1, os.cpu_count() or 1))
        distinct = list(dict.fromkeys(p for p in passwords if p is not None))

        async def one(password: str) -> str:
            async with gate:
                return await self._ctx.hasher.hash(password)

        hashes = dict(zip(distinct, await asyncio.gather(*(one(p) for p in distinct)), strict=True))
        return [hashes[p] if p is not None else None for p in passwords]


class _Writer:
    """The rows of one commit, inside its transaction: each row in a savepoint of its own.

    The enterprise row is locked for the whole transaction (``Mailboxes.open`` locks it too), so
    the free seats are counted once and then kept here; departments and domains already checked by
    an earlier successful row are remembered to spare their queries.
    """

    def __init__(
        self,
        ctx: DirectoryContext,
        departments: Departments,
        members: Members,
        conn: AsyncConnection,
        enterprise: Mapping[str, Any],
        actor: str,
    ) -> None:
        self._ctx = ctx
        self._department_service = departments
        self._members = members
        self._conn = conn
        self._enterprise_id: int = enterprise["id"]
        self._seats: int | None = enterprise["seats"]
        self._seats_left: int | None = None
        self._actor = actor
        self._departments: dict[tuple[str, ...], int] = {}  # segment keys -> department id
        self._domains: set[int] = set()

    async def start(self) -> None:
        if self._seats is not None:
            self._seats_left = self._seats - await mailbox_rows.count_open(self._conn, self._enterprise_id)

    async def write(self, candidate: _Candidate, password_hash: str | None) -> tuple[Member, int | None]:
        """Department, member and mailbox of one row; all or nothing (its savepoint)."""
        path_key = tuple(department_name_key(s) for s in candidate.segments)
        async with self._conn.begin_nested():
            department_id = await self._department(candidate, path_key)
            row = candidate.row
            new = NewMember(
                name=row.name,
                account=row.account,
                password=candidate.password,
                phone=row.phone,
                contact_email=row.contact_email,
                department_id=department_id,
                role=row.role,
                staff_type=row.staff_type,
                hire_date=row.hire_date,
            )
            member = await self._members.add_in(
                self._conn, self._enterprise_id, new, self._actor, password_hash=password_hash
            )
            mailbox_id = None
            if candidate.address is not None and candidate.domain_id is not None:
                mailbox_id = await self._open_mailbox(member, candidate.address, candidate.domain_id)
        # The savepoint is released: what this row created now stays with the transaction.
        if department_id is not None:
            self._departments[path_key] = department_id
        if mailbox_id is not None and candidate.domain_id is not None:
            self._domains.add(candidate.domain_id)
            if self._seats_left is not None:
                self._seats_left -= 1
        return member, mailbox_id

    async def _department(self, candidate: _Candidate, path_key: tuple[str, ...]) -> int | None:
        if not path_key:
            return None
        if path_key in self._departments:
            return self._departments[path_key]
        department = await self._department_service.ensure_path_in(
            self._conn, self._enterprise_id, candidate.department_path, self._actor
        )
        return department.id if department is not None else None

    async def _open_mailbox(self, member: Member, address: str, domain_id: int) -> int:
        """``Mailboxes.open`` for a member created in this transaction (it has no mailbox yet)."""
        conn, enterprise_id = self._conn, self._enterprise_id
        if domain_id not in self._domains:
            await require_domain(conn, enterprise_id, domain_id)
        if self._seats_left is not None and self._seats_left <= 0:
            raise SeatsExhausted(seats=self._seats)
        await refuse_if_taken(conn, address)
        mailbox_id = await mailbox_rows.insert_mailbox(
            conn,
            enterprise_id=enterprise_id,
            member_id=member.id,
            domain_id=domain_id,
            address=address,
            kind="personal",
            display_name=member.name,
            created_at=self._ctx.now(),
        )
        if mailbox_id is None:
            raise AddressOccupied(address=display(address))
        await reserve_address(conn, enterprise_id, address, kind="mailbox", mailbox_id=mailbox_id)
        await record(
            self._ctx, conn, enterprise_id, self._actor, "mailbox.open", address, {"member_id": member.id}
        )
        return mailbox_id


# --- row rules ---------------------------------------------------------------------------------------


def _last_row_wins(rows: Sequence[SheetRow]) -> tuple[list[SheetRow], tuple[SupersededRow, ...]]:
    last: dict[str, int] = {}
    for row in rows:
        key = account_key(row.text("account"))
        if key:
            last[key] = row.number
    kept: list[SheetRow] = []
    superseded: list[SupersededRow] = []
    for row in rows:
        key = account_key(row.text("account"))
        if key and last[key] != row.number:
            superseded.append(SupersededRow(row.number, row.text("account"), last[key]))
        else:
            kept.append(row)
    return kept, tuple(superseded)


def _check_fields(row: SheetRow, enterprise_name: str) -> tuple[_Candidate | None, list[RowError]]:
    """The row's values through every field rule; every failing field gives its own error."""
    errors: list[RowError] = []
    account_text = row.text("account")

    def field(column: str, rule: Any, *args: Any) -> Any:
        try:
            return rule(*args)
        except YunmailError as exc:
            errors.append(RowError.of(row.number, column, exc, account_text))
            return None

    name = field("name", validate_member_name, row.text("name"))
    account = field("account", validate_account, account_text)
    password = row.text("password") or None
    if password is not None:
        field("password", check_password_policy, password)
    phone_text, email_text = row.text("phone"), row.text("email")
    phone = field("phone", normalise_phone, phone_text) if phone_text else None
    email = field("email", validate_contact_email, email_text) if email_text else None
    if not phone_text and not email_text:
        errors.append(RowError.of(row.number, "phone", ContactRequired(), account_text))
    role = field("role", validate_role, _word(row.text("role"), ROLE_WORDS) or "member")
    staff_type = field(
        "staff_type", validate_staff_type, _word(row.text("staff_type"), STAFF_TYPE_WORDS) or "regular"
    )
    hire_date = field("hire_date", _hire_date, row.cells.get("hire_date"))
    department_path = row.text("department")
    segments = field("department", path_segments, department_path, enterprise_name)
    mailbox_text = row.text("mailbox")
    address = field("mailbox", _mailbox_address, mailbox_text) if mailbox_text else None
    if errors:
        return None, errors
    return (
        _Candidate(
            row=ImportRow(
                row=row.number,
                name=name,
                account=account,
                phone=phone,
                contact_email=email,
                role=role,
                staff_type=staff_type,
                hire_date=hire_date,
                department="/".join(segments),
                mailbox=display(address) if address is not None else None,
                has_password=password is not None,
            ),
            password=password,
            department_path=department_path,
            segments=tuple(segments),
            address=address,
        ),
        [],
    )


def _word(text: str, words: Mapping[str, str]) -> str:
    return words.get(text, text.lower())


def _hire_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date | str):
        return parse_hire_date(value)
    raise HireDateInvalid()  # a number or anything else that is not a date cell or date text


def _mailbox_address(text: str) -> str:
    """Canonical address (lower-case local part, A-label domain) of an address to open."""
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise AddressInvalid(address=text)
    try:
        domain_ascii = to_ascii(domain)
    except DomainInvalid as exc:
        raise AddressInvalid(address=text) from exc
    return compose(local, domain_ascii)


def _refuse_repeats(rows: Sequence[SheetRow], errors: dict[int, list[RowError]]) -> None:
    """Phones and mailbox addresses must be unique in the file: the first row keeps them."""
    first_phone: dict[str, int] = {}
    first_address: dict[str, int] = {}
    for row in rows:
        account = row.text("account")
        try:
            phone = normalise_phone(row.text("phone")) if row.text("phone") else None
        except YunmailError:
            phone = None  # already reported by the field rules
        try:
            address = _mailbox_address(row.text("mailbox")) if row.text("mailbox") else None
        except YunmailError:
            address = None
        if phone is not None:
            seen = first_phone.setdefault(phone, row.number)
            if seen != row.number:
                errors.setdefault(row.number, []).append(
                    RowError.of(row.number, "phone", ImportPhoneRepeated(row=seen), account)
                )
        if address is not None:
            seen = first_address.setdefault(address, row.number)
            if seen != row.number:
                error = ImportMailboxRepeated(address=display(address), row=seen)
                errors.setdefault(row.number, []).append(RowError.of(row.number, "mailbox", error, account))


async def _check_against_directory(
    conn: AsyncConnection,
    enterprise: Mapping[str, Any],
    candidates: Sequence[_Candidate],
    errors: dict[int, list[RowError]],
) -> list[_Candidate]:
    """Existing accounts, phones, mailbox domains, occupied addresses and seats; returns the candidates
    with their mailbox domain ids filled in."""
    enterprise_id = enterprise["id"]
    domain_ids: dict[str, int | None] = {}
    wanted = [c.address for c in candidates if c.address is not None]
    taken = await address_rows.taken(conn, wanted)
    seats_left = (
        None
        if enterprise["seats"] is None
        else enterprise["seats"] - await mailbox_rows.count_open(conn, enterprise_id)
    )
    checked: list[_Candidate] = []
    for candidate in candidates:
        row = candidate.row
        problems: list[tuple[str, YunmailError]] = []
        if await member_rows.get_by_account_key(conn, enterprise_id, account_key(row.account)):
            problems.append(("account", AccountTaken(account=row.account)))
        if row.phone is not None and await member_rows.get_by_phone(conn, enterprise_id, row.phone):
            problems.append(("phone", PhoneTaken()))
        if candidate.address is not None:
            domain = candidate.address.rpartition("@")[2]
            if domain not in domain_ids:
                found = await domain_rows.get_by_name(conn, domain)
                domain_ids[domain] = (
                    found["id"] if found is not None and found["enterprise_id"] == enterprise_id else None
                )
            if domain_ids[domain] is None:
                problems.append(("mailbox", MailboxDomainUnknown(domain=to_unicode(domain))))
            elif candidate.address in taken:
                holder = await address_rows.occupant(conn, candidate.address)
                occupied: YunmailError = (
                    occupied_error(candidate.address, holder)
                    if holder is not None
                    else AddressOccupied(address=display(candidate.address))
                )
                problems.append(("mailbox", occupied))
            elif seats_left is not None and row.row not in errors and not problems:
                if seats_left <= 0:
                    problems.append(("mailbox", SeatsExhausted(seats=enterprise["seats"])))
                else:
                    seats_left -= 1
        for column, error in problems:
            errors.setdefault(row.row, []).append(RowError.of(row.row, column, error, row.account))
        if candidate.address is not None:
            candidate = replace(candidate, domain_id=domain_ids[candidate.address.rpartition("@")[2]])
        checked.append(candidate)
    return checked


_COLUMN_OF_ERROR: Mapping[type[YunmailError], str] = MappingProxyType(
    {
        AccountTaken: "account",
        PhoneTaken: "phone",
        AddressOccupied: "mailbox",
        AddressInRecycleBin: "mailbox",
        SeatsExhausted: "mailbox",
        DepartmentNameTaken: "department",
    }
)


def _column_of(error: YunmailError) -> str | None:
    return _COLUMN_OF_ERROR.get(type(error))
