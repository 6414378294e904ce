"""REST API v1: aliases — further addresses of an open mailbox, on any domain of the enterprise.

An alias reserves its address like a mailbox (409 ``ADDRESS_OCCUPIED`` / ``ADDRESS_IN_RECYCLE_BIN``);
a mailbox in the recycle bin takes no new alias (409 ``MAILBOX_RECYCLED``). Removing an alias frees
its address at once.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from yunmail.errors import (
    AddressInRecycleBin,
    AddressOccupied,
    AliasNotFound,
    DomainNotFound,
    LocalPartInvalid,
    MailboxNotFound,
    MailboxRecycled,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params, paginate
from yunmail.web.api.schemas_mail import MAX_ID, AliasCreate, AliasOut, IdPath
from yunmail.web.api.schemas_org import AUTH_RESPONSES, AdminPrincipal, doc


def router() -> APIRouter:
    r = APIRouter(tags=["aliases"], responses=AUTH_RESPONSES)

    @r.get("/aliases", response_model=Page[AliasOut], **doc("List aliases", "Optionally of one mailbox."))
    async def list_aliases(
        request: Request,
        principal: AdminPrincipal,
        mailbox_id: int | None = Query(None, ge=1, le=MAX_ID, description="Only this mailbox's aliases"),
        page: PageParams = Depends(page_params),
    ) -> Page[AliasOut]:
        found = await deps.services_of(request).directory.aliases.list_aliases(
            deps.enterprise_scope(principal), mailbox_id=mailbox_id
        )
        return paginate([AliasOut.of(a) for a in found], page)

    @r.post(
        "/aliases",
        status_code=201,
        response_model=AliasOut,
        **doc(
            "Add an alias to a mailbox",
            "A further address of an open mailbox, on any of the enterprise's domains.",
            LocalPartInvalid,
            MailboxNotFound,
            DomainNotFound,
            MailboxRecycled,
            AddressOccupied,
            AddressInRecycleBin,
        ),
    )
    async def add_alias(request: Request, body: AliasCreate, principal: AdminPrincipal) -> AliasOut:
        alias = await deps.services_of(request).directory.aliases.add(
            deps.enterprise_scope(principal),
            body.mailbox_id,
            body.domain_id,
            body.local_part,
            deps.actor_of(principal, request),
        )
        return AliasOut.of(alias)

    @r.get(
        "/aliases/{alias_id}", response_model=AliasOut, **doc("Show an alias", "One alias.", AliasNotFound)
    )
    async def get_alias(request: Request, alias_id: IdPath, principal: AdminPrincipal) -> AliasOut:
        found = await deps.services_of(request).directory.aliases.list_aliases(
            deps.enterprise_scope(principal)
        )
        for alias in found:
            if alias.id == alias_id:
                return AliasOut.of(alias)
        raise AliasNotFound()

    @r.delete(
        "/aliases/{alias_id}",
        status_code=204,
        response_class=Response,
        **doc("Remove an alias", "Its address is free again at once.", AliasNotFound),
    )
    async def remove_alias(request: Request, alias_id: IdPath, principal: AdminPrincipal) -> Response:
        await deps.services_of(request).directory.aliases.remove(
            deps.enterprise_scope(principal), alias_id, deps.actor_of(principal, request)
        )
        return Response(status_code=204)

    return r
