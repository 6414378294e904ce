"""Client-specific passwords for IMAP, POP3 and SMTP: create (shown once), list, revoke, match at login.

Invariants:

* A client password is 16 symbols from ``ALPHABET`` (no ``0 o 1 l i``), shown once grouped as
  ``xxxx-xxxx-xxxx-xxxx``. Input is normalised (dashes and spaces dropped, lower-cased) before
  hashing, so ``XXXX XXXX ...`` typed from a phone works.
* Only SHA-256 of the normalised secret is stored. That is deliberate: the secret is ~79 random bits,
  beyond brute force even with a fast hash, and mail clients log in often (Thunderbird opens several
  IMAP connections), so argon2id's cost would buy nothing here. Matching compares every active hash
  of the member in constant time.
* Client passwords are never accepted for web logins (``Authenticator`` enforces it); a revoked one
  stops working for the next login at once (every login reads the active rows).
* "Last used" (time and protocol) is written at most every ``client_password_touch_seconds`` per
  password, or when the protocol changes: no write on most logins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yunmail.auth.limits import AuthLimits
from yunmail.clock import Clock
from yunmail.directory import Directory
from yunmail.errors import ClientPasswordLabelInvalid, ClientPasswordLimitReached, ClientPasswordNotFound
from yunmail.security import constant_time_equal, hash_token, new_token
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import auth_client_passwords as rows

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 16
_GROUP = 4
# new_token() yields base64url text (64 symbols). Indices below 62 = 2 x 31 map evenly onto ALPHABET;
# the two above are skipped, so every symbol is equally likely.
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_USABLE = 2 * len(ALPHABET)


def generate() -> str:
    """A new client password, grouped for display (``abcd-efgh-jkmn-pqrs``)."""
    symbols: list[str] = []
    while len(symbols) < LENGTH:
        for char in new_token(32):
            index = _B64URL.index(char)
            if index < _USABLE:
                symbols.append(ALPHABET[index % len(ALPHABET)])
                if len(symbols) == LENGTH:
                    break
    raw = "".join(symbols)
    return "-".join(raw[i : i + _GROUP] for i in range(0, LENGTH, _GROUP))


def normalise(secret: str) -> str | None:
    """The canonical form of something typed as a client password, or None if it cannot be one."""
    compact = "".join(secret.split()).replace("-", "").lower()
    if len(compact) != LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return compact


@dataclass(frozen=True, slots=True)
class ClientPassword:
    """A client password as a member sees it in settings: never the secret."""

    id: int
    enterprise_id: int
    member_id: int
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    last_used_protocol: str | None
    revoked_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ClientPassword:
        return cls(
            id=int(row["id"]),
            enterprise_id=int(row["enterprise_id"]),
            member_id=int(row["member_id"]),
            label=row["label"],
            created_at=row["created_at"],
            last_used_at=row["last_used_at"],
            last_used_protocol=row["last_used_protocol"],
            revoked_at=row["revoked_at"],
        )


@dataclass(frozen=True, slots=True)
class ClientPasswordMatch:
    """The client password a login matched, with its last recorded use (to skip a needless write)."""

    id: int
    last_used_at: dt.datetime | None
    last_used_protocol: str | None


class ClientPasswords:
    def __init__(
        self, db: Database, directory: Directory, clock: Clock, limits: AuthLimits | None = None
    ) -> None:
        self._db = db
        self._directory = directory
        self._clock = clock
        self._limits = limits or AuthLimits()

    async def create(
        self, enterprise_id: int, member_id: int, label: str, *, actor: str | None = None
    ) -> tuple[ClientPassword, str]:
        """A new client password and its plaintext, which is shown once and never stored."""
        label = " ".join(label.split())
        if not 1 <= len(label) <= 64:
            raise ClientPasswordLabelInvalid()
        await self._directory.members.get(enterprise_id, member_id)  # MemberNotFound across tenants
        plaintext = generate()
        now = self._clock.now()
        async with self._db.transaction() as conn:
            if await rows.count_active(conn, enterprise_id, member_id) >= self._limits.max_client_passwords:
                raise ClientPasswordLimitReached(limit=self._limits.max_client_passwords)
            new_id = await rows.insert_client_password(
                conn,
                enterprise_id=enterprise_id,
                member_id=member_id,
                label=label,
                secret_hash=_hash(plaintext),
                created_at=now,
            )
            await audit.record(
                conn,
                enterprise_id=enterprise_id,
                actor=actor or f"member:{member_id}",
                action="client_password.create",
                target=f"member:{member_id}",
                detail={"id": new_id, "label": label},
                at=now,
            )
            row = await rows.get(conn, enterprise_id, member_id, new_id)
        assert row is not None
        return ClientPassword.from_row(row), plaintext

    async def list(self, enterprise_id: int, member_id: int) -> tuple[ClientPassword, ...]:
        """The member's active client passwords, newest first."""
        async with self._db.read() as conn:
            found = await rows.list_active(conn, enterprise_id, member_id)
        return tuple(ClientPassword.from_row(r) for r in found)

    async def revoke(
        self, enterprise_id: int, member_id: int, client_password_id: int, *, actor: str | None = None
    ) -> ClientPassword:
        """Revoke at once (idempotent); ClientPasswordNotFound for another member's or tenant's id."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            row = await rows.get(conn, enterprise_id, member_id, client_password_id)
            if row is None:
                raise ClientPasswordNotFound()
            if row["revoked_at"] is None:
                await rows.revoke(conn, enterprise_id, member_id, client_password_id, now)
                await audit.record(
                    conn,
                    enterprise_id=enterprise_id,
                    actor=actor or f"member:{member_id}",
                    action="client_password.revoke",
                    target=f"member:{member_id}",
                    detail={"id": client_password_id, "label": row["label"]},
                    at=now,
                )
                row = await rows.get(conn, enterprise_id, member_id, client_password_id)
        assert row is not None
        return ClientPassword.from_row(row)

    async def is_active(self, enterprise_id: int, member_id: int, client_password_id: int) -> bool:
        """For long-lived sessions (IMAP IDLE): is the password they logged in with still valid?"""
        async with self._db.read() as conn:
            return await rows.is_active(conn, enterprise_id, member_id, client_password_id)

    async def match(self, enterprise_id: int, member_id: int, secret: str) -> ClientPasswordMatch | None:
        """The member's active client password equal to ``secret``, if any."""
        canonical = normalise(secret)
        if canonical is None:
            return None
        wanted = hash_token(canonical)
        async with self._db.read() as conn:
            candidates = await rows.active_hashes(conn, enterprise_id, member_id)
        found = None
        for row in candidates:  # no early exit: time does not depend on which one matched
            if constant_time_equal(row["secret_hash"], wanted):
                found = ClientPasswordMatch(int(row["id"]), row["last_used_at"], row["last_used_protocol"])
        return found

    async def record_use(self, enterprise_id: int, used: ClientPasswordMatch, protocol: str) -> None:
        """Remember when and over which protocol it was last used, unless recorded recently."""
        now = self._clock.now()
        fresh = dt.timedelta(seconds=self._limits.client_password_touch_seconds)
        if (
            used.last_used_at is not None
            and used.last_used_protocol == protocol
            and now - used.last_used_at < fresh
        ):
            return
        async with self._db.transaction() as conn:
            await rows.record_use(conn, enterprise_id, used.id, at=now, protocol=protocol)


def _hash(plaintext: str) -> str:
    canonical = normalise(plaintext)
    assert canonical is not None
    return hash_token(canonical)
