"""Two-step verification with an authenticator app (TOTP, RFC 6238) for members, admins and operators.

Lifecycle: ``begin`` makes a new secret and its ``otpauth://`` URI (shown as a QR code) and stores
nothing; ``confirm`` stores it once the user typed a code the app computed from it, so a secret
never becomes active before the user's app really has it. ``disable`` needs a current code.
``begin``/``confirm`` refuse while one is active (TOTP_ALREADY_ENABLED): a stolen session cannot
swap the app for the thief's.

Logins call ``check_login``: nothing when the account has no TOTP; TOTP_REQUIRED when a code is
missing; TOTP_INVALID for a wrong one. Codes are 6 digits over 30-second steps; the step before and
after the clock's are accepted too (phones drift). Each accepted step is recorded with a conditional
update, so a code works once even when two logins race (RFC 6238 §5.2), and a later step is needed
after it. Lockout counting is the caller's business (a wrong code at login counts as a failure).

Secrets are 160 random bits (RFC 4226 §4), base32. There is no at-rest sealing module yet
(``security/sealed.py``), so the secret is stored as is; seal it when that module exists.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pyotp

from yunmail.auth.lockout import Lockout, admin_subject, member_subject, operator_subject
from yunmail.auth.principal import Principal
from yunmail.clock import Clock
from yunmail.errors import (
    MemberNotFound,
    SessionInvalid,
    TotpAlreadyEnabled,
    TotpInvalid,
    TotpNotEnabled,
    TotpRequired,
)
from yunmail.security import constant_time_equal, new_token
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import auth_accounts as account_rows
from yunmail.storage.repos import auth_totp as rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

OwnerKind = Literal["member", "admin", "operator"]
ISSUER = "Yunmail"
STEP_SECONDS = 30
DIGITS = 6
_SECRET_BYTES = 20
# Steps either side of the clock's that still count (RFC 6238 §5.2 recommends at most one).
_DRIFT_STEPS = 1


@dataclass(frozen=True, slots=True)
class TotpOwner:
    """Whose secret: a member (with its enterprise), an administrator, or an operator."""

    kind: OwnerKind
    id: int
    enterprise_id: int | None
    login: str

    @property
    def lock_subject(self) -> str:
        if self.kind == "member":
            return member_subject(self.id)
        return admin_subject(self.login) if self.kind == "admin" else operator_subject(self.login)

    @classmethod
    def of(cls, principal: Principal) -> TotpOwner:
        if principal.kind == "member" and principal.member_id is not None:
            return cls("member", principal.member_id, principal.enterprise_id, principal.login)
        if principal.kind == "admin" and principal.admin_id is not None:
            return cls("admin", principal.admin_id, principal.enterprise_id, principal.login)
        if principal.kind == "operator" and principal.operator_id is not None:
            return cls("operator", principal.operator_id, None, principal.login)
        raise SessionInvalid()


@dataclass(frozen=True, slots=True)
class TotpEnrollment:
    """A secret not yet active: show ``otpauth_uri`` as a QR code and ``secret`` for typing in."""

    secret: str
    otpauth_uri: str


def new_secret() -> str:
    raw = base64.urlsafe_b64decode(new_token(_SECRET_BYTES) + "=")
    return base64.b32encode(raw).decode("ascii")


def code_at(secret: str, moment: dt.datetime) -> str:
    """The code an authenticator app shows at ``moment`` (tests and tools use it too)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(moment)


def _valid_secret(secret: str) -> str | None:
    text = "".join(secret.split()).upper()
    if not 16 <= len(text) <= 64:
        return None
    try:
        base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
    return text


def _matching_step(secret: str, code: str | None, now: dt.datetime) -> int | None:
    """The time step (near ``now``) whose code equals ``code``, or None."""
    typed = "".join((code or "").split())
    if len(typed) != DIGITS or not typed.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    found = None
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if constant_time_equal(totp.generate_otp(step), typed):  # no early exit
            found = step
    return found


class Totp:
    def __init__(self, db: Database, lockout: Lockout, clock: Clock) -> None:
        self._db = db
        self._lockout = lockout
        self._clock = clock

    async def enabled(self, principal: Principal) -> bool:
        owner = TotpOwner.of(principal)
        async with self._db.read() as conn:
            return await rows.get(conn, owner.kind, owner.id) is not None

    async def begin(self, principal: Principal) -> TotpEnrollment:
        """A fresh secret for the user's app; nothing is stored until ``confirm``."""
        if await self.enabled(principal):
            raise TotpAlreadyEnabled()
        secret = new_secret()
        uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
            name=principal.login, issuer_name=ISSUER
        )
        return TotpEnrollment(secret=secret, otpauth_uri=uri)

    async def confirm(self, principal: Principal, secret: str, code: str) -> None:
        """Turn TOTP on with ``secret`` (from ``begin``) once ``code`` proves the app has it."""
        owner = TotpOwner.of(principal)
        canonical = _valid_secret(secret)
        if canonical is None:
            raise TotpInvalid()
        now = self._clock.now()
        step = _matching_step(canonical, code, now)
        if step is None:
            raise TotpInvalid()
        async with self._db.transaction() as conn:
            if await rows.get(conn, owner.kind, owner.id) is not None:
                raise TotpAlreadyEnabled()
            stored = await rows.insert_secret(
                conn,
                kind=owner.kind,
                owner_id=owner.id,
                enterprise_id=owner.enterprise_id,
                secret=canonical,
                last_step=step,  # the confirming code is used up
                created_at=now,
            )
            if not stored:  # a concurrent confirm won, or the account is gone
                raise TotpAlreadyEnabled()
            await self._audit(conn, owner, "totp.enable", now)

    async def disable(self, principal: Principal, code: str) -> None:
        """Turn TOTP off; needs a current code. Wrong codes count towards the account's lockout."""
        owner = TotpOwner.of(principal)
        await self._lockout.check(owner.lock_subject, "")
        async with self._db.read() as conn:
            row = await rows.get(conn, owner.kind, owner.id)
        if row is None:
            raise TotpNotEnabled()
        if not await self._use(row, code):
            await self._lockout.record_failure(owner.lock_subject, "")
            raise TotpInvalid()
        now = self._clock.now()
        async with self._db.transaction() as conn:
            await rows.delete_secret(conn, owner.kind, owner.id)
            await self._audit(conn, owner, "totp.disable", now)
        await self._lockout.record_success(owner.lock_subject)

    async def reset_member(self, enterprise_id: int, member_id: int, *, actor: str) -> bool:
        """An administrator turns a member's TOTP off (lost phone); False when it was not on."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if await account_rows.account(conn, enterprise_id, member_id) is None:
                raise MemberNotFound()
            removed = await rows.delete_secret(conn, "member", member_id)
            if removed:
                await audit.record(
                    conn,
                    enterprise_id=enterprise_id,
                    actor=actor,
                    action="totp.reset",
                    target=f"member:{member_id}",
                    at=now,
                )
        return removed

    async def check_login(self, kind: OwnerKind, owner_id: int, code: str | None) -> None:
        """For logins after a correct password: TOTP_REQUIRED / TOTP_INVALID, or nothing to ask."""
        async with self._db.read() as conn:
            row = await rows.get(conn, kind, owner_id)
        if row is None:
            return
        if not (code or "").strip():
            raise TotpRequired()
        if not await self._use(row, code):
            raise TotpInvalid()

    async def _use(self, row: Mapping[str, Any], code: str | None) -> bool:
        step = _matching_step(row["secret"], code, self._clock.now())
        if step is None:
            return False
        async with self._db.transaction() as conn:
            return await rows.use_step(conn, int(row["id"]), step)

    async def _audit(self, conn: AsyncConnection, owner: TotpOwner, action: str, at: dt.datetime) -> None:
        await audit.record(
            conn,
            enterprise_id=owner.enterprise_id,
            actor=f"{owner.kind}:{owner.login}",
            action=action,
            target=f"{owner.kind}:{owner.id}",
            at=at,
        )
