"""REST API v1: shared (public) mailboxes — create, list, read, delete (to the recycle bin), members.

A shared mailbox takes a seat (409 ``SEATS_EXHAUSTED``) and an address (409 ``ADDRESS_OCCUPIED`` /
``ADDRESS_IN_RECYCLE_BIN``) like a personal one. Deleting it closes it: it waits in the recycle bin,
restorable, like any mailbox.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from yunmail.errors import (
    AddressInRecycleBin,
    AddressOccupied,
    DomainNotFound,
    LocalPartInvalid,
    MailboxRecycled,
    MemberNotFound,
    SeatsExhausted,
    SharedMailboxNameInvalid,
    SharedMailboxNotFound,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params, paginate
from yunmail.web.api.schemas_mail import (
    IdPath,
    MailboxOut,
    MemberRef,
    SharedMailboxCreate,
    SharedMailboxOut,
)
from yunmail.web.api.schemas_org import AUTH_RESPONSES, AdminPrincipal, doc


def router() -> APIRouter:
    r = APIRouter(tags=["shared-mailboxes"], responses=AUTH_RESPONSES)

    @r.get(
        "/shared-mailboxes",
        response_model=Page[SharedMailboxOut],
        **doc("List shared mailboxes", "Open ones and those in the recycle bin, with their members."),
    )
    async def list_shared(
        request: Request, principal: AdminPrincipal, page: PageParams = Depends(page_params)
    ) -> Page[SharedMailboxOut]:
        found = await deps.services_of(request).directory.shared_mailboxes.list_shared(
            deps.enterprise_scope(principal)
        )
        return paginate([SharedMailboxOut.of(s) for s in found], page)

    @r.post(
        "/shared-mailboxes",
        status_code=201,
        response_model=SharedMailboxOut,
        **doc(
            "Create a shared mailbox",
            "A mailbox without an owner that the listed members use (e.g. hr@, support@); it takes a seat.",
            SharedMailboxNameInvalid,
            LocalPartInvalid,
            DomainNotFound,
            MemberNotFound,
            AddressOccupied,
            AddressInRecycleBin,
            SeatsExhausted,
        ),
    )
    async def create_shared(
        request: Request, body: SharedMailboxCreate, principal: AdminPrincipal
    ) -> SharedMailboxOut:
        shared = await deps.services_of(request).directory.shared_mailboxes.create(
            deps.enterprise_scope(principal),
            body.domain_id,
            body.local_part,
            body.name,
            deps.actor_of(principal, request),
            member_ids=body.member_ids,
        )
        return SharedMailboxOut.of(shared)

    @r.get(
        "/shared-mailboxes/{mailbox_id}",
        response_model=SharedMailboxOut,
        **doc("Show a shared mailbox", "With its members.", SharedMailboxNotFound),
    )
    async def get_shared(request: Request, mailbox_id: IdPath, principal: AdminPrincipal) -> SharedMailboxOut:
        shared = await deps.services_of(request).directory.shared_mailboxes.get(
            deps.enterprise_scope(principal), mailbox_id
        )
        return SharedMailboxOut.of(shared)

    @r.delete(
        "/shared-mailboxes/{mailbox_id}",
        response_model=MailboxOut,
        **doc(
            "Delete a shared mailbox",
            "It goes to the recycle bin with its mail, like any closed mailbox.",
            SharedMailboxNotFound,
            MailboxRecycled,
        ),
    )
    async def delete_shared(request: Request, mailbox_id: IdPath, principal: AdminPrincipal) -> MailboxOut:
        mailbox = await deps.services_of(request).directory.shared_mailboxes.delete(
            deps.enterprise_scope(principal), mailbox_id, deps.actor_of(principal, request)
        )
        return MailboxOut.of(mailbox)

    @r.post(
        "/shared-mailboxes/{mailbox_id}/members",
        response_model=SharedMailboxOut,
        **doc(
            "Let a member use a shared mailbox",
            "Adding a member already there changes nothing.",
            SharedMailboxNotFound,
            MemberNotFound,
        ),
    )
    async def add_member(
        request: Request, mailbox_id: IdPath, body: MemberRef, principal: AdminPrincipal
    ) -> SharedMailboxOut:
        shared = await deps.services_of(request).directory.shared_mailboxes.add_member(
            deps.enterprise_scope(principal), mailbox_id, body.member_id, deps.actor_of(principal, request)
        )
        return SharedMailboxOut.of(shared)

    @r.delete(
        "/shared-mailboxes/{mailbox_id}/members/{member_id}",
        response_model=SharedMailboxOut,
        **doc(
            "Stop a member using a shared mailbox",
            "Removing a non-member changes nothing.",
            SharedMailboxNotFound,
        ),
    )
    async def remove_member(
        request: Request, mailbox_id: IdPath, member_id: IdPath, principal: AdminPrincipal
    ) -> SharedMailboxOut:
        shared = await deps.services_of(request).directory.shared_mailboxes.remove_member(
            deps.enterprise_scope(principal), mailbox_id, member_id, deps.actor_of(principal, request)
        )
        return SharedMailboxOut.of(shared)

    return r
