"""REST API v1: the recycle bin — closed mailboxes with the days left, restore with all mail, purge.

A mailbox stays in the bin for the retention period (30 days by default) before the recycle-bin
worker purges it. Restoring needs a free seat (409 ``SEATS_EXHAUSTED``); restoring or purging a
mailbox that is not in the bin answers 409 ``MAILBOX_NOT_IN_RECYCLE_BIN``. Purging really deletes
the mail and frees the address.
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Request, Response

from yunmail.errors import (
    InvalidInput,
    MailboxAlreadyOpen,
    MailboxNotFound,
    MailboxNotInRecycleBin,
    MemberNotFound,
    SeatsExhausted,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params, paginate
from yunmail.web.api.schemas_mail import IdPath, MailboxOut, RecycledOut, RestoreIn
from yunmail.web.api.schemas_org import AUTH_RESPONSES, AdminPrincipal, doc


def router() -> APIRouter:
    r = APIRouter(tags=["recycle-bin"], responses=AUTH_RESPONSES)

    @r.get(
        "/recycle-bin",
        response_model=Page[RecycledOut],
        **doc(
            "List the recycle bin",
            "Closed mailboxes (and those of deleted members), oldest first, with the whole days left "
            "before the automatic purge.",
        ),
    )
    async def list_recycled(
        request: Request, principal: AdminPrincipal, page: PageParams = Depends(page_params)
    ) -> Page[RecycledOut]:
        found = await deps.services_of(request).directory.mailboxes.recycle_bin(
            deps.enterprise_scope(principal)
        )
        return paginate([RecycledOut.of(item) for item in found], page)

    @r.post(
        "/recycle-bin/{mailbox_id}/restore",
        response_model=MailboxOut,
        **doc(
            "Restore a mailbox",
            "Reopens it with all its mail. The mailbox of a deleted member comes back without an owner "
            "unless `member_id` names a member without a mailbox to give it to.",
            InvalidInput,
            MailboxNotFound,
            MemberNotFound,
            MailboxNotInRecycleBin,
            MailboxAlreadyOpen,
            SeatsExhausted,
        ),
    )
    async def restore(
        request: Request,
        mailbox_id: IdPath,
        principal: AdminPrincipal,
        body: RestoreIn | None = Body(None),
    ) -> MailboxOut:
        mailbox = await deps.services_of(request).directory.mailboxes.restore(
            deps.enterprise_scope(principal),
            mailbox_id,
            deps.actor_of(principal, request),
            member_id=body.member_id if body is not None else None,
        )
        return MailboxOut.of(mailbox)

    @r.delete(
        "/recycle-bin/{mailbox_id}",
        status_code=204,
        response_class=Response,
        **doc(
            "Purge a mailbox",
            "Deletes its mail for good and frees its address (and its aliases').",
            MailboxNotFound,
            MailboxNotInRecycleBin,
        ),
    )
    async def purge(request: Request, mailbox_id: IdPath, principal: AdminPrincipal) -> Response:
        await deps.services_of(request).directory.mailboxes.purge(
            deps.enterprise_scope(principal), mailbox_id, deps.actor_of(principal, request)
        )
        return Response(status_code=204)

    return r
