"""REST API v1: groups (distribution lists) — create, list, read, delete; members and addresses on them.

A group's address is reserved like a mailbox's (409 ``ADDRESS_OCCUPIED`` / ``ADDRESS_IN_RECYCLE_BIN``).
Entries are members of the enterprise or e-mail addresses (outside ones are forwarded); adding an
entry that is already there, or removing one that is not, changes nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request, Response

from yunmail.errors import (
    AddressInRecycleBin,
    AddressInvalid,
    AddressOccupied,
    DomainNotFound,
    GroupNameInvalid,
    GroupNotFound,
    LocalPartInvalid,
    MemberNotFound,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params, paginate
from yunmail.web.api.schemas_mail import AddressRef, GroupCreate, GroupOut, IdPath, MemberRef
from yunmail.web.api.schemas_org import AUTH_RESPONSES, AdminPrincipal, doc


def router() -> APIRouter:
    r = APIRouter(tags=["groups"], responses=AUTH_RESPONSES)

    @r.get("/groups", response_model=Page[GroupOut], **doc("List groups", "Every group with its entries."))
    async def list_groups(
        request: Request, principal: AdminPrincipal, page: PageParams = Depends(page_params)
    ) -> Page[GroupOut]:
        found = await deps.services_of(request).directory.groups.list_groups(deps.enterprise_scope(principal))
        return paginate([GroupOut.of(g) for g in found], page)

    @r.post(
        "/groups",
        status_code=201,
        response_model=GroupOut,
        **doc(
            "Create a group",
            "An address on one of the enterprise's domains that reaches the listed members and addresses.",
            GroupNameInvalid,
            LocalPartInvalid,
            AddressInvalid,
            DomainNotFound,
            MemberNotFound,
            AddressOccupied,
            AddressInRecycleBin,
        ),
    )
    async def create_group(request: Request, body: GroupCreate, principal: AdminPrincipal) -> GroupOut:
        group = await deps.services_of(request).directory.groups.create(
            deps.enterprise_scope(principal),
            body.domain_id,
            body.local_part,
            body.name,
            deps.actor_of(principal, request),
            member_ids=body.member_ids,
            addresses=body.addresses,
        )
        return GroupOut.of(group)

    @r.get("/groups/{group_id}", response_model=GroupOut, **doc("Show a group", "One group.", GroupNotFound))
    async def get_group(request: Request, group_id: IdPath, principal: AdminPrincipal) -> GroupOut:
        groups = deps.services_of(request).directory.groups
        return GroupOut.of(await groups.get(deps.enterprise_scope(principal), group_id))

    @r.delete(
        "/groups/{group_id}",
        status_code=204,
        response_class=Response,
        **doc("Delete a group", "Its address is free again at once.", GroupNotFound),
    )
    async def delete_group(request: Request, group_id: IdPath, principal: AdminPrincipal) -> Response:
        await deps.services_of(request).directory.groups.delete(
            deps.enterprise_scope(principal), group_id, deps.actor_of(principal, request)
        )
        return Response(status_code=204)

    @r.post(
        "/groups/{group_id}/members",
        response_model=GroupOut,
        **doc(
            "Add a member to a group",
            "Mail to the group reaches the member's mailbox.",
            GroupNotFound,
            MemberNotFound,
        ),
    )
    async def add_member(
        request: Request, group_id: IdPath, body: MemberRef, principal: AdminPrincipal
    ) -> GroupOut:
        group = await deps.services_of(request).directory.groups.add_member(
            deps.enterprise_scope(principal), group_id, body.member_id, deps.actor_of(principal, request)
        )
        return GroupOut.of(group)

    @r.delete(
        "/groups/{group_id}/members/{member_id}",
        response_model=GroupOut,
        **doc(
            "Remove a member from a group",
            "Removing a member not on the list changes nothing.",
            GroupNotFound,
        ),
    )
    async def remove_member(
        request: Request, group_id: IdPath, member_id: IdPath, principal: AdminPrincipal
    ) -> GroupOut:
        group = await deps.services_of(request).directory.groups.remove_member(
            deps.enterprise_scope(principal), group_id, member_id, deps.actor_of(principal, request)
        )
        return GroupOut.of(group)

    @r.post(
        "/groups/{group_id}/addresses",
        response_model=GroupOut,
        **doc(
            "Add an address to a group",
            "An outside address (forwarded) or a hosted one.",
            AddressInvalid,
            GroupNotFound,
        ),
    )
    async def add_address(
        request: Request, group_id: IdPath, body: AddressRef, principal: AdminPrincipal
    ) -> GroupOut:
        group = await deps.services_of(request).directory.groups.add_address(
            deps.enterprise_scope(principal), group_id, body.address, deps.actor_of(principal, request)
        )
        return GroupOut.of(group)

    @r.delete(
        "/groups/{group_id}/addresses/{address}",
        response_model=GroupOut,
        **doc(
            "Remove an address from a group",
            "Any spelling of the address (case, U-label domain).",
            GroupNotFound,
        ),
    )
    async def remove_address(
        request: Request,
        group_id: IdPath,
        principal: AdminPrincipal,
        address: str = Path(
            ...,
            min_length=1,
            max_length=320,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            examples=["partner@example.org"],
        ),
    ) -> GroupOut:
        group = await deps.services_of(request).directory.groups.remove_address(
            deps.enterprise_scope(principal), group_id, address, deps.actor_of(principal, request)
        )
        return GroupOut.of(group)

    return r
