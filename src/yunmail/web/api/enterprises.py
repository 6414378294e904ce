"""REST API v1: the administrator's own enterprise (settings, dissolving) and the operator's enterprise list.

Administrator routes (``/enterprise``) act on the caller's enterprise only. Sending limits may be
lowered, never raised above the platform's limits (the operator's ceiling, ``ENTERPRISE_SETTING_ABOVE
_CEILING``); ``null`` returns a limit to the platform default. Dissolving takes two calls (PRODUCT §2:
an administrator confirms with an SMS/e-mail code): the request checks the enterprise is empty and
sends the service's short-lived confirmation code to the requesting administrator's own mainland
mobile number and e-mail address (never into the response, so a stolen API token or session alone
cannot dissolve); the second call sends the code back.

Operator routes (``/enterprises``) list, create and show any enterprise. Creating one may invite its
first administrator in the same call (the link is sent as from the consoles, ``web.invitations``);
if that invitation is refused, the new (still empty) enterprise is dissolved again so that the call
does all or nothing.
"""

from __future__ import annotations

import math
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from yunmail.auth import Principal
from yunmail.directory import Administrator, DissolveConfirmation, is_sms_phone
from yunmail.errors import (
    AdministratorNameInvalid,
    ContactEmailInvalid,
    DissolveConfirmationInvalid,
    DissolveConfirmationRequired,
    DissolveConfirmationUndeliverable,
    EnterpriseImmutable,
    EnterpriseNameInvalid,
    EnterpriseNotEmpty,
    EnterpriseNotFound,
    EnterpriseSettingAboveCeiling,
    EnterpriseSettingInvalid,
    InvalidInput,
    InvitationEmailRequired,
    InvitationValidityInvalid,
    OrgIdInvalid,
    OrgIdTaken,
    PhoneInvalid,
    PortalForbidden,
    YunmailError,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params
from yunmail.web.api.schemas_org import (
    AUTH_RESPONSES,
    AdminPrincipal,
    DissolveIn,
    DissolveRequestOut,
    EnterpriseCreate,
    EnterpriseCreatedOut,
    EnterpriseOut,
    EnterpriseSummaryOut,
    IdentityPatch,
    IdPath,
    InvitationOut,
    IssuedInvitationOut,
    OperatorPrincipal,
    SettingsPatch,
    doc,
)
from yunmail.web.invitations import try_send_invitation

# Admin-editable limit -> the platform default (SendingLimits field) that caps it.
_CEILING_FIELDS = {
    "daily_send_limit": "daily_limit",
    "burst_send_limit": "burst_limit",
    "max_recipients": "max_recipients",
    "shared_daily_send_limit": "shared_daily_limit",
}
_DISSOLVE_SMS = (
    "【云邮】您正在解散企业「{name}」，确认码 {code}，{minutes} 分钟内有效。解散将删除全部数据且无法恢复，"
    "如非本人操作请勿泄露并立即修改密码。\n"
    "[Yunmail] Confirmation code: {code} to dissolve {name}, valid {minutes} minutes. Dissolving "
    "deletes all data for good; if this was not you, do not share it and change your password."
)
_DISSOLVE_SUBJECT = "确认解散「{name}」 / Confirm dissolving {name}"
_DISSOLVE_BODY = (
    "{admin}，您好：\n\n您（{login}）申请解散企业「{name}」（企业标识 {org_id}）。解散将删除该企业的"
    "全部数据，包括所有邮件，且无法恢复。\n\n确认码：{code}\n\n确认码 {minutes} 分钟内有效。如非本人操作，"
    "请勿泄露确认码，并立即修改密码。\n\n----\n\n"
    "Hello {admin},\n\nYou ({login}) asked to dissolve {name} (organisation identifier {org_id}). "
    "Dissolving deletes all of its data, mail included, and cannot be undone.\n\n"
    "Confirmation code: {code}\n\nThe code is valid for {minutes} minutes. If this was not you, do not "
    "share it and change your password at once.\n"
)
_INVITE_ERRORS = (
    AdministratorNameInvalid,
    PhoneInvalid,
    ContactEmailInvalid,
    InvitationEmailRequired,
    InvitationValidityInvalid,
)


async def enterprise_out(request: Request, enterprise_id: int) -> EnterpriseOut:
    services = deps.services_of(request)
    enterprise = await services.directory.enterprises.get(enterprise_id)
    open_mailboxes = await services.directory.mailboxes.list_mailboxes(enterprise_id, status="open")
    policy = services.mailflow.policy
    return EnterpriseOut.of(
        enterprise,
        now=services.clock.now(),
        seats_used=len(open_mailboxes),
        limits=policy.limits_for(enterprise.settings),
        ceilings=policy.defaults,
    )


def _admin_routes(r: APIRouter) -> None:
    @r.get(
        "/enterprise",
        response_model=EnterpriseOut,
        **doc(
            "Show the enterprise",
            "The caller's enterprise: identity, subscription (trial, seats) and settings in force.",
        ),
    )
    async def show(request: Request, principal: AdminPrincipal) -> EnterpriseOut:
        return await enterprise_out(request, deps.enterprise_scope(principal))

    @r.patch(
        "/enterprise",
        response_model=EnterpriseOut,
        **doc(
            "Change the enterprise's name or identifier (refused)",
            "Name and organisation identifier never change after creation (dissolve and re-create "
            "instead); restating the current values is accepted and changes nothing.",
            EnterpriseImmutable,
        ),
    )
    async def change_identity(
        request: Request, body: IdentityPatch, principal: AdminPrincipal
    ) -> EnterpriseOut:
        enterprise_id = deps.enterprise_scope(principal)
        await deps.services_of(request).directory.enterprises.change_identity(
            enterprise_id, deps.actor_of(principal, request), name=body.name, org_id=body.org_id
        )
        return await enterprise_out(request, enterprise_id)

    @r.patch(
        "/enterprise/settings",
        response_model=EnterpriseOut,
        **doc(
            "Change enterprise settings",
            "Sending limits (at most the platform's limits; `null` = the platform default) and whether "
            "mail programs must use client passwords. Name and organisation identifier never change.",
            EnterpriseSettingAboveCeiling,
            EnterpriseSettingInvalid,
            InvalidInput,
        ),
    )
    async def update_settings(
        request: Request, body: SettingsPatch, principal: AdminPrincipal
    ) -> EnterpriseOut:
        services = deps.services_of(request)
        ceilings = services.mailflow.policy.defaults
        changes = {key: getattr(body, key) for key in body.model_fields_set}
        for key, field in _CEILING_FIELDS.items():
            value, ceiling = changes.get(key), getattr(ceilings, field)
            if isinstance(value, int) and value > ceiling:
                raise EnterpriseSettingAboveCeiling(key=key, ceiling=ceiling)
        if changes.get("require_client_passwords") is False:
            changes["require_client_passwords"] = None  # the default: no need to store it
        enterprise_id = deps.enterprise_scope(principal)
        if changes:
            await services.directory.enterprises.update_settings(
                enterprise_id, changes, deps.actor_of(principal, request)
            )
        return await enterprise_out(request, enterprise_id)

    @r.post(
        "/enterprise/dissolve-request",
        response_model=DissolveRequestOut,
        **doc(
            "Ask to dissolve the enterprise",
            "First step: checks that no departments and no members are left and sends a confirmation "
            "code, valid for 10 minutes, to the calling administrator's mainland mobile number (SMS) "
            "and e-mail address; send it to `POST /enterprise/dissolve`. Asking again replaces the code.",
            EnterpriseNotEmpty,
            DissolveConfirmationUndeliverable,
        ),
    )
    async def request_dissolve(request: Request, principal: AdminPrincipal) -> DissolveRequestOut:
        services = deps.services_of(request)
        enterprise_id = deps.enterprise_scope(principal)
        admin = await _administrator(request, principal)
        channels: list[Literal["sms", "email"]] = []
        if admin.phone and is_sms_phone(admin.phone):
            channels.append("sms")
        if admin.email:
            channels.append("email")
        if not channels:  # checked first: a code nobody receives would only block a later request
            raise DissolveConfirmationUndeliverable()
        confirmation = await services.directory.enterprises.request_dissolve(
            enterprise_id, deps.actor_of(principal, request)
        )
        await _send_dissolve_code(request, enterprise_id, admin, confirmation)
        return DissolveRequestOut(channels=channels, expires_at=confirmation.expires_at)

    @r.post(
        "/enterprise/dissolve",
        status_code=204,
        response_class=Response,
        **doc(
            "Dissolve the enterprise",
            "Second step, with the code sent by the first: deletes the enterprise and all its data, "
            "mail included. Cannot be undone.",
            EnterpriseNotEmpty,
            DissolveConfirmationRequired,
            DissolveConfirmationInvalid,
        ),
    )
    async def dissolve(request: Request, body: DissolveIn, principal: AdminPrincipal) -> Response:
        await deps.services_of(request).directory.enterprises.dissolve(
            deps.enterprise_scope(principal),
            (body.code or "").strip() or None,
            deps.actor_of(principal, request),
        )
        return Response(status_code=204)


async def _administrator(request: Request, principal: Principal) -> Administrator:
    """The calling administrator (console session or API token), for its own phone and e-mail."""
    if principal.admin_id is None:
        raise PortalForbidden()
    return await deps.services_of(request).directory.administrators.get(
        deps.enterprise_scope(principal), principal.admin_id
    )


async def _send_dissolve_code(
    request: Request, enterprise_id: int, admin: Administrator, confirmation: DissolveConfirmation
) -> None:
    """Chinese and English in one message: the console language is not known to the sender."""
    services = deps.services_of(request)
    enterprise = await services.directory.enterprises.get(enterprise_id)
    seconds = (confirmation.expires_at - services.clock.now()).total_seconds()
    values = {
        "admin": admin.name,
        "login": admin.login,
        "name": enterprise.name,
        "org_id": enterprise.org_id,
        "code": confirmation.token,
        "minutes": max(1, math.ceil(seconds / 60)),
    }
    if admin.phone and is_sms_phone(admin.phone):
        await services.auth.sms.send_sms(admin.phone, _DISSOLVE_SMS.format(**values))
    if admin.email:
        await services.auth.email.send_email(
            admin.email, _DISSOLVE_SUBJECT.format(**values), _DISSOLVE_BODY.format(**values)
        )


def _operator_routes(r: APIRouter) -> None:
    @r.get(
        "/enterprises",
        response_model=Page[EnterpriseSummaryOut],
        **doc("List enterprises (operator)", "Name or organisation identifier contains `q`.", InvalidInput),
    )
    async def search(
        request: Request,
        principal: OperatorPrincipal,
        q: str | None = Query(None, max_length=100, description="Search text"),
        page: PageParams = Depends(page_params),
    ) -> Page[EnterpriseSummaryOut]:
        found = await deps.services_of(request).directory.enterprises.search(
            q, offset=page.offset, limit=page.limit
        )
        return Page[EnterpriseSummaryOut](
            items=[EnterpriseSummaryOut.of(e) for e in found.items],
            total=found.total,
            offset=page.offset,
            limit=page.limit,
        )

    @r.post(
        "/enterprises",
        status_code=201,
        response_model=EnterpriseCreatedOut,
        **doc(
            "Create an enterprise (operator)",
            "A usable enterprise at once, on trial. With `administrator`, also invites its first "
            "administrator and sends the acceptance link by e-mail (and SMS to a mainland mobile "
            "number); if the invitation is refused, nothing is created.",
            EnterpriseNameInvalid,
            OrgIdInvalid,
            OrgIdTaken,
            *_INVITE_ERRORS,
        ),
    )
    async def create(
        request: Request, body: EnterpriseCreate, principal: OperatorPrincipal
    ) -> EnterpriseCreatedOut:
        services = deps.services_of(request)
        actor = deps.actor_of(principal, request)
        enterprises = services.directory.enterprises
        enterprise = await enterprises.create(body.name, body.org_id, actor)
        invitation = None
        if body.administrator is not None:
            invite = body.administrator
            try:
                issued = await services.directory.invitations.invite(
                    enterprise.id,
                    invite.name,
                    invite.phone,
                    invite.email,
                    actor,
                    validity_days=invite.valid_days,
                )
            except YunmailError:
                # All or nothing: the enterprise is still empty, so it can be dissolved at once.
                confirmation = await enterprises.request_dissolve(enterprise.id, actor)
                await enterprises.dissolve(enterprise.id, confirmation.token, actor)
                raise
            invitation = IssuedInvitationOut(
                invitation=InvitationOut.of(issued.invitation),
                sent=await try_send_invitation(request, issued),
            )
        return EnterpriseCreatedOut(enterprise=EnterpriseSummaryOut.of(enterprise), invitation=invitation)

    @r.patch(
        "/enterprises/{enterprise_id}",
        response_model=EnterpriseOut,
        **doc(
            "Change an enterprise's name or identifier (operator; refused)",
            "Name and organisation identifier never change after creation; restating the current "
            "values is accepted and changes nothing.",
            EnterpriseNotFound,
            EnterpriseImmutable,
        ),
    )
    async def change_any_identity(
        request: Request, enterprise_id: IdPath, body: IdentityPatch, principal: OperatorPrincipal
    ) -> EnterpriseOut:
        await deps.services_of(request).directory.enterprises.change_identity(
            enterprise_id, deps.actor_of(principal, request), name=body.name, org_id=body.org_id
        )
        return await enterprise_out(request, enterprise_id)

    @r.get(
        "/enterprises/{enterprise_id}",
        response_model=EnterpriseOut,
        **doc("Show an enterprise (operator)", "Identity, subscription and settings.", EnterpriseNotFound),
    )
    async def show_any(
        request: Request, enterprise_id: IdPath, principal: OperatorPrincipal
    ) -> EnterpriseOut:
        return await enterprise_out(request, enterprise_id)


def router() -> APIRouter:
    r = APIRouter(tags=["enterprises"], responses=AUTH_RESPONSES)
    _admin_routes(r)
    _operator_routes(r)
    return r
