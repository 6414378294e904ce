"""REST API v1: members and their login accounts: search, add, show, edit, disable/enable, delete,
password reset, lockout unlock, and bulk actions.

Rules surface with the directory's own codes: the account is unique and immutable
(``ACCOUNT_TAKEN``, ``ACCOUNT_IMMUTABLE``), phone rules (``PHONE_INVALID``, ``PHONE_TAKEN``), a phone
or contact e-mail is required, the password policy, and a member must be disabled before it is
deleted (``MEMBER_NOT_DISABLED``; its mailbox then goes to the recycle bin). A password reset by an
administrator must be changed at the next login, and it logs the member out everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from yunmail.directory import KEEP, Member, NewMember
from yunmail.errors import (
    AccountImmutable,
    AccountInvalid,
    AccountTaken,
    ContactEmailInvalid,
    ContactRequired,
    DepartmentNotFound,
    HireDateInvalid,
    InvalidInput,
    MemberNameInvalid,
    MemberNotDisabled,
    MemberNotFound,
    PasswordTooLong,
    PasswordTooShort,
    PasswordTooWeak,
    PhoneInvalid,
    PhoneTaken,
    RoleInvalid,
    StaffTypeInvalid,
    YunmailError,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params
from yunmail.web.api.schemas_org import (
    AUTH_RESPONSES,
    MAX_ID,
    AdminPrincipal,
    BulkIn,
    BulkOut,
    BulkResultOut,
    IdPath,
    LockOut,
    MemberCreate,
    MemberDetailOut,
    MemberOut,
    MemberPatch,
    PasswordIn,
    doc,
)
from yunmail.web.errors import language_of

_FIELD_ERRORS = (
    MemberNameInvalid,
    AccountInvalid,
    PhoneInvalid,
    ContactEmailInvalid,
    ContactRequired,
    RoleInvalid,
    StaffTypeInvalid,
    HireDateInvalid,
    DepartmentNotFound,
    PhoneTaken,
)
_PASSWORD_ERRORS = (PasswordTooShort, PasswordTooLong, PasswordTooWeak)
# PATCH fields that cannot be cleared (``null`` is refused rather than ignored).
_REQUIRED_FIELDS = ("account", "name", "role", "staff_type")


async def members_out(request: Request, enterprise_id: int, members: Iterable[Member]) -> list[MemberOut]:
    """API views of members, each with its open mailbox's address (one query for the whole page)."""
    directory = deps.services_of(request).directory
    enterprise = await directory.enterprises.get(enterprise_id)
    mailboxes = await directory.mailboxes.list_mailboxes(enterprise_id, status="open", kind="personal")
    address = {m.member_id: m.display_address for m in mailboxes if m.member_id is not None}
    return [MemberOut.of(m, enterprise.org_id, address.get(m.id)) for m in members]


async def _member_out(request: Request, enterprise_id: int, member: Member) -> MemberOut:
    return (await members_out(request, enterprise_id, [member]))[0]


def router() -> APIRouter:
    r = APIRouter(tags=["members"], responses=AUTH_RESPONSES)
    _collection_routes(r)
    _member_routes(r)
    _action_routes(r)
    return r


def _collection_routes(r: APIRouter) -> None:
    @r.get(
        "/members",
        response_model=Page[MemberOut],
        **doc(
            "Search members",
            "`q` matches name, account, phone or contact e-mail; `department_id` includes its "
            "sub-departments unless `include_sub_departments=false`; every filter given applies.",
            DepartmentNotFound,
            InvalidInput,
        ),
    )
    async def search(
        request: Request,
        principal: AdminPrincipal,
        q: str | None = Query(None, max_length=100, description="Search text"),
        department_id: int | None = Query(None, ge=1, le=MAX_ID),
        include_sub_departments: bool = Query(True),
        status: Literal["active", "disabled"] | None = Query(None),
        has_mailbox: bool | None = Query(None, description="Has an open mailbox"),
        page: PageParams = Depends(page_params),
    ) -> Page[MemberOut]:
        enterprise_id = deps.enterprise_scope(principal)
        found = await deps.services_of(request).directory.members.search(
            enterprise_id,
            q,
            department_id=department_id,
            include_sub_departments=include_sub_departments,
            status=status,
            has_mailbox=has_mailbox,
            offset=page.offset,
            limit=page.limit,
        )
        return Page[MemberOut](
            items=await members_out(request, enterprise_id, found.items),
            total=found.total,
            offset=page.offset,
            limit=page.limit,
        )

    @r.post(
        "/members",
        status_code=201,
        response_model=MemberOut,
        **doc(
            "Add a member",
            "A phone or a contact e-mail is required. A password set here must be changed at the "
            "member's first login; without one the member signs in by SMS code or after a reset.",
            *_FIELD_ERRORS,
            AccountTaken,
            *_PASSWORD_ERRORS,
        ),
    )
    async def add(request: Request, body: MemberCreate, principal: AdminPrincipal) -> MemberOut:
        enterprise_id = deps.enterprise_scope(principal)
        member = await deps.services_of(request).directory.members.add(
            enterprise_id,
            NewMember(
                name=body.name,
                account=body.account,
                password=body.password,
                phone=body.phone,
                contact_email=body.contact_email,
                department_id=body.department_id,
                role=body.role,
                staff_type=body.staff_type,
                hire_date=body.hire_date,
            ),
            deps.actor_of(principal, request),
        )
        return await _member_out(request, enterprise_id, member)

    @r.post(
        "/members/bulk",
        response_model=BulkOut,
        **doc(
            "Disable, enable or delete several members",
            "Each id is handled on its own; `results` says, per id, whether it worked and why not "
            "(e.g. `MEMBER_NOT_DISABLED` for deleting an active member, `MEMBER_NOT_FOUND`).",
            InvalidInput,
        ),
    )
    async def bulk(request: Request, body: BulkIn, principal: AdminPrincipal) -> BulkOut:
        members = deps.services_of(request).directory.members
        enterprise_id = deps.enterprise_scope(principal)
        actor = deps.actor_of(principal, request)
        lang = language_of(request)
        results: list[BulkResultOut] = []
        for member_id in dict.fromkeys(body.ids):  # each id once, in the order given
            try:
                if body.action == "disable":
                    await members.disable(enterprise_id, member_id, actor)
                elif body.action == "enable":
                    await members.enable(enterprise_id, member_id, actor)
                else:
                    await members.delete(enterprise_id, member_id, actor)
            except YunmailError as exc:
                results.append(BulkResultOut(id=member_id, ok=False, code=exc.code, message=exc.text(lang)))
            else:
                results.append(BulkResultOut(id=member_id, ok=True))
        succeeded = sum(1 for result in results if result.ok)
        return BulkOut(
            action=body.action, succeeded=succeeded, failed=len(results) - succeeded, results=results
        )


def _member_routes(r: APIRouter) -> None:
    @r.get(
        "/members/{member_id}",
        response_model=MemberDetailOut,
        **doc(
            "Show a member", "The member, its mailbox address and its login lockout state.", MemberNotFound
        ),
    )
    async def show(request: Request, member_id: IdPath, principal: AdminPrincipal) -> MemberDetailOut:
        services = deps.services_of(request)
        enterprise_id = deps.enterprise_scope(principal)
        member = await services.directory.members.get(enterprise_id, member_id)
        lock = await services.auth.login.lock_status(enterprise_id, member_id)
        view = await _member_out(request, enterprise_id, member)
        return MemberDetailOut(**view.model_dump(), lock=LockOut.of(lock))

    @r.patch(
        "/members/{member_id}",
        response_model=MemberOut,
        **doc(
            "Edit a member",
            "Only the fields sent change. The account cannot change (sending the current value is "
            "accepted); `null` clears department, phone, contact e-mail or hire date.",
            MemberNotFound,
            AccountImmutable,
            *_FIELD_ERRORS,
            InvalidInput,
        ),
    )
    async def update(
        request: Request, member_id: IdPath, body: MemberPatch, principal: AdminPrincipal
    ) -> MemberOut:
        enterprise_id = deps.enterprise_scope(principal)
        changes: dict[str, Any] = {}
        for field in body.model_fields_set:
            value = getattr(body, field)
            if value is None and field in _REQUIRED_FIELDS:
                raise InvalidInput(detail=f"{field} cannot be null")
            changes[field] = value
        member = await deps.services_of(request).directory.members.update(
            enterprise_id,
            member_id,
            deps.actor_of(principal, request),
            account=changes.get("account", KEEP),
            name=changes.get("name", KEEP),
            department_id=changes.get("department_id", KEEP),
            phone=changes.get("phone", KEEP),
            contact_email=changes.get("contact_email", KEEP),
            role=changes.get("role", KEEP),
            staff_type=changes.get("staff_type", KEEP),
            hire_date=changes.get("hire_date", KEEP),
        )
        return await _member_out(request, enterprise_id, member)

    @r.delete(
        "/members/{member_id}",
        status_code=204,
        response_class=Response,
        **doc(
            "Delete a member",
            "Only a disabled member can be deleted; its mailbox moves to the recycle bin.",
            MemberNotFound,
            MemberNotDisabled,
        ),
    )
    async def delete(request: Request, member_id: IdPath, principal: AdminPrincipal) -> Response:
        await deps.services_of(request).directory.members.delete(
            deps.enterprise_scope(principal), member_id, deps.actor_of(principal, request)
        )
        return Response(status_code=204)


def _action_routes(r: APIRouter) -> None:
    @r.post(
        "/members/{member_id}/disable",
        response_model=MemberOut,
        **doc("Disable a member", "The member can no longer log in; its sessions end.", MemberNotFound),
    )
    async def disable(request: Request, member_id: IdPath, principal: AdminPrincipal) -> MemberOut:
        enterprise_id = deps.enterprise_scope(principal)
        member = await deps.services_of(request).directory.members.disable(
            enterprise_id, member_id, deps.actor_of(principal, request)
        )
        return await _member_out(request, enterprise_id, member)

    @r.post(
        "/members/{member_id}/enable",
        response_model=MemberOut,
        **doc("Enable a member", "Lets a disabled member log in again.", MemberNotFound),
    )
    async def enable(request: Request, member_id: IdPath, principal: AdminPrincipal) -> MemberOut:
        enterprise_id = deps.enterprise_scope(principal)
        member = await deps.services_of(request).directory.members.enable(
            enterprise_id, member_id, deps.actor_of(principal, request)
        )
        return await _member_out(request, enterprise_id, member)

    @r.post(
        "/members/{member_id}/reset-password",
        response_model=MemberOut,
        **doc(
            "Reset a member's password",
            "Sets a new password that the member must change at the next login; the member is "
            "logged out everywhere.",
            MemberNotFound,
            *_PASSWORD_ERRORS,
        ),
    )
    async def reset_password(
        request: Request, member_id: IdPath, body: PasswordIn, principal: AdminPrincipal
    ) -> MemberOut:
        services = deps.services_of(request)
        enterprise_id = deps.enterprise_scope(principal)
        member = await services.directory.members.reset_password(
            enterprise_id, member_id, body.password, deps.actor_of(principal, request)
        )
        await services.auth.sessions.revoke_all(enterprise_id, member_id)
        return await _member_out(request, enterprise_id, member)

    @r.post(
        "/members/{member_id}/unlock",
        response_model=LockOut,
        **doc(
            "Lift a login lockout",
            "Clears the member's failed-login lock (from any login form) before it expires; the audit "
            "log records it (`member.unlock`).",
            MemberNotFound,
        ),
    )
    async def unlock(request: Request, member_id: IdPath, principal: AdminPrincipal) -> LockOut:
        login = deps.services_of(request).auth.login
        enterprise_id = deps.enterprise_scope(principal)
        await login.unlock(enterprise_id, member_id, actor=deps.actor_of(principal, request))
        return LockOut.of(await login.lock_status(enterprise_id, member_id))
