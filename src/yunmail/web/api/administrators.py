"""REST API v1: the enterprise's administrators, administrator invitations, and accepting one.

Real admin rights come from this list (a member's role label grants none). The last active
administrator cannot be disabled or removed (``LAST_ADMINISTRATOR``). An invitation names the invitee
(e-mail required: it becomes the default login) and is valid 1-30 days; its link goes to the invitee
by e-mail and SMS (``web.invitations``, as from the consoles) and never to the inviter: the response
only says whether it was sent. Expired invitations cannot be accepted: re-invite, which issues and
sends a new link and expiry and stops the old link working.

``POST /invitations/accept`` needs no authentication (the link's token is the proof): the invitee
sets a password, optionally a login, and becomes an administrator.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from yunmail.errors import (
    AdministratorLoginInvalid,
    AdministratorLoginTaken,
    AdministratorNameInvalid,
    AdministratorNotFound,
    ContactEmailInvalid,
    InvalidInput,
    InvitationAlreadyAccepted,
    InvitationEmailRequired,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    InvitationValidityInvalid,
    LastAdministrator,
    PasswordTooLong,
    PasswordTooShort,
    PasswordTooWeak,
    PhoneInvalid,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params, paginate
from yunmail.web.api.schemas_org import (
    AUTH_RESPONSES,
    AdministratorEntryOut,
    AdministratorOut,
    AdminPrincipal,
    IdPath,
    InvitationAcceptIn,
    InvitationCreate,
    InvitationOut,
    IssuedInvitationOut,
    ReinviteIn,
    doc,
)
from yunmail.web.invitations import try_send_invitation


def router() -> APIRouter:
    r = APIRouter(tags=["administrators"])
    _acceptance_routes(r)  # public: no authentication errors to document
    authenticated = APIRouter(responses=AUTH_RESPONSES)
    _administrator_routes(authenticated)
    _invitation_routes(authenticated)
    r.include_router(authenticated)
    return r


def _administrator_routes(r: APIRouter) -> None:
    @r.get(
        "/administrators",
        response_model=Page[AdministratorEntryOut],
        **doc(
            "List administrators",
            "Administrators (`active`/`disabled`), then invitations not yet accepted (`pending`/"
            "`expired`), newest first.",
            InvalidInput,
        ),
    )
    async def listing(
        request: Request, principal: AdminPrincipal, page: PageParams = Depends(page_params)
    ) -> Page[AdministratorEntryOut]:
        entries = await deps.services_of(request).directory.administrators.list(
            deps.enterprise_scope(principal)
        )
        return paginate([AdministratorEntryOut.of(e) for e in entries], page)

    @r.post(
        "/administrators/{administrator_id}/disable",
        response_model=AdministratorOut,
        **doc(
            "Disable an administrator",
            "The administrator can no longer sign in. The last active administrator stays.",
            AdministratorNotFound,
            LastAdministrator,
        ),
    )
    async def disable(
        request: Request, administrator_id: IdPath, principal: AdminPrincipal
    ) -> AdministratorOut:
        administrator = await deps.services_of(request).directory.administrators.disable(
            deps.enterprise_scope(principal), administrator_id, deps.actor_of(principal, request)
        )
        return AdministratorOut.of(administrator)

    @r.post(
        "/administrators/{administrator_id}/enable",
        response_model=AdministratorOut,
        **doc(
            "Enable an administrator", "Lets a disabled administrator sign in again.", AdministratorNotFound
        ),
    )
    async def enable(
        request: Request, administrator_id: IdPath, principal: AdminPrincipal
    ) -> AdministratorOut:
        administrator = await deps.services_of(request).directory.administrators.enable(
            deps.enterprise_scope(principal), administrator_id, deps.actor_of(principal, request)
        )
        return AdministratorOut.of(administrator)

    @r.delete(
        "/administrators/{administrator_id}",
        status_code=204,
        response_class=Response,
        **doc(
            "Remove an administrator",
            "Deletes the administrator and its console sessions. The last active administrator stays.",
            AdministratorNotFound,
            LastAdministrator,
        ),
    )
    async def remove(request: Request, administrator_id: IdPath, principal: AdminPrincipal) -> Response:
        await deps.services_of(request).directory.administrators.remove(
            deps.enterprise_scope(principal), administrator_id, deps.actor_of(principal, request)
        )
        return Response(status_code=204)


def _invitation_routes(r: APIRouter) -> None:
    @r.get(
        "/invitations",
        response_model=Page[InvitationOut],
        **doc("List invitations", "Newest first; `status` filters.", InvalidInput),
    )
    async def listing(
        request: Request,
        principal: AdminPrincipal,
        status: Literal["pending", "accepted", "expired", "revoked"] | None = Query(None),
        page: PageParams = Depends(page_params),
    ) -> Page[InvitationOut]:
        found = await deps.services_of(request).directory.invitations.list(
            deps.enterprise_scope(principal), status=status
        )
        return paginate([InvitationOut.of(i) for i in found], page)

    @r.post(
        "/invitations",
        status_code=201,
        response_model=IssuedInvitationOut,
        **doc(
            "Invite an administrator",
            "Name, optional phone, e-mail (required) and validity in days (1-30, default 7). The "
            "acceptance link goes to the invitee by e-mail (and SMS to a mainland mobile number), "
            "never into the response; `sent` is false when a sender failed (re-invite later).",
            AdministratorNameInvalid,
            PhoneInvalid,
            ContactEmailInvalid,
            InvitationEmailRequired,
            InvitationValidityInvalid,
        ),
    )
    async def invite(
        request: Request, body: InvitationCreate, principal: AdminPrincipal
    ) -> IssuedInvitationOut:
        issued = await deps.services_of(request).directory.invitations.invite(
            deps.enterprise_scope(principal),
            body.name,
            body.phone,
            body.email,
            deps.actor_of(principal, request),
            validity_days=body.valid_days,
        )
        return IssuedInvitationOut(
            invitation=InvitationOut.of(issued.invitation), sent=await try_send_invitation(request, issued)
        )

    @r.post(
        "/invitations/{invitation_id}/revoke",
        response_model=InvitationOut,
        **doc(
            "Revoke an invitation",
            "The link stops working; revoking twice is harmless. An accepted invitation cannot be revoked.",
            InvitationNotFound,
            InvitationAlreadyAccepted,
        ),
    )
    async def revoke(request: Request, invitation_id: IdPath, principal: AdminPrincipal) -> InvitationOut:
        invitation = await deps.services_of(request).directory.invitations.revoke(
            deps.enterprise_scope(principal), invitation_id, deps.actor_of(principal, request)
        )
        return InvitationOut.of(invitation)

    @r.post(
        "/invitations/{invitation_id}/reinvite",
        response_model=IssuedInvitationOut,
        **doc(
            "Re-issue an invitation",
            "A new link, sent to the invitee like the first, and a new validity for an invitation "
            "not accepted (pending, expired or revoked); the old link stops working.",
            InvitationNotFound,
            InvitationAlreadyAccepted,
            InvitationValidityInvalid,
        ),
    )
    async def reinvite(
        request: Request,
        invitation_id: IdPath,
        principal: AdminPrincipal,
        body: ReinviteIn | None = None,
    ) -> IssuedInvitationOut:
        issued = await deps.services_of(request).directory.invitations.reinvite(
            deps.enterprise_scope(principal),
            invitation_id,
            deps.actor_of(principal, request),
            validity_days=(body or ReinviteIn()).valid_days,
        )
        return IssuedInvitationOut(
            invitation=InvitationOut.of(issued.invitation), sent=await try_send_invitation(request, issued)
        )


def _acceptance_routes(r: APIRouter) -> None:
    @r.post(
        "/invitations/accept",
        status_code=201,
        response_model=AdministratorOut,
        **doc(
            "Accept an invitation (no authentication)",
            "The invitee sends the token from the link, a password and optionally a login (default: "
            "the invitation's e-mail) and becomes an administrator of the inviting enterprise. A link "
            "works once; an expired or revoked one needs a new invitation.",
            InvitationNotFound,
            InvitationExpired,
            InvitationRevoked,
            InvitationAlreadyAccepted,
            AdministratorLoginInvalid,
            AdministratorLoginTaken,
            PasswordTooShort,
            PasswordTooLong,
            PasswordTooWeak,
        ),
    )
    async def accept(request: Request, body: InvitationAcceptIn) -> AdministratorOut:
        administrator = await deps.services_of(request).directory.invitations.accept(
            body.token, body.password, login=(body.login or "").strip() or None
        )
        return AdministratorOut.of(administrator)
