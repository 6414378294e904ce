"""Login names to member accounts: parsing ``account@orgid`` or a mailbox address, and the lookups.

Resolution order (both forms are case-insensitive):

1. No ``@`` (or nothing after it): the organisation part is missing -> LOGIN_ENTERPRISE_UNKNOWN.
2. The part after the last ``@`` contains a dot: a **mailbox address**. Organisation identifiers
   never contain a dot (``[a-z][a-z0-9-]{1,31}``) and hosted domains always do, so the two forms
   cannot be confused. The address is canonicalised (lower-case local part, IDN A-label domain) and
   looked up platform-wide. A domain no enterprise has added -> LOGIN_ENTERPRISE_UNKNOWN; an address
   on a hosted domain that is no member's own mailbox (unknown, alias, group, shared mailbox) -> an
   unknown account of that enterprise. A member whose mailbox is in the recycle bin still resolves
   by that address (the login is then refused with MAILBOX_NOT_OPENED after the password check).
3. Otherwise ``account@orgid``: the organisation identifier, then the account (its lower-cased key).

An unknown account is not an error here: ``Resolution.account`` is None and the caller answers
LOGIN_INVALID after spending the same effort as for a wrong password.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from yunmail.auth.principal import Principal
from yunmail.directory import normalise_phone
from yunmail.domains import to_ascii
from yunmail.errors import DomainInvalid, LoginEnterpriseUnknown, LoginOrgRequired, LoginPhoneNotRegistered
from yunmail.storage import Database
from yunmail.storage.repos import auth_accounts as rows


@dataclass(frozen=True, slots=True)
class EnterpriseRef:
    """The tenant a login names: id, identifier, status and settings (e.g. require_client_passwords)."""

    id: int
    org_id: str
    status: str
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def requires_client_passwords(self) -> bool:
        return self.settings.get("require_client_passwords") is True

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EnterpriseRef:
        return cls(
            id=int(row["id"]),
            org_id=row["org_id"],
            status=row["status"],
            settings=MappingProxyType(dict(row["settings"] or {})),
        )


@dataclass(frozen=True, slots=True)
class MemberAccount:
    """What a login needs to know about a member (including its password hash: never leave auth)."""

    enterprise: EnterpriseRef
    member_id: int
    account: str
    status: str
    password_hash: str | None
    must_change_password: bool
    phone: str | None
    contact_email: str | None
    session_keep_minutes: int
    mailbox_id: int | None
    address: str | None

    @property
    def login(self) -> str:
        return f"{self.account}@{self.enterprise.org_id}"

    def principal(self, *, client_password_id: int | None = None) -> Principal:
        return Principal(
            kind="member",
            login=self.login,
            enterprise_id=self.enterprise.id,
            member_id=self.member_id,
            mailbox_id=self.mailbox_id,
            address=self.address,
            via_client_password=client_password_id is not None,
            client_password_id=client_password_id,
            must_change_password=self.must_change_password,
        )

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> MemberAccount:
        enterprise = EnterpriseRef(
            id=int(row["enterprise_id"]),
            org_id=row["org_id"],
            status=row["enterprise_status"],
            settings=MappingProxyType(dict(row["enterprise_settings"] or {})),
        )
        return cls(
            enterprise=enterprise,
            member_id=int(row["member_id"]),
            account=row["account"],
            status=row["status"],
            password_hash=row["password_hash"],
            must_change_password=bool(row["must_change_password"]),
            phone=row["phone"],
            contact_email=row["contact_email"],
            session_keep_minutes=int(row["session_keep_minutes"]),
            mailbox_id=None if row["mailbox_id"] is None else int(row["mailbox_id"]),
            address=row["address"],
        )


@dataclass(frozen=True, slots=True)
class Resolution:
    """A parsed login: its enterprise, and its member account (None: no such account there)."""

    enterprise: EnterpriseRef
    account: MemberAccount | None


@dataclass(frozen=True, slots=True)
class _LoginName:
    kind: str  # account | address
    name: str  # account key, or canonical address
    org_id: str = ""


def _parse(login: str) -> _LoginName | None:
    local, at, right = login.strip().rpartition("@")
    if not at or not local or not right:
        return None
    if "." in right:
        try:
            return _LoginName("address", f"{local.lower()}@{to_ascii(right)}")
        except DomainInvalid:
            return None
    return _LoginName("account", local.lower(), right.lower())


class Accounts:
    """Read-only member lookups for logins, sessions and codes."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def resolve(self, login: str) -> Resolution:
        """The enterprise and member a login names; LoginEnterpriseUnknown when no enterprise matches."""
        parsed = _parse(login)
        if parsed is None:
            raise LoginEnterpriseUnknown()
        async with self._db.read() as conn:
            if parsed.kind == "account":
                enterprise_row, row = await rows.login_by_account(conn, parsed.org_id, parsed.name)
            else:
                enterprise_row, row = await rows.login_by_address(conn, parsed.name)
        if enterprise_row is None:
            raise LoginEnterpriseUnknown()
        enterprise = EnterpriseRef.from_row(enterprise_row)
        account = MemberAccount.from_row(row) if row is not None else None
        return Resolution(enterprise=enterprise, account=account)

    async def get(self, enterprise_id: int, member_id: int) -> MemberAccount | None:
        async with self._db.read() as conn:
            row = await rows.account(conn, enterprise_id, member_id)
        return MemberAccount.from_row(row) if row is not None else None

    async def by_phone(self, phone: str, org_id: str | None = None) -> MemberAccount:
        """The one member with this phone (in ``org_id`` when given).

        The phone is unique within an enterprise but not across them: when several enterprises have
        it and no ``org_id`` is given, LoginOrgRequired asks the user to name theirs.
        """
        normalised = normalise_phone(phone)
        async with self._db.read() as conn:
            if org_id is not None and await rows.enterprise_by_org_id(conn, org_id.strip().lower()) is None:
                raise LoginEnterpriseUnknown()
            found = [MemberAccount.from_row(r) for r in await rows.accounts_by_phone(conn, normalised)]
        if org_id is not None:
            found = [a for a in found if a.enterprise.org_id == org_id.strip().lower()]
        if not found:
            raise LoginPhoneNotRegistered()
        if len(found) > 1:
            raise LoginOrgRequired()
        return found[0]
