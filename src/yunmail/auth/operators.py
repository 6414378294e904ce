"""Platform operators: the people who run Yunmail (operator console and CLI), not tenant accounts.

Rules:

* A login is 3-254 of ``a-z 0-9 _ . - + @`` (an e-mail address fits), unique, stored lower-case.
  Passwords follow the product policy and are hashed with the auth hasher (argon2id in production).
* ``authenticate`` behaves like the admin console sign-in: lockout by ``operator_subject(login)`` and
  remote IP; LOGIN_INVALID for unknown logins and wrong passwords alike (a dummy hash is verified
  for unknown ones, so both cost the same); LOGIN_ACCOUNT_DISABLED only after a correct password;
  TOTP_REQUIRED / TOTP_INVALID when the operator turned TOTP on. A disabled operator's console
  sessions stop working at their next request (``Sessions.validate`` re-reads the operator).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yunmail.auth.lockout import Lockout, LockStatus, operator_subject
from yunmail.auth.principal import Principal
from yunmail.auth.totp import Totp
from yunmail.clock import Clock
from yunmail.directory import PasswordHasher
from yunmail.errors import (
    LoginAccountDisabled,
    LoginInvalid,
    OperatorLoginInvalid,
    OperatorLoginTaken,
    OperatorNotFound,
    TotpInvalid,
)
from yunmail.security import check_password_policy
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import auth_operators as rows

OPERATOR_STATUSES = ("active", "disabled")
_LOGIN = re.compile(r"[a-z0-9_.+@-]{3,254}")
_DUMMY_PASSWORD = "not-a-real-password-0"


@dataclass(frozen=True, slots=True)
class Operator:
    id: int
    login: str
    status: str  # active | disabled
    created_at: dt.datetime

    def principal(self) -> Principal:
        return Principal(kind="operator", login=self.login, operator_id=self.id)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Operator:
        return cls(id=int(row["id"]), login=row["login"], status=row["status"], created_at=row["created_at"])


def normalise_operator_login(text: str) -> str:
    login = text.strip().lower()
    if not _LOGIN.fullmatch(login):
        raise OperatorLoginInvalid()
    return login


class Operators:
    def __init__(
        self, db: Database, lockout: Lockout, totp: Totp, hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._db = db
        self._lockout = lockout
        self._totp = totp
        self._hasher = hasher
        self._clock = clock
        self._dummy_hash: str | None = None  # computed on first need with the configured hasher

    async def create(self, login: str, password: str, *, actor: str = "operator:cli") -> Operator:
        """A new active operator; OPERATOR_LOGIN_INVALID / OPERATOR_LOGIN_TAKEN / password policy."""
        key = normalise_operator_login(login)
        check_password_policy(password)
        password_hash = await self._hasher.hash(password)
        now = self._clock.now()
        async with self._db.transaction() as conn:
            operator_id = await rows.insert_operator(
                conn, login=key, password_hash=password_hash, created_at=now
            )
            if operator_id is None:
                raise OperatorLoginTaken(login=key)
            await audit.record(
                conn,
                enterprise_id=None,
                actor=actor,
                action="operator.create",
                target=f"operator:{key}",
                at=now,
            )
            row = await rows.get(conn, operator_id)
        assert row is not None
        return Operator.from_row(row)

    async def get(self, operator_id: int) -> Operator:
        async with self._db.read() as conn:
            row = await rows.get(conn, operator_id)
        if row is None:
            raise OperatorNotFound()
        return Operator.from_row(row)

    async def find(self, login: str) -> Operator | None:
        async with self._db.read() as conn:
            row = await rows.get_by_login(conn, login.strip().lower())
        return Operator.from_row(row) if row is not None else None

    async def list(self) -> tuple[Operator, ...]:
        async with self._db.read() as conn:
            return tuple(Operator.from_row(r) for r in await rows.list_all(conn))

    async def disable(self, operator_id: int, *, actor: str = "operator:cli") -> Operator:
        return await self._set_status(operator_id, "disabled", actor)

    async def enable(self, operator_id: int, *, actor: str = "operator:cli") -> Operator:
        return await self._set_status(operator_id, "active", actor)

    async def set_password(self, operator_id: int, password: str, *, actor: str = "operator:cli") -> None:
        check_password_policy(password)
        password_hash = await self._hasher.hash(password)
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if not await rows.set_password_hash(conn, operator_id, password_hash):
                raise OperatorNotFound()
            await audit.record(
                conn,
                enterprise_id=None,
                actor=actor,
                action="operator.password",
                target=f"operator:{operator_id}",
                at=now,
            )

    async def authenticate(
        self, login: str, password: str, *, totp_code: str | None = None, remote_ip: str
    ) -> Principal:
        """An operator principal, or LOGIN_LOCKED / LOGIN_INVALID / LOGIN_ACCOUNT_DISABLED / TOTP_*."""
        subject = operator_subject(login)
        await self._lockout.check(subject, remote_ip)
        async with self._db.read() as conn:
            row = await rows.get_by_login(conn, login.strip().lower())
        stored = row["password_hash"] if row is not None else None
        verified = await self._hasher.verify(stored or await self._dummy(), password)
        if row is None or stored is None or not verified:
            await self._lockout.record_failure(subject, remote_ip)
            raise LoginInvalid()
        operator = Operator.from_row(row)
        if operator.status != "active":
            raise LoginAccountDisabled()
        try:
            await self._totp.check_login("operator", operator.id, totp_code)
        except TotpInvalid:
            await self._lockout.record_failure(subject, remote_ip)
            raise
        await self._lockout.record_success(subject)
        return operator.principal()

    async def unlock(self, login: str) -> None:
        await self._lockout.unlock(operator_subject(login))

    async def lock_status(self, login: str) -> LockStatus:
        return await self._lockout.status(operator_subject(login))

    async def _set_status(self, operator_id: int, status: str, actor: str) -> Operator:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if not await rows.set_status(conn, operator_id, status):
                raise OperatorNotFound()
            await audit.record(
                conn,
                enterprise_id=None,
                actor=actor,
                action="operator.disable" if status == "disabled" else "operator.enable",
                target=f"operator:{operator_id}",
                at=now,
            )
            row = await rows.get(conn, operator_id)
        assert row is not None
        return Operator.from_row(row)

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hasher.hash(_DUMMY_PASSWORD)
        return self._dummy_hash
