"""Enterprises (tenants): creation, lookup, settings and seats, and dissolving with a second confirmation.

Invariants:

* Name and organisation identifier never change after creation (``EnterpriseImmutable``).
* A new enterprise starts a trial of ``Settings.limits.trial_days`` days. Its department tree's root
  is the enterprise itself: departments with ``parent_id`` None sit directly under it.
* Dissolving needs an empty organisation (no departments, no members) and a confirmation token from
  ``request_dissolve`` (valid ``DISSOLVE_CONFIRMATION_TTL``; only its hash is stored). It then
  marks the enterprise ``dissolving`` (from then on it behaves as missing), purges every mailbox's
  mail through the mail store, and deletes all rows. A crash part-way leaves it ``dissolving``;
  calling ``dissolve`` again (no token needed once confirmed) finishes the job.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from yunmail.directory.context import DirectoryContext, record, require_enterprise
from yunmail.directory.model import (
    DissolveConfirmation,
    Enterprise,
    Page,
    normalise_org_id,
    validate_enterprise_name,
)
from yunmail.errors import (
    DissolveConfirmationInvalid,
    DissolveConfirmationRequired,
    EnterpriseImmutable,
    EnterpriseNotEmpty,
    EnterpriseNotFound,
    EnterpriseSettingInvalid,
    OrgIdTaken,
    SeatsInvalid,
)
from yunmail.security import constant_time_equal, hash_token, new_token
from yunmail.storage.repos import audit
from yunmail.storage.repos import enterprises as enterprise_rows
from yunmail.storage.repos import mailboxes as mailbox_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

DISSOLVE_CONFIRMATION_TTL = dt.timedelta(minutes=10)

# Settings other services read; each must be a positive whole number. Other keys may hold any JSON
# scalar (they belong to services that validate them).
NUMERIC_SETTINGS = frozenset(
    {
        "daily_send_limit",
        "burst_send_limit",
        "max_recipients",
        "shared_daily_send_limit",
        "outbound_daily_ceiling",
        "message_size_bytes",
    }
)
_MAX_SETTING_KEY = 64


def _max_page(limit: int) -> int:
    return max(1, min(limit, 500))


class Enterprises:
    def __init__(self, ctx: DirectoryContext) -> None:
        self._ctx = ctx

    async def create(self, name: str, org_id: str, actor: str) -> Enterprise:
        """A usable enterprise at once, on trial; OrgIdTaken when the identifier is used."""
        name = validate_enterprise_name(name)
        org_id = normalise_org_id(org_id)
        now = self._ctx.now()
        trial_ends_at = now + dt.timedelta(days=self._ctx.settings.limits.trial_days)
        async with self._ctx.db.transaction() as conn:
            if await enterprise_rows.get_by_org_id(conn, org_id) is not None:
                raise OrgIdTaken(org_id=org_id)
            enterprise_id = await enterprise_rows.insert_enterprise(
                conn, name=name, org_id=org_id, settings={}, trial_ends_at=trial_ends_at, created_at=now
            )
            if enterprise_id is None:
                raise OrgIdTaken(org_id=org_id)
            await record(self._ctx, conn, enterprise_id, actor, "enterprise.create", org_id, {"name": name})
            row = await require_enterprise(conn, enterprise_id)
        return Enterprise.from_row(row)

    async def get(self, enterprise_id: int) -> Enterprise:
        async with self._ctx.db.read() as conn:
            row = await require_enterprise(conn, enterprise_id)
        return Enterprise.from_row(row)

    async def get_by_org_id(self, org_id: str) -> Enterprise:
        """Lookup by organisation identifier, any case (login ``account@org``)."""
        async with self._ctx.db.read() as conn:
            row = await enterprise_rows.get_by_org_id(conn, org_id.strip().lower())
        if row is None or row["status"] == "dissolving":
            raise EnterpriseNotFound()
        return Enterprise.from_row(row)

    async def search(self, term: str | None = None, *, offset: int = 0, limit: int = 50) -> Page[Enterprise]:
        """Operator listing: name or organisation identifier contains ``term``."""
        offset, limit = max(0, offset), _max_page(limit)
        async with self._ctx.db.read() as conn:
            rows, total = await enterprise_rows.search(conn, term=term, offset=offset, limit=limit)
        return Page(tuple(Enterprise.from_row(r) for r in rows), total, offset, limit)

    async def change_identity(
        self, enterprise_id: int, actor: str, *, name: str | None = None, org_id: str | None = None
    ) -> Enterprise:
        """Name and org id are immutable: any different value is refused (the same value is a no-op)."""
        enterprise = await self.get(enterprise_id)
        if (name is not None and name.strip() != enterprise.name) or (
            org_id is not None and org_id.strip().lower() != enterprise.org_id
        ):
            raise EnterpriseImmutable()
        return enterprise

    async def settings(self, enterprise_id: int) -> Mapping[str, Any]:
        return (await self.get(enterprise_id)).settings

    async def update_settings(self, enterprise_id: int, changes: Mapping[str, Any], actor: str) -> Enterprise:
        """Merge ``changes`` into the settings; a None value removes the key."""
        for key, value in changes.items():
            _check_setting(key, value)
        async with self._ctx.db.transaction() as conn:
            row = await require_enterprise(conn, enterprise_id, for_update=True)
            merged = dict(row["settings"] or {})
            for key, value in changes.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            await enterprise_rows.update_values(conn, enterprise_id, {"settings": merged})
            await record(self._ctx, conn, enterprise_id, actor, "enterprise.settings", row["org_id"], changes)
            row = await require_enterprise(conn, enterprise_id)
        return Enterprise.from_row(row)

    async def set_seats(self, enterprise_id: int, seats: int | None, actor: str) -> Enterprise:
        """Mailbox seats of the subscription; None = unlimited. Already-open mailboxes stay open."""
        if seats is not None and (isinstance(seats, bool) or not isinstance(seats, int) or seats < 0):
            raise SeatsInvalid()
        async with self._ctx.db.transaction() as conn:
            row = await require_enterprise(conn, enterprise_id, for_update=True)
            await enterprise_rows.update_values(conn, enterprise_id, {"seats": seats})
            await record(
                self._ctx, conn, enterprise_id, actor, "enterprise.seats", row["org_id"], {"seats": seats}
            )
            row = await require_enterprise(conn, enterprise_id)
        return Enterprise.from_row(row)

    async def request_dissolve(self, enterprise_id: int, actor: str) -> DissolveConfirmation:
        """First step: check the enterprise is empty and issue a short-lived confirmation token."""
        token = new_token(16)
        expires_at = self._ctx.now() + DISSOLVE_CONFIRMATION_TTL
        async with self._ctx.db.transaction() as conn:
            row = await require_enterprise(conn, enterprise_id, for_update=True)
            await _refuse_unless_empty(conn, enterprise_id)
            await enterprise_rows.update_values(
                conn,
                enterprise_id,
                {"dissolve_token_hash": hash_token(token), "dissolve_expires_at": expires_at},
            )
            await record(
                self._ctx, conn, enterprise_id, actor, "enterprise.dissolve_requested", row["org_id"]
            )
        return DissolveConfirmation(token=token, expires_at=expires_at)

    async def dissolve(self, enterprise_id: int, token: str | None, actor: str) -> None:
        """Second step: delete the enterprise and all its data, mail included."""
        async with self._ctx.db.transaction() as conn:
            row = await enterprise_rows.get(conn, enterprise_id, for_update=True)
            if row is None:
                raise EnterpriseNotFound()
            if row["status"] != "dissolving":
                await _refuse_unless_empty(conn, enterprise_id)
                self._check_confirmation(row, token)
                await enterprise_rows.update_values(
                    conn,
                    enterprise_id,
                    {"status": "dissolving", "dissolve_token_hash": None, "dissolve_expires_at": None},
                )
            org_id, name = row["org_id"], row["name"]
        async with self._ctx.db.read() as conn:
            mailbox_ids = await mailbox_rows.ids_of_enterprise(conn, enterprise_id)
        # Mail first: if we stop half-way, the rows still say which mailboxes remain to purge.
        for mailbox_id in mailbox_ids:
            await self._ctx.storage.purge_mailbox(mailbox_id)
        async with self._ctx.db.transaction() as conn:
            await audit.delete_for_enterprise(conn, enterprise_id)
            await enterprise_rows.delete_everything(conn, enterprise_id)
            await audit.record(
                conn,
                enterprise_id=None,
                actor=actor,
                action="enterprise.dissolve",
                target=org_id,
                detail={"enterprise_id": enterprise_id, "name": name, "mailboxes": len(mailbox_ids)},
                at=self._ctx.now(),
            )

    def _check_confirmation(self, row: Mapping[str, Any], token: str | None) -> None:
        if not token:
            raise DissolveConfirmationRequired()
        stored, expires_at = row["dissolve_token_hash"], row["dissolve_expires_at"]
        if stored is None or expires_at is None or self._ctx.now() >= expires_at:
            raise DissolveConfirmationInvalid()
        if not constant_time_equal(hash_token(token), stored):
            raise DissolveConfirmationInvalid()


async def _refuse_unless_empty(conn: AsyncConnection, enterprise_id: int) -> None:
    departments, members = await enterprise_rows.content_counts(conn, enterprise_id)
    if departments or members:
        raise EnterpriseNotEmpty(departments=departments, members=members)


def _check_setting(key: str, value: Any) -> None:
    if not isinstance(key, str) or not 0 < len(key) <= _MAX_SETTING_KEY:
        raise EnterpriseSettingInvalid(key=str(key))
    if value is None:
        return
    if key in NUMERIC_SETTINGS:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise EnterpriseSettingInvalid(key=key)
        return
    if not isinstance(value, str | int | float | bool):
        raise EnterpriseSettingInvalid(key=key)
    try:
        json.dumps(value, allow_nan=False)
    except ValueError as exc:
        raise EnterpriseSettingInvalid(key=key) from exc
