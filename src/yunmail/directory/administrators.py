"""Enterprise administrators: the listing (with pending invitations), disable/enable/remove, the operator's
direct creation and the admin console's password check.

Rules decided here (PRODUCT §1, §2):

* Real admin rights come from this list, never from a member's role label.
* The **login** of an administrator is globally unique (``administrators.login``): by default the
  invitation's e-mail address, lower-cased; the invitee (or the operator) may choose another one of
  3-254 letters, digits and ``_ . - + @``. Logins compare case-insensitively (stored lower-case). A
  person administering two enterprises needs two logins.
* An enterprise keeps at least one **active** administrator once it has one: disabling or removing
  the last one is refused (LAST_ADMINISTRATOR). The enterprise row is locked while counting, so two
  concurrent removals cannot both pass.
* ``verify_admin_password`` answers LOGIN_INVALID for an unknown login and for a wrong password
  alike, after one hash verification either way (a dummy hash for unknown logins); a disabled
  administrator or a suspended enterprise is reported only after a correct password. Lockout and
  sessions are the auth service's business.
* ``create_first`` is the operator/CLI path (no invitation): normally the enterprise's first
  administrator, also usable to recover an enterprise whose administrators are all gone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from yunmail.directory.context import DirectoryContext, record, require_enterprise
from yunmail.directory.model import normalise_phone, validate_contact_email
from yunmail.errors import (
    AdministratorLoginInvalid,
    AdministratorLoginTaken,
    AdministratorNameInvalid,
    AdministratorNotFound,
    EnterpriseSuspended,
    LastAdministrator,
    LoginAccountDisabled,
    LoginInvalid,
)
from yunmail.security import check_password_policy
from yunmail.storage.repos import administrators as admin_rows
from yunmail.storage.repos import enterprises as enterprise_rows
from yunmail.storage.repos import invitations as invitation_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

ADMIN_STATUSES = ("active", "disabled")
INVITATION_STATUSES = ("pending", "accepted", "expired", "revoked")

_LOGIN = re.compile(r"[a-z0-9_.+@-]{3,254}")
# Verified when the login is unknown, so every refusal costs one hash verification.
_DUMMY_PASSWORD = "not-a-real-password-0"


# --- values ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Administrator:
    id: int
    enterprise_id: int
    name: str
    phone: str | None
    email: str | None
    login: str
    status: str  # active | disabled
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Administrator:
        return cls(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            name=row["name"],
            phone=row["phone"],
            email=row["email"],
            login=row["login"],
            status=row["status"],
            created_at=row["created_at"],
        )


@dataclass(frozen=True, slots=True)
class Invitation:
    """An administrator invitation; ``status`` is computed from the clock when the value is built."""

    id: int
    enterprise_id: int
    name: str
    phone: str | None
    email: str | None
    invited_by: str
    status: str  # pending | accepted | expired | revoked
    created_at: dt.datetime
    expires_at: dt.datetime
    accepted_at: dt.datetime | None
    revoked_at: dt.datetime | None
    administrator_id: int | None  # set once accepted (None again if that administrator was removed)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], now: dt.datetime) -> Invitation:
        return cls(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            name=row["name"],
            phone=row["phone"],
            email=row["email"],
            invited_by=row["invited_by"],
            status=invitation_status(row, now),
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            accepted_at=row["accepted_at"],
            revoked_at=row["revoked_at"],
            administrator_id=row["administrator_id"],
        )


@dataclass(frozen=True, slots=True)
class AdministratorEntry:
    """One line of the administrator list: an administrator, or an invitation not yet accepted.

    ``status``: ``active`` / ``disabled`` (administrators), ``pending`` / ``expired`` (invitations).
    """

    status: str
    name: str
    phone: str | None
    email: str | None
    administrator: Administrator | None = None
    invitation: Invitation | None = None


# --- rules -------------------------------------------------------------------------------------------


def invitation_status(row: Mapping[str, Any], now: dt.datetime) -> str:
    if row["accepted_at"] is not None:
        return "accepted"
    if row["revoked_at"] is not None:
        return "revoked"
    return "expired" if row["expires_at"] <= now else "pending"


def validate_admin_name(text: str) -> str:
    name = " ".join(text.split())
    if not 1 <= len(name) <= 64:
        raise AdministratorNameInvalid()
    return name


def normalise_login(text: str) -> str:
    """Lower-cased; 3-254 letters, digits and ``_ . - + @`` (an e-mail address fits)."""
    login = text.strip().lower()
    if not _LOGIN.fullmatch(login):
        raise AdministratorLoginInvalid()
    return login


@dataclass(frozen=True, slots=True)
class AdminContact:
    """Validated name, phone and e-mail of an administrator or invitee."""

    name: str
    phone: str | None
    email: str | None

    @classmethod
    def validated(cls, name: str, phone: str | None, email: str | None) -> AdminContact:
        phone = (phone or "").strip() or None
        email = (email or "").strip() or None
        return cls(
            name=validate_admin_name(name),
            phone=normalise_phone(phone) if phone is not None else None,
            email=validate_contact_email(email) if email is not None else None,
        )


# --- service -----------------------------------------------------------------------------------------


class Administrators:
    def __init__(self, ctx: DirectoryContext) -> None:
        self._ctx = ctx
        self._dummy_hash: str | None = None  # computed on first need with the configured hasher

    async def list(self, enterprise_id: int) -> tuple[AdministratorEntry, ...]:
        """Administrators (by id), then invitations not accepted or revoked (newest first)."""
        now = self._ctx.now()
        async with self._ctx.db.read() as conn:
            await require_enterprise(conn, enterprise_id)
            admins = await admin_rows.list_for_enterprise(conn, enterprise_id)
            invited = await invitation_rows.list_for_enterprise(conn, enterprise_id)
        entries = [
            AdministratorEntry(a.status, a.name, a.phone, a.email, administrator=a)
            for a in (Administrator.from_row(r) for r in admins)
        ]
        for row in invited:
            invitation = Invitation.from_row(row, now)
            if invitation.status in ("pending", "expired"):
                entries.append(
                    AdministratorEntry(
                        invitation.status,
                        invitation.name,
                        invitation.phone,
                        invitation.email,
                        invitation=invitation,
                    )
                )
        return tuple(entries)

    async def get(self, enterprise_id: int, administrator_id: int) -> Administrator:
        async with self._ctx.db.read() as conn:
            return Administrator.from_row(await _require(conn, enterprise_id, administrator_id))

    async def disable(self, enterprise_id: int, administrator_id: int, actor: str) -> Administrator:
        """Refused for the last active administrator; the console must also end its sessions."""
        async with self._ctx.db.transaction() as conn:
            row = await self._refuse_last(conn, enterprise_id, administrator_id)
            if row["status"] != "disabled":
                await admin_rows.update_values(conn, enterprise_id, administrator_id, {"status": "disabled"})
                await record(
                    self._ctx, conn, enterprise_id, actor, "administrator.disable", f"admin:{row['login']}"
                )
            return Administrator.from_row(await _require(conn, enterprise_id, administrator_id))

    async def enable(self, enterprise_id: int, administrator_id: int, actor: str) -> Administrator:
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, administrator_id)
            if row["status"] != "active":
                await admin_rows.update_values(conn, enterprise_id, administrator_id, {"status": "active"})
                await record(
                    self._ctx, conn, enterprise_id, actor, "administrator.enable", f"admin:{row['login']}"
                )
            return Administrator.from_row(await _require(conn, enterprise_id, administrator_id))

    async def remove(self, enterprise_id: int, administrator_id: int, actor: str) -> None:
        """Delete the administrator (and its console sessions); refused for the last active one."""
        async with self._ctx.db.transaction() as conn:
            row = await self._refuse_last(conn, enterprise_id, administrator_id)
            await admin_rows.delete_administrator(conn, enterprise_id, administrator_id)
            await record(
                self._ctx, conn, enterprise_id, actor, "administrator.remove", f"admin:{row['login']}"
            )

    async def create_first(
        self,
        enterprise_id: int,
        name: str,
        phone: str | None,
        email: str | None,
        login: str | None,
        password: str,
        *,
        actor: str = "operator",
    ) -> Administrator:
        """The operator/CLI path: an active administrator with a password, no invitation.

        ``login`` None means the e-mail address; one of the two is needed.
        """
        contact = AdminContact.validated(name, phone, email)
        login_key = normalise_login(login if login is not None else contact.email or "")
        check_password_policy(password)
        password_hash = await self._ctx.hasher.hash(password)
        async with self._ctx.db.transaction() as conn:
            await require_enterprise(conn, enterprise_id)
            return await self.create_in(
                conn, enterprise_id, contact, login_key, password_hash, actor, "administrator.create"
            )

    async def create_in(
        self,
        conn: AsyncConnection,
        enterprise_id: int,
        contact: AdminContact,
        login: str,
        password_hash: str,
        actor: str,
        action: str,
    ) -> Administrator:
        """Insert an active administrator inside the caller's transaction (also used by invitations)."""
        administrator_id = await admin_rows.insert_administrator(
            conn,
            enterprise_id=enterprise_id,
            values={
                "name": contact.name,
                "phone": contact.phone,
                "email": contact.email,
                "login": login,
                "password_hash": password_hash,
                "status": "active",
                "created_at": self._ctx.now(),
            },
        )
        if administrator_id is None:
            raise AdministratorLoginTaken(login=login)
        await record(self._ctx, conn, enterprise_id, actor, action, f"admin:{login}", {"name": contact.name})
        return Administrator.from_row(await _require(conn, enterprise_id, administrator_id))

    async def verify_admin_password(self, login: str, password: str) -> Administrator:
        """The admin console's sign-in check: the administrator, or LOGIN_INVALID and friends."""
        login_key = login.strip().lower()
        async with self._ctx.db.read() as conn:
            row = await admin_rows.get_by_login(conn, login_key)
            enterprise = await enterprise_rows.get(conn, row["enterprise_id"]) if row is not None else None
        stored = row["password_hash"] if row is not None else None
        if stored is None or enterprise is None or enterprise["status"] == "dissolving":
            await self._ctx.hasher.verify(await self._dummy(), password)
            raise LoginInvalid()
        if not await self._ctx.hasher.verify(stored, password):
            raise LoginInvalid()
        assert row is not None
        if row["status"] != "active":
            raise LoginAccountDisabled()
        if enterprise["status"] != "active":
            raise EnterpriseSuspended()
        return Administrator.from_row(row)

    async def _refuse_last(
        self, conn: AsyncConnection, enterprise_id: int, administrator_id: int
    ) -> Mapping[str, Any]:
        # Lock the enterprise row first: concurrent disable/remove calls then count one at a time.
        await require_enterprise(conn, enterprise_id, for_update=True)
        row = await _require(conn, enterprise_id, administrator_id)
        if row["status"] == "active" and await admin_rows.count_active(conn, enterprise_id) <= 1:
            raise LastAdministrator()
        return row

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._ctx.hasher.hash(_DUMMY_PASSWORD)
        return self._dummy_hash


async def _require(conn: AsyncConnection, enterprise_id: int, administrator_id: int) -> Mapping[str, Any]:
    row = await admin_rows.get(conn, enterprise_id, administrator_id)
    if row is None:
        raise AdministratorNotFound()
    return row
