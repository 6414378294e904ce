"""REST API v1: the calling administrator's API tokens: list, create (the secret is shown once), revoke.

A token authenticates as ``Authorization: Bearer <secret>`` for the administrator who created it, in
its enterprise; only a hash of the secret is stored. Each administrator sees and revokes only its
own tokens.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from yunmail.auth import Principal
from yunmail.errors import (
    ApiTokenInvalid,
    ApiTokenLabelInvalid,
    ApiTokenLimitReached,
    ApiTokenNotFound,
    AuthenticationFailed,
    InvalidInput,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params, paginate
from yunmail.web.api.schemas_org import (
    AUTH_ERRORS,
    AdminPrincipal,
    IdPath,
    TokenCreate,
    TokenCreatedOut,
    TokenOut,
    doc,
    error_responses,
)


def _admin_id(principal: Principal) -> int:
    if principal.admin_id is None:
        raise AuthenticationFailed()
    return principal.admin_id


def router() -> APIRouter:
    r = APIRouter(tags=["tokens"], responses=error_responses(*AUTH_ERRORS, ApiTokenInvalid))

    @r.get(
        "/tokens",
        response_model=Page[TokenOut],
        **doc(
            "List my API tokens", "The calling administrator's tokens, revoked ones included.", InvalidInput
        ),
    )
    async def listing(
        request: Request, principal: AdminPrincipal, page: PageParams = Depends(page_params)
    ) -> Page[TokenOut]:
        tokens = await deps.services_of(request).auth.api_tokens.list(
            deps.enterprise_scope(principal), _admin_id(principal)
        )
        return paginate([TokenOut.of(t) for t in tokens], page)

    @r.post(
        "/tokens",
        status_code=201,
        response_model=TokenCreatedOut,
        **doc(
            "Create an API token",
            "Returns the secret once; use it as `Authorization: Bearer <secret>`. Labels are 1-64 "
            "characters; an administrator holds at most 20 active tokens.",
            ApiTokenLabelInvalid,
            ApiTokenLimitReached,
        ),
    )
    async def create(request: Request, body: TokenCreate, principal: AdminPrincipal) -> TokenCreatedOut:
        token, secret = await deps.services_of(request).auth.api_tokens.create(
            deps.enterprise_scope(principal),
            _admin_id(principal),
            body.label,
            actor=deps.actor_of(principal, request),
        )
        return TokenCreatedOut(token=TokenOut.of(token), secret=secret)

    @r.delete(
        "/tokens/{token_id}",
        status_code=204,
        response_class=Response,
        **doc("Revoke an API token", "The token stops working at once.", ApiTokenNotFound),
    )
    async def revoke(request: Request, token_id: IdPath, principal: AdminPrincipal) -> Response:
        await deps.services_of(request).auth.api_tokens.revoke(
            deps.enterprise_scope(principal),
            _admin_id(principal),
            token_id,
            actor=deps.actor_of(principal, request),
        )
        return Response(status_code=204)

    return r
