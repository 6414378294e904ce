"""Administrator invitations: invite, list, accept through the link, revoke and re-invite.

Rules decided here (PRODUCT §2):

* An invitation names the invitee (name, optional phone, required e-mail: it becomes the default
  login) and is valid for 1-30 days (default 7). The caller sends the link by SMS and e-mail (the
  auth outbox); this module only returns the token, once. Only ``security.hash_token(token)`` is
  stored, so a leaked database does not leak working links.
* The link path is ``/admin/invite/<token>``.
* Status comes from the clock: ``pending`` until ``expires_at``, then ``expired``; ``accepted`` and
  ``revoked`` are final. Accepting checks, in order: unknown token (INVITATION_NOT_FOUND), already
  accepted, revoked, expired; then the password policy and the login. The acceptance itself is a
  conditional update inside the transaction that creates the administrator, so a link can be used
  once even when two tabs submit it at the same moment.
* Re-inviting gives an invitation that is not accepted a new token and a new expiry (and clears a
  revocation); the old link stops working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from yunmail.directory.administrators import (
    INVITATION_STATUSES,
    AdminContact,
    Administrator,
    Administrators,
    Invitation,
    invitation_status,
    normalise_login,
)
from yunmail.directory.context import DirectoryContext, record, require_enterprise
from yunmail.errors import (
    InvalidInput,
    InvitationAlreadyAccepted,
    InvitationEmailRequired,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    InvitationValidityInvalid,
)
from yunmail.security import check_password_policy, hash_token, new_token
from yunmail.storage.repos import invitations as invitation_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

DEFAULT_VALIDITY_DAYS = 7
MIN_VALIDITY_DAYS = 1
MAX_VALIDITY_DAYS = 30
INVITE_PATH = "/admin/invite/"


def invitation_link_path(token: str) -> str:
    return f"{INVITE_PATH}{token}"


class IssuedInvitation(NamedTuple):
    """A new (or re-issued) invitation and its token, returned once; unpacks as ``(invitation, token)``."""

    invitation: Invitation
    token: str

    @property
    def link_path(self) -> str:
        return invitation_link_path(self.token)


class Invitations:
    def __init__(self, ctx: DirectoryContext, administrators: Administrators) -> None:
        self._ctx = ctx
        self._administrators = administrators

    async def invite(
        self,
        enterprise_id: int,
        name: str,
        phone: str | None,
        email: str | None,
        actor: str,
        *,
        validity_days: int = DEFAULT_VALIDITY_DAYS,
    ) -> IssuedInvitation:
        contact = AdminContact.validated(name, phone, email)
        if contact.email is None:
            raise InvitationEmailRequired()
        validity = _validity(validity_days)
        token = new_token()
        now = self._ctx.now()
        async with self._ctx.db.transaction() as conn:
            await require_enterprise(conn, enterprise_id)
            invitation_id = await invitation_rows.insert_invitation(
                conn,
                enterprise_id=enterprise_id,
                values={
                    "name": contact.name,
                    "phone": contact.phone,
                    "email": contact.email,
                    "token_hash": hash_token(token),
                    "invited_by": actor,
                    "expires_at": now + validity,
                    "created_at": now,
                },
            )
            if invitation_id is None:  # a token-hash collision: never in practice
                raise InvalidInput(detail="could not issue an invitation token; try again")
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "administrator.invite",
                f"invitation:{invitation_id}",
                {"name": contact.name, "email": contact.email, "days": validity.days},
            )
            row = await _require(conn, enterprise_id, invitation_id)
        return IssuedInvitation(Invitation.from_row(row, now), token)

    async def list(self, enterprise_id: int, *, status: str | None = None) -> tuple[Invitation, ...]:
        """Newest first; ``status`` filters by pending / accepted / expired / revoked."""
        if status is not None and status not in INVITATION_STATUSES:
            raise InvalidInput(detail=f"unknown invitation status {status!r}")
        now = self._ctx.now()
        async with self._ctx.db.read() as conn:
            await require_enterprise(conn, enterprise_id)
            rows = await invitation_rows.list_for_enterprise(conn, enterprise_id)
        found = (Invitation.from_row(r, now) for r in rows)
        return tuple(i for i in found if status is None or i.status == status)

    async def get(self, enterprise_id: int, invitation_id: int) -> Invitation:
        async with self._ctx.db.read() as conn:
            row = await _require(conn, enterprise_id, invitation_id)
        return Invitation.from_row(row, self._ctx.now())

    async def find_by_token(self, token: str) -> Invitation:
        """The invitation a link names, if it can still be accepted (for the accept page)."""
        async with self._ctx.db.read() as conn:
            row = await invitation_rows.get_by_token_hash(conn, hash_token(token))
        return _acceptable(row, self._ctx.now())

    async def accept(self, token: str, password: str, *, login: str | None = None) -> Administrator:
        """The invitee sets a password (and optionally a login other than the e-mail) and becomes admin."""
        invitation = await self.find_by_token(token)
        login_key = normalise_login(login if login is not None else invitation.email or "")
        check_password_policy(password)
        password_hash = await self._ctx.hasher.hash(password)  # slow: before the transaction
        token_hash = hash_token(token)
        async with self._ctx.db.transaction() as conn:
            await require_enterprise(conn, invitation.enterprise_id)
            administrator = await self._administrators.create_in(
                conn,
                invitation.enterprise_id,
                AdminContact(invitation.name, invitation.phone, invitation.email),
                login_key,
                password_hash,
                f"invitee:{login_key}",
                "administrator.accept",
            )
            accepted = await invitation_rows.mark_accepted(
                conn,
                invitation_id=invitation.id,
                token_hash=token_hash,
                administrator_id=administrator.id,
                now=self._ctx.now(),
            )
            if not accepted:  # changed since we looked: raising rolls the new administrator back
                row = await invitation_rows.get_by_token_hash(conn, token_hash)
                _acceptable(row, self._ctx.now())
                raise InvitationNotFound()
        return administrator

    async def revoke(self, enterprise_id: int, invitation_id: int, actor: str) -> Invitation:
        """Withdraw an invitation not yet accepted; revoking twice is harmless."""
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, invitation_id)
            if row["accepted_at"] is not None:
                raise InvitationAlreadyAccepted()
            if row["revoked_at"] is None:
                await invitation_rows.update_values(
                    conn, enterprise_id, invitation_id, {"revoked_at": self._ctx.now()}
                )
                await record(
                    self._ctx,
                    conn,
                    enterprise_id,
                    actor,
                    "administrator.revoke",
                    f"invitation:{invitation_id}",
                )
            row = await _require(conn, enterprise_id, invitation_id)
        return Invitation.from_row(row, self._ctx.now())

    async def reinvite(
        self,
        enterprise_id: int,
        invitation_id: int,
        actor: str,
        *,
        validity_days: int = DEFAULT_VALIDITY_DAYS,
    ) -> IssuedInvitation:
        """A new token and a new expiry for an invitation not accepted; the old link stops working."""
        validity = _validity(validity_days)
        token = new_token()
        now = self._ctx.now()
        async with self._ctx.db.transaction() as conn:
            row = await _require(conn, enterprise_id, invitation_id)
            if row["accepted_at"] is not None:
                raise InvitationAlreadyAccepted()
            await invitation_rows.update_values(
                conn,
                enterprise_id,
                invitation_id,
                {
                    "token_hash": hash_token(token),
                    "expires_at": now + validity,
                    "revoked_at": None,
                    "invited_by": actor,
                },
            )
            await record(
                self._ctx,
                conn,
                enterprise_id,
                actor,
                "administrator.reinvite",
                f"invitation:{invitation_id}",
                {"days": validity.days},
            )
            row = await _require(conn, enterprise_id, invitation_id)
        return IssuedInvitation(Invitation.from_row(row, now), token)


def _validity(days: int) -> dt.timedelta:
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not (MIN_VALIDITY_DAYS <= days <= MAX_VALIDITY_DAYS)
    ):
        raise InvitationValidityInvalid(minimum=MIN_VALIDITY_DAYS, maximum=MAX_VALIDITY_DAYS)
    return dt.timedelta(days=days)


def _acceptable(row: Mapping[str, Any] | None, now: dt.datetime) -> Invitation:
    if row is None:
        raise InvitationNotFound()
    status = invitation_status(row, now)
    if status == "accepted":
        raise InvitationAlreadyAccepted()
    if status == "revoked":
        raise InvitationRevoked()
    if status == "expired":
        raise InvitationExpired()
    return Invitation.from_row(row, now)


async def _require(conn: AsyncConnection, enterprise_id: int, invitation_id: int) -> Mapping[str, Any]:
    row = await invitation_rows.get(conn, enterprise_id, invitation_id)
    if row is None:
        raise InvitationNotFound()
    return row
