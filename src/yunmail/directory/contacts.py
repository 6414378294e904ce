"""Address books: the enterprise's (its members with open mailboxes) and each member's personal contacts,
with import and export as vCard (3.0) and CSV.

Imports are all-or-nothing per file and tolerant per entry: an entry without a name and e-mail is
skipped with its reason, an e-mail already among the member's contacts is skipped as a duplicate, and
the rest is written in one transaction. Files are bounded (2 MB, 5,000 contacts per member).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import vobject

from yunmail.directory.context import DirectoryContext, require_enterprise
from yunmail.directory.members import Members
from yunmail.errors import AddressInvalid, ContactInvalid, ContactLimitReached, ContactNotFound, TooLarge
from yunmail.mime import normalize_address
from yunmail.storage.repos import contacts as rows

MAX_CONTACTS = 5000
MAX_IMPORT_BYTES = 2 * 1024 * 1024
CSV_COLUMNS = ("name", "email", "phone", "company", "note")
_LIMITS = {"name": 200, "email": 320, "phone": 40, "company": 200, "note": 1000}


@dataclass(frozen=True, slots=True)
class PersonalContact:
    id: int
    name: str
    email: str | None
    phone: str | None
    company: str | None
    note: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PersonalContact:
        return cls(row["id"], row["name"], row["email"], row["phone"], row["company"], row["note"])


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """What a member types or a file supplies; validated by ``Contacts``."""

    name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ContactImport:
    added: int
    skipped: tuple[tuple[int, str], ...]  # (entry number from 1, reason)


class Contacts:
    def __init__(self, ctx: DirectoryContext, members: Members) -> None:
        self._ctx = ctx
        self._members = members

    async def list(
        self, enterprise_id: int, member_id: int, term: str | None = None, *, limit: int = 500
    ) -> tuple[PersonalContact, ...]:
        await self._members.get(enterprise_id, member_id)  # MemberNotFound across tenants
        async with self._ctx.db.read() as conn:
            found = await rows.search(
                conn, enterprise_id, member_id, (term or "").strip() or None, limit=limit
            )
        return tuple(PersonalContact.from_row(r) for r in found)

    async def add(self, enterprise_id: int, member_id: int, draft: ContactDraft) -> None:
        values = _clean(draft)
        await self._members.get(enterprise_id, member_id)
        async with self._ctx.db.transaction() as conn:
            await require_enterprise(conn, enterprise_id)
            if await rows.count(conn, enterprise_id, member_id) >= MAX_CONTACTS:
                raise ContactLimitReached(limit=MAX_CONTACTS)
            await rows.insert_many(
                conn, enterprise_id, member_id, [{**values, "created_at": self._ctx.now()}]
            )

    async def update(self, enterprise_id: int, member_id: int, contact_id: int, draft: ContactDraft) -> None:
        values = _clean(draft)
        async with self._ctx.db.transaction() as conn:
            if not await rows.update_one(conn, enterprise_id, member_id, contact_id, values):
                raise ContactNotFound()

    async def delete(self, enterprise_id: int, member_id: int, contact_id: int) -> None:
        async with self._ctx.db.transaction() as conn:
            if not await rows.delete_one(conn, enterprise_id, member_id, contact_id):
                raise ContactNotFound()

    # --- files ---------------------------------------------------------------------------------------

    async def import_file(
        self, enterprise_id: int, member_id: int, data: bytes, filename: str
    ) -> ContactImport:
        """Import a ``.vcf`` or ``.csv`` file (by name, then by content)."""
        if len(data) > MAX_IMPORT_BYTES:
            raise TooLarge()
        text = _decode(data)
        is_vcard = filename.lower().endswith((".vcf", ".vcard")) or text.lstrip().upper().startswith(
            "BEGIN:VCARD"
        )
        drafts = _from_vcard(text) if is_vcard else _from_csv(text)
        await self._members.get(enterprise_id, member_id)
        skipped: list[tuple[int, str]] = []
        async with self._ctx.db.transaction() as conn:
            await require_enterprise(conn, enterprise_id)
            known = await rows.emails(conn, enterprise_id, member_id)
            room = MAX_CONTACTS - await rows.count(conn, enterprise_id, member_id)
            new: list[dict[str, Any]] = []
            for number, draft in enumerate(drafts, start=1):
                if isinstance(draft, str):
                    skipped.append((number, draft))
                    continue
                try:
                    values = _clean(draft)
                except ContactInvalid as exc:
                    skipped.append((number, exc.text("en")))
                    continue
                email = values.get("email")
                if email and email in known:
                    skipped.append((number, f"duplicate e-mail {email}"))
                    continue
                if len(new) >= room:
                    skipped.append((number, f"more than {MAX_CONTACTS} contacts"))
                    continue
                if email:
                    known.add(email)
                new.append({**values, "created_at": self._ctx.now()})
            await rows.insert_many(conn, enterprise_id, member_id, new)
        return ContactImport(len(new), tuple(skipped))

    async def export_vcard(self, enterprise_id: int, member_id: int) -> bytes:
        cards = []
        for contact in await self.list(enterprise_id, member_id, limit=MAX_CONTACTS):
            card = vobject.vCard()
            card.add("fn").value = contact.name
            card.add("n").value = vobject.vcard.Name(family="", given=contact.name)
            if contact.email:
                card.add("email").value = contact.email
            if contact.phone:
                card.add("tel").value = contact.phone
            if contact.company:
                card.add("org").value = [contact.company]
            if contact.note:
                card.add("note").value = contact.note
            cards.append(card.serialize())
        return "".join(cards).encode("utf-8")

    async def export_csv(self, enterprise_id: int, member_id: int) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for c in await self.list(enterprise_id, member_id, limit=MAX_CONTACTS):
            writer.writerow([_csv_safe(v or "") for v in (c.name, c.email, c.phone, c.company, c.note)])
        return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _clean(draft: ContactDraft) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in CSV_COLUMNS:
        raw = getattr(draft, key)
        value = " ".join(str(raw).split()) if raw is not None and key != "note" else raw
        value = value.strip() if isinstance(value, str) else value
        if value and len(value) > _LIMITS[key]:
            raise ContactInvalid(detail=f"{key} is longer than {_LIMITS[key]} characters")
        values[key] = value or None
    if values["email"]:
        try:
            values["email"] = normalize_address(values["email"]).lower()
        except AddressInvalid:
            raise ContactInvalid(detail=f"“{values['email']}” is not an e-mail address") from None
    if not values["name"]:
        values["name"] = values["email"]
    if not values["name"]:
        raise ContactInvalid(detail="a contact needs a name or an e-mail address")
    return values


def _csv_safe(value: str) -> str:
    """Stop spreadsheet formula injection: a cell starting with = + - @ is shown as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _from_csv(text: str) -> list[ContactDraft | str]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or ()}
    aliases = {
        "name": ("name", "姓名", "full name", "display name"),
        "email": ("email", "e-mail", "邮箱", "电子邮件", "e-mail address", "email address"),
        "phone": ("phone", "手机", "电话", "mobile", "mobile phone"),
        "company": ("company", "公司", "organization", "organisation"),
        "note": ("note", "备注", "notes"),
    }
    column = {key: next((fields[a] for a in names if a in fields), None) for key, names in aliases.items()}
    if column["name"] is None and column["email"] is None:
        raise ContactInvalid(detail="the CSV file needs a 'name' or an 'email' column")
    drafts: list[ContactDraft | str] = []
    for row in reader:

        def cell(key: str, row: Mapping[str, str | None] = row) -> str | None:
            name = column[key]
            return (row.get(name) or "").lstrip("'") or None if name else None

        drafts.append(
            ContactDraft(cell("name") or "", cell("email"), cell("phone"), cell("company"), cell("note"))
        )
    return drafts


def _from_vcard(text: str) -> list[ContactDraft | str]:
    drafts: list[ContactDraft | str] = []
    try:
        cards = list(vobject.readComponents(text, ignoreUnreadable=True))
    except Exception as exc:  # vobject raises several parse error types
        raise ContactInvalid(detail=f"the vCard file cannot be read ({type(exc).__name__})") from None
    for card in cards:
        try:
            drafts.append(
                ContactDraft(
                    name=_value(card, "fn") or "",
                    email=_value(card, "email"),
                    phone=_value(card, "tel"),
                    company=_org(card),
                    note=_value(card, "note"),
                )
            )
        except Exception:
            drafts.append("unreadable vCard entry")
    return drafts


def _value(card: Any, name: str) -> str | None:
    item = getattr(card, name, None)
    value = getattr(item, "value", None) if item is not None else None
    return str(value) if value else None


def _org(card: Any) -> str | None:
    item = getattr(card, "org", None)
    value = getattr(item, "value", None) if item is not None else None
    if isinstance(value, list):
        return " ".join(str(v) for v in value if v) or None
    return str(value) if value else None
