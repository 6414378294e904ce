"""REST API tokens of enterprise administrators: create (shown once), list, revoke, validate.

Invariants:

* A token is ``ymt_`` + 256 random bits (URL-safe); the prefix lets secret scanners and people
  recognise it. Only its SHA-256 is stored (like sessions): it is long and random, so a fast hash
  cannot be brute-forced and every API request stays cheap.
* A token acts as the administrator who made it, in that administrator's enterprise, without the
  second factor (scripts cannot type codes). Each request re-reads the administrator: a disabled
  administrator (LOGIN_ACCOUNT_DISABLED) or a suspended enterprise (ENTERPRISE_SUSPENDED) is refused
  at once; removing the administrator deletes its tokens (foreign-key cascade).
* An administrator holds at most ``max_api_tokens`` active tokens; revoked ones stay listed (with
  their revocation time) for the record. Another administrator's or enterprise's token id behaves
  as unknown (API_TOKEN_NOT_FOUND).
* "Last used" (time and address) is written at most every ``session_touch_seconds`` per token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yunmail.auth.limits import AuthLimits
from yunmail.auth.principal import Principal
from yunmail.clock import Clock
from yunmail.errors import (
    AdministratorNotFound,
    ApiTokenInvalid,
    ApiTokenLabelInvalid,
    ApiTokenLimitReached,
    ApiTokenNotFound,
    EnterpriseSuspended,
    LoginAccountDisabled,
)
from yunmail.security import hash_token, new_token
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import auth_admins as admin_rows
from yunmail.storage.repos import auth_api_tokens as rows

PREFIX = "ymt_"
_MAX_SECRET = 200  # anything longer is not one of ours; do not even hash it


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token as its administrator sees it in the console: never the secret."""

    id: int
    label: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_ip: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ApiToken:
        return cls(
            id=int(row["id"]),
            label=row["label"],
            created_at=row["created_at"],
            last_used_at=row["last_used_at"],
            revoked_at=row["revoked_at"],
            last_used_ip=row["last_used_ip"],
        )


class ApiTokens:
    def __init__(self, db: Database, clock: Clock, limits: AuthLimits | None = None) -> None:
        self._db = db
        self._clock = clock
        self._limits = limits or AuthLimits()

    async def create(
        self, enterprise_id: int, admin_id: int, label: str, *, actor: str | None = None
    ) -> tuple[ApiToken, str]:
        """A new token and its secret, which is shown once and never stored.

        API_TOKEN_LABEL_INVALID (1-64 characters), API_TOKEN_LIMIT_REACHED, ADMINISTRATOR_NOT_FOUND
        (no such administrator in this enterprise).
        """
        label = " ".join(label.split())
        if not 1 <= len(label) <= 64:
            raise ApiTokenLabelInvalid()
        secret = PREFIX + new_token(32)
        now = self._clock.now()
        limit = self._limits.max_api_tokens
        async with self._db.transaction() as conn:
            admin = await admin_rows.admin_state(conn, admin_id)
            if admin is None or admin["enterprise_id"] != enterprise_id:
                raise AdministratorNotFound()
            if await rows.count_active(conn, enterprise_id, admin_id) >= limit:
                raise ApiTokenLimitReached(limit=limit)
            token_id = await rows.insert_token(
                conn,
                enterprise_id=enterprise_id,
                admin_id=admin_id,
                label=label,
                token_hash=hash_token(secret),
                created_at=now,
            )
            await audit.record(
                conn,
                enterprise_id=enterprise_id,
                actor=actor or f"admin:{admin['login']}",
                action="api_token.create",
                target=f"admin:{admin['login']}",
                detail={"id": token_id, "label": label},
                at=now,
            )
            row = await rows.get(conn, enterprise_id, admin_id, token_id)
        assert row is not None
        return ApiToken.from_row(row), secret

    async def list(self, enterprise_id: int, admin_id: int) -> tuple[ApiToken, ...]:
        """The administrator's tokens, newest first; revoked ones included (``revoked_at`` set)."""
        async with self._db.read() as conn:
            found = await rows.list_for_admin(conn, enterprise_id, admin_id)
        return tuple(ApiToken.from_row(r) for r in found)

    async def revoke(
        self, enterprise_id: int, admin_id: int, token_id: int, *, actor: str | None = None
    ) -> None:
        """Revoke at once (idempotent); API_TOKEN_NOT_FOUND for another administrator's id."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            row = await rows.get(conn, enterprise_id, admin_id, token_id)
            if row is None:
                raise ApiTokenNotFound()
            if row["revoked_at"] is not None:
                return
            await rows.revoke(conn, enterprise_id, admin_id, token_id, now)
            await audit.record(
                conn,
                enterprise_id=enterprise_id,
                actor=actor or f"admin:{admin_id}",
                action="api_token.revoke",
                target=f"admin:{admin_id}",
                detail={"id": token_id, "label": row["label"]},
                at=now,
            )

    async def validate(self, secret: str, *, remote_ip: str) -> Principal:
        """The administrator a request's bearer token stands for; records its use now and then.

        API_TOKEN_INVALID (unknown, revoked, administrator removed or enterprise dissolving),
        LOGIN_ACCOUNT_DISABLED (administrator disabled), ENTERPRISE_SUSPENDED.
        """
        secret = secret.strip()
        if not secret.startswith(PREFIX) or len(secret) > _MAX_SECRET:
            raise ApiTokenInvalid()
        now = self._clock.now()
        async with self._db.read() as conn:
            row = await rows.get_by_hash(conn, hash_token(secret))
            admin = await admin_rows.admin_state(conn, int(row["admin_id"])) if row is not None else None
        if row is None or row["revoked_at"] is not None or admin is None:
            raise ApiTokenInvalid()
        if admin["enterprise_status"] == "dissolving":
            raise ApiTokenInvalid()
        if admin["status"] != "active":
            raise LoginAccountDisabled()
        if admin["enterprise_status"] != "active":
            raise EnterpriseSuspended()
        fresh = dt.timedelta(seconds=self._limits.session_touch_seconds)
        last = row["last_used_at"]
        if last is None or now - last >= fresh or row["last_used_ip"] != (remote_ip or None):
            async with self._db.transaction() as conn:
                await rows.record_use(conn, int(row["id"]), at=now, remote_ip=remote_ip or None)
        return Principal(
            kind="admin",
            login=admin["login"],
            enterprise_id=int(admin["enterprise_id"]),
            admin_id=int(admin["id"]),
        )
