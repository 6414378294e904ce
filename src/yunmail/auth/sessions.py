"""Web sessions (webmail, admin console, operator console): create, validate with idle expiry, log out.

Invariants:

* The token is a 256-bit random string handed to the browser once; only its SHA-256 is stored, so a
  database copy cannot be replayed as cookies.
* Idle expiry by the ``Clock``: a session dies when ``idle_minutes`` pass without a validated request.
  Admin and operator sessions always use 30 minutes (PRODUCT §1, not configurable); a member session
  uses the member's ``session_keep_minutes`` setting (default 30) at the time of login.
* ``last_seen_at`` is written at most every ``session_touch_seconds`` (not on every request), so a
  session may expire up to that many seconds before its exact idle time.
* Every validation re-reads the member: a member disabled, deleted, or whose mailbox was closed loses
  its sessions at once (disabled ones are revoked). Logging out revokes the one session; "log out
  everywhere" revokes all of a member's sessions (also used after a password reset).
* Likewise for consoles: an administrator session re-reads the administrator and its enterprise
  (disabled -> revoked + LOGIN_ACCOUNT_DISABLED; removed or enterprise dissolving -> SESSION_INVALID;
  enterprise suspended -> ENTERPRISE_SUSPENDED), an operator session re-reads the operator (disabled
  -> revoked + LOGIN_ACCOUNT_DISABLED). Console sessions therefore need a real administrator
  (``admin_id``) or operator (``operator_id``, or a login naming one) when created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yunmail.auth.accounts import Accounts
from yunmail.auth.limits import ADMIN_IDLE_MINUTES, AuthLimits
from yunmail.auth.login import require_usable
from yunmail.auth.principal import Principal, PrincipalKind
from yunmail.clock import Clock
from yunmail.errors import (
    AdministratorNotFound,
    EnterpriseSuspended,
    Forbidden,
    LoginAccountDisabled,
    MemberNotFound,
    OperatorNotFound,
    SessionExpired,
    SessionInvalid,
    SessionKeepInvalid,
)
from yunmail.security import hash_token, new_token
from yunmail.storage import Database
from yunmail.storage.repos import auth_admins as admin_rows
from yunmail.storage.repos import auth_operators as operator_rows
from yunmail.storage.repos import auth_sessions as rows
from yunmail.storage.repos.auth_accounts import set_session_keep_minutes


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A live session as the member sees it in "where am I logged in" (never the token)."""

    id: int
    kind: str
    login: str
    remote_ip: str | None
    created_at: dt.datetime
    last_seen_at: dt.datetime
    idle_minutes: int

    @property
    def expires_at(self) -> dt.datetime:
        return self.last_seen_at + dt.timedelta(minutes=self.idle_minutes)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> SessionInfo:
        return cls(
            id=int(row["id"]),
            kind=row["kind"],
            login=row["login"],
            remote_ip=row["remote_ip"],
            created_at=row["created_at"],
            last_seen_at=row["last_seen_at"],
            idle_minutes=int(row["idle_minutes"]),
        )


class Sessions:
    def __init__(
        self, db: Database, accounts: Accounts, clock: Clock, limits: AuthLimits | None = None
    ) -> None:
        self._db = db
        self._accounts = accounts
        self._clock = clock
        self._limits = limits or AuthLimits()

    async def create(
        self, principal: Principal, *, idle_minutes: int | None = None, remote_ip: str | None = None
    ) -> str:
        """Start a session for a web login; returns the token (give it to the browser, keep nothing).

        Members default to their keep-alive setting; ``idle_minutes`` may choose another value within
        the allowed range. Admin and operator sessions are always 30 minutes.
        """
        if principal.via_client_password:
            raise Forbidden()  # client passwords are for mail programs, never for the web
        operator_id = None
        if principal.kind == "member":
            idle = await self._member_idle(principal, idle_minutes)
        else:
            if idle_minutes is not None and idle_minutes != ADMIN_IDLE_MINUTES:
                raise SessionKeepInvalid(low=ADMIN_IDLE_MINUTES, high=ADMIN_IDLE_MINUTES)
            idle = ADMIN_IDLE_MINUTES
            if principal.kind == "admin" and principal.admin_id is None:
                raise AdministratorNotFound()
            if principal.kind == "operator":
                operator_id = await self._operator_id(principal)
        token = new_token(32)
        async with self._db.transaction() as conn:
            await rows.insert_session(
                conn,
                token_hash=hash_token(token),
                kind=principal.kind,
                enterprise_id=principal.enterprise_id,
                member_id=principal.member_id,
                admin_id=principal.admin_id,
                login=principal.login,
                remote_ip=remote_ip,
                idle_minutes=idle,
                at=self._clock.now(),
                operator_id=operator_id,
            )
        return token

    async def validate(self, token: str) -> Principal:
        """The session's principal, refreshed from the directory; marks the session active.

        SESSION_INVALID (unknown, logged out), SESSION_EXPIRED (idle too long), or the member's
        current refusal (LOGIN_ACCOUNT_DISABLED, MAILBOX_NOT_OPENED, ENTERPRISE_SUSPENDED).
        """
        now = self._clock.now()
        async with self._db.read() as conn:
            row = await rows.get_by_token_hash(conn, hash_token(token)) if token else None
        if row is None or row["revoked_at"] is not None:
            raise SessionInvalid()
        if now - row["last_seen_at"] >= dt.timedelta(minutes=int(row["idle_minutes"])):
            raise SessionExpired(minutes=int(row["idle_minutes"]))
        principal = await self._principal_of(row)
        if now - row["last_seen_at"] >= dt.timedelta(seconds=self._limits.session_touch_seconds):
            async with self._db.transaction() as conn:
                await rows.touch(conn, int(row["id"]), now)
        return principal

    async def revoke(self, token: str) -> None:
        """Log out this session (unknown or already ended tokens are ignored)."""
        async with self._db.transaction() as conn:
            row = await rows.get_by_token_hash(conn, hash_token(token)) if token else None
            if row is not None:
                await rows.revoke(conn, int(row["id"]), self._clock.now())

    async def revoke_all(self, enterprise_id: int, member_id: int) -> int:
        """Log the member out everywhere; the number of sessions ended."""
        async with self._db.transaction() as conn:
            return await rows.revoke_for_member(conn, enterprise_id, member_id, self._clock.now())

    async def revoke_all_for_admin(self, enterprise_id: int, admin_id: int) -> int:
        """End every console session of an administrator (after disabling it, say)."""
        async with self._db.transaction() as conn:
            return await rows.revoke_for_admin(conn, enterprise_id, admin_id, self._clock.now())

    async def list_for_member(self, enterprise_id: int, member_id: int) -> tuple[SessionInfo, ...]:
        """The member's live sessions (not logged out, not idle-expired), most recently used first."""
        now = self._clock.now()
        async with self._db.read() as conn:
            found = [
                SessionInfo.from_row(r) for r in await rows.list_for_member(conn, enterprise_id, member_id)
            ]
        return tuple(s for s in found if s.expires_at > now)

    async def set_keep_minutes(self, enterprise_id: int, member_id: int, minutes: int) -> None:
        """The member's keep-alive setting, used by its next logins (PRODUCT §1)."""
        self._check_member_idle(minutes)
        async with self._db.transaction() as conn:
            if not await set_session_keep_minutes(conn, enterprise_id, member_id, minutes):
                raise MemberNotFound()

    async def keep_minutes(self, enterprise_id: int, member_id: int) -> int:
        """The member's keep-alive setting (idle minutes of new web sessions)."""
        account = await self._accounts.get(enterprise_id, member_id)
        if account is None:
            raise MemberNotFound()
        return account.session_keep_minutes

    async def prune(self) -> int:
        """Delete session rows that ended more than a maximum idle time ago (a periodic chore)."""
        longest = max(self._limits.member_idle_max, ADMIN_IDLE_MINUTES)
        cutoff = self._clock.now() - dt.timedelta(minutes=longest)
        async with self._db.transaction() as conn:
            return await rows.delete_stale(conn, seen_before=cutoff)

    async def _member_idle(self, principal: Principal, idle_minutes: int | None) -> int:
        if principal.enterprise_id is None or principal.member_id is None:
            raise SessionInvalid()
        if idle_minutes is not None:
            self._check_member_idle(idle_minutes)
            return idle_minutes
        account = await self._accounts.get(principal.enterprise_id, principal.member_id)
        if account is None:
            raise MemberNotFound()
        return account.session_keep_minutes

    def _check_member_idle(self, minutes: int) -> None:
        low, high = self._limits.member_idle_min, self._limits.member_idle_max
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
            raise SessionKeepInvalid(low=low, high=high)

    async def _operator_id(self, principal: Principal) -> int:
        async with self._db.read() as conn:
            if principal.operator_id is not None:
                row = await operator_rows.get(conn, principal.operator_id)
            else:
                row = await operator_rows.get_by_login(conn, principal.login.strip().lower())
        if row is None:
            raise OperatorNotFound()
        return int(row["id"])

    async def _principal_of(self, row: Mapping[str, Any]) -> Principal:
        kind: PrincipalKind = row["kind"]
        if kind == "admin":
            return await self._admin_of(row)
        if kind == "operator":
            return await self._operator_of(row)
        account = await self._accounts.get(int(row["enterprise_id"]), int(row["member_id"]))
        if account is None:
            raise SessionInvalid()
        try:
            require_usable(account)
        except LoginAccountDisabled:
            async with self._db.transaction() as conn:
                await rows.revoke(conn, int(row["id"]), self._clock.now())
            raise
        return account.principal()

    async def _admin_of(self, row: Mapping[str, Any]) -> Principal:
        admin = None
        if row["admin_id"] is not None:
            async with self._db.read() as conn:
                admin = await admin_rows.admin_state(conn, int(row["admin_id"]))
        if admin is None or admin["enterprise_id"] != row["enterprise_id"]:
            raise SessionInvalid()
        if admin["status"] != "active":
            await self._end(row)
            raise LoginAccountDisabled()
        if admin["enterprise_status"] == "dissolving":
            await self._end(row)
            raise SessionInvalid()
        if admin["enterprise_status"] != "active":
            raise EnterpriseSuspended()
        return Principal(
            kind="admin",
            login=admin["login"],
            enterprise_id=int(admin["enterprise_id"]),
            admin_id=int(admin["id"]),
        )

    async def _operator_of(self, row: Mapping[str, Any]) -> Principal:
        operator = None
        if row["operator_id"] is not None:
            async with self._db.read() as conn:
                operator = await operator_rows.get(conn, int(row["operator_id"]))
        if operator is None:
            raise SessionInvalid()
        if operator["status"] != "active":
            await self._end(row)
            raise LoginAccountDisabled()
        return Principal(kind="operator", login=operator["login"], operator_id=int(operator["id"]))

    async def _end(self, row: Mapping[str, Any]) -> None:
        async with self._db.transaction() as conn:
            await rows.revoke(conn, int(row["id"]), self._clock.now())
