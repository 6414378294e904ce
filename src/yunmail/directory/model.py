"""The directory's values (enterprise, department, member, mailbox, group, recipient) and input rules.

Rules decided here (PRODUCT §2, §3, §5):

* Organisation identifier: 2-32 characters of lower-case letters, digits and ``-``, starting with a
  letter; input is lower-cased first (``KMail`` -> ``kmail``).
* Login account: 1-20 letters, digits, ``_``, ``.`` or ``-``; kept as typed but unique
  case-insensitively (``account_key`` is the lower-cased form).
* Phone: a mainland-China mobile number ``1[3-9]`` + 9 digits, with an optional ``+86``/``86``
  prefix and spaces or dashes, is stored as its 11 digits; it is the only kind usable for SMS login.
  Any other number must be written in international E.164 form (``+`` and 8-15 digits) and is stored
  as ``+<digits>``; it is kept as a contact number only.
* Mailbox local parts: 1-64 letters, digits, ``-``, ``_``, ``.``; no leading/trailing dot, no
  ``..``. Local parts are matched case-insensitively and stored lower-case, so ``Xiao.Ming`` and
  ``xiao.ming`` are the same address.
* Default local part: the member's name in pinyin (``小明`` -> ``xiaoming``); other scripts keep their
  letters and digits with accents removed (``José Díaz`` -> ``josediaz``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pypinyin import lazy_pinyin

from yunmail.errors import (
    AccountInvalid,
    AddressInvalid,
    ContactEmailInvalid,
    DepartmentNameInvalid,
    EnterpriseNameInvalid,
    GroupNameInvalid,
    HireDateInvalid,
    MailboxRecycled,
    MemberNameInvalid,
    OrgIdInvalid,
    PhoneInvalid,
    RoleInvalid,
    SharedMailboxNameInvalid,
    StaffTypeInvalid,
)
from yunmail.mime import check_local_part, domain_to_unicode, normalize_address

T = TypeVar("T")

ROLES = ("member", "administrator")
STAFF_TYPES = ("regular", "intern", "dispatched", "outsourced")
MEMBER_STATUSES = ("active", "disabled")

_ORG_ID = re.compile(r"[a-z][a-z0-9-]{1,31}")
_ACCOUNT = re.compile(r"[A-Za-z0-9_.-]{1,20}")
_CN_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_E164 = re.compile(r"\+[1-9]\d{7,14}")
_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d")


# --- rules -----------------------------------------------------------------------------------------


def normalise_org_id(text: str) -> str:
    org_id = text.strip().lower()
    if not _ORG_ID.fullmatch(org_id):
        raise OrgIdInvalid()
    return org_id


def _bounded_name(text: str, limit: int, error: type[Exception]) -> str:
    name = " ".join(text.split())
    if not 1 <= len(name) <= limit:
        raise error()
    return name


def validate_enterprise_name(text: str) -> str:
    return _bounded_name(text, 100, EnterpriseNameInvalid)


def validate_member_name(text: str) -> str:
    return _bounded_name(text, 64, MemberNameInvalid)


def validate_group_name(text: str) -> str:
    return _bounded_name(text, 64, GroupNameInvalid)


def validate_shared_mailbox_name(text: str) -> str:
    return _bounded_name(text, 64, SharedMailboxNameInvalid)


def validate_department_name(text: str) -> str:
    name = _bounded_name(text, 64, DepartmentNameInvalid)
    if "/" in name:  # "/" separates levels in import paths (Company/R&D/Team)
        raise DepartmentNameInvalid()
    return name


def department_name_key(name: str) -> str:
    """Sibling names compare case-insensitively (``R&D`` and ``r&d`` clash)."""
    return name.casefold()


def validate_account(text: str) -> str:
    account = text.strip()
    if not _ACCOUNT.fullmatch(account):
        raise AccountInvalid()
    return account


def account_key(account: str) -> str:
    return account.lower()


def normalise_phone(text: str) -> str:
    """Mainland mobile -> 11 digits; international -> ``+digits``; anything else is PhoneInvalid."""
    compact = re.sub(r"[\s()-]", "", text)
    mainland = _CN_MOBILE.fullmatch(compact)
    if mainland:
        return mainland.group(1)
    if _E164.fullmatch(compact) and not compact.startswith("+86"):
        return compact
    raise PhoneInvalid()


def is_sms_phone(phone: str) -> bool:
    """Only mainland-China mobile numbers (stored as 11 digits) can receive login codes."""
    return len(phone) == 11 and phone.isdigit()


def validate_contact_email(text: str) -> str:
    """An Internet address (``mime.normalize_address``) on a dotted domain; kept as typed, trimmed."""
    address = text.strip()
    try:
        normalised = normalize_address(address)
    except AddressInvalid as exc:
        raise ContactEmailInvalid() from exc
    if "." not in normalised.rpartition("@")[2]:  # no single-label hosts or address literals
        raise ContactEmailInvalid()
    return address


def validate_role(text: str) -> str:
    if text not in ROLES:
        raise RoleInvalid()
    return text


def validate_staff_type(text: str) -> str:
    if text not in STAFF_TYPES:
        raise StaffTypeInvalid()
    return text


def parse_hire_date(value: dt.date | str | None) -> dt.date | None:
    """A date, or text ``YYYY/MM/DD`` (``YYYY-MM-DD`` is accepted too); empty means none."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = value.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise HireDateInvalid()


def normalise_local_part(text: str) -> str:
    """Yunmail's mailbox-name rule (``mime.check_local_part``), lower-cased."""
    return check_local_part(text.strip()).lower()


def default_local_part(name: str, fallback: str) -> str:
    """The member's name in pinyin (letters and digits only); ``fallback`` (the account) if that is empty."""
    spelled = "".join(lazy_pinyin(name))
    decomposed = unicodedata.normalize("NFKD", spelled)
    local = "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())[:64]
    if local:
        return local
    cleaned = re.sub(r"[^a-z0-9_.-]", "", fallback.lower()).strip(".")
    return re.sub(r"\.{2,}", ".", cleaned)[:64] or "user"


# --- values ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing: ``total`` counts every match, not just this page."""

    items: tuple[T, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class Enterprise:
    id: int
    name: str
    org_id: str
    status: str
    seats: int | None  # None = unlimited
    trial_ends_at: dt.datetime | None
    created_at: dt.datetime
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Enterprise:
        return cls(
            id=row["id"],
            name=row["name"],
            org_id=row["org_id"],
            status=row["status"],
            seats=row["seats"],
            trial_ends_at=row["trial_ends_at"],
            created_at=row["created_at"],
            settings=MappingProxyType(dict(row["settings"] or {})),
        )


@dataclass(frozen=True, slots=True)
class DissolveConfirmation:
    """The second-step token for dissolving; only its hash is stored."""

    token: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Department:
    id: int
    enterprise_id: int
    parent_id: int | None  # None = directly under the enterprise (the root)
    name: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Department:
        return cls(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            parent_id=row["parent_id"],
            name=row["name"],
            created_at=row["created_at"],
        )


@dataclass(frozen=True, slots=True)
class DepartmentNode:
    """A department with its sub-departments, sorted by name."""

    department: Department
    children: tuple[DepartmentNode, ...]


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    enterprise_id: int
    department_id: int | None
    name: str
    account: str
    phone: str | None
    contact_email: str | None
    role: str
    staff_type: str
    hire_date: dt.date | None
    status: str  # active | disabled
    must_change_password: bool
    has_password: bool
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Member:
        return cls(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            department_id=row["department_id"],
            name=row["name"],
            account=row["account"],
            phone=row["phone"],
            contact_email=row["contact_email"],
            role=row["role_label"],
            staff_type=row["staff_type"],
            hire_date=row["hire_date"],
            status=row["status"],
            must_change_password=bool(row["must_change_password"]),
            has_password=row["password_hash"] is not None,
            created_at=row["created_at"],
        )


@dataclass(frozen=True, slots=True)
class NewMember:
    """What an administrator (or an import row) supplies to add a member; validated by ``Members.add``."""

    name: str
    account: str
    password: str | None = None
    phone: str | None = None
    contact_email: str | None = None
    department_id: int | None = None
    role: str = "member"
    staff_type: str = "regular"
    hire_date: dt.date | str | None = None


def _unicode_address(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local}@{domain_to_unicode(domain)}" if "xn--" in domain else address


@dataclass(frozen=True, slots=True)
class Mailbox:
    id: int
    enterprise_id: int
    member_id: int | None  # None for shared mailboxes and for those of deleted members
    domain_id: int
    address: str  # canonical: lower-case local part, A-label domain
    kind: str  # personal | shared
    display_name: str
    status: str  # open | recycled | purging
    recycled_at: dt.datetime | None
    quota_bytes: int | None
    created_at: dt.datetime

    @property
    def display_address(self) -> str:
        return _unicode_address(self.address)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Mailbox:
        return cls(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            member_id=row["member_id"],
            domain_id=row["domain_id"],
            address=row["address"],
            kind=row["kind"],
            display_name=row["display_name"],
            status=row["status"],
            recycled_at=row["recycled_at"],
            quota_bytes=row["quota_bytes"],
            created_at=row["created_at"],
        )


@dataclass(frozen=True, slots=True)
class RecycledMailbox:
    mailbox: Mailbox
    member_name: str | None  # None when the member was deleted
    purge_at: dt.datetime
    days_left: int  # whole days until the automatic purge, rounded up; 0 = due


@dataclass(frozen=True, slots=True)
class SharedMailbox:
    mailbox: Mailbox
    member_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Alias:
    id: int
    enterprise_id: int
    domain_id: int
    mailbox_id: int
    address: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Alias:
        return cls(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            domain_id=row["domain_id"],
            mailbox_id=row["mailbox_id"],
            address=row["address"],
            created_at=row["created_at"],
        )


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    enterprise_id: int
    domain_id: int
    address: str
    name: str
    member_ids: tuple[int, ...]
    addresses: tuple[str, ...]  # outside (or other hosted) addresses on the list
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AddressSuggestion:
    """A free address for a member: ``preferred`` is the plain pinyin one, ``address`` what is free."""

    address: str
    preferred: str

    @property
    def is_preferred(self) -> bool:
        return self.address == self.preferred


@dataclass(frozen=True, slots=True)
class BatchOpenResult:
    """One member's outcome in a batch open: the mailbox, or the error code and its text."""

    member_id: int
    address: str | None
    mailbox: Mailbox | None = None
    error_code: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.mailbox is not None


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where mail for an address goes.

    ``kind``: ``mailbox`` (personal or shared), ``alias`` or ``group``. ``mailbox_ids`` are open
    mailboxes, deduplicated, in a stable order; ``external`` are outside addresses of a group.
    ``recycled`` marks a mailbox (or an alias of one) in the recycle bin: refuse the mail.
    """

    address: str
    enterprise_id: int
    kind: str
    mailbox_ids: tuple[int, ...] = ()
    external: tuple[str, ...] = ()
    recycled: bool = False

    def require_deliverable(self) -> None:
        if self.recycled:
            raise MailboxRecycled(address=self.address)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    enterprise_id: int | None
    actor: str
    action: str  # e.g. member.add, mailbox.close
    target: str
    detail: Mapping[str, Any]
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> AuditEntry:
        return cls(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            actor=row["actor"],
            action=row["action"],
            target=row["target"],
            detail=MappingProxyType(dict(row["detail"] or {})),
            created_at=row["created_at"],
        )
