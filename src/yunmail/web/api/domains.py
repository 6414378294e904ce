"""REST API v1: domains — add (with input corrections), list, read, the records to publish, a live check,
quick add (RFC 2136), switching the verification mode, removal.

Names are shown as U-labels (``name``) with the A-label next to them (``ascii_name``). Input slips
get their own 400 code and a machine-readable ``suggestion`` next to the message
(``DOMAIN_HAS_WWW``, ``DOMAIN_LOOKS_LIKE_ADDRESS``, ``DOMAIN_LOOKS_LIKE_URL``); a domain another
enterprise has is 409 ``DOMAIN_OCCUPIED`` (nothing more is said about it), one the caller's
enterprise already has is 409 ``DOMAIN_ALREADY_ADDED`` with its ``domain_id``. ``records`` and
``check`` answer the same documents as ``yunmail domain records --json`` / ``check --json``. A domain
still used by mailboxes (also in the recycle bin), aliases or groups cannot be removed (409
``DOMAIN_IN_USE``).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.responses import JSONResponse

from yunmail.domains import TsigKey, quick_add
from yunmail.errors import (
    DnsNameInvalid,
    DomainAlreadyAdded,
    DomainHasWww,
    DomainInUse,
    DomainInvalid,
    DomainLooksLikeAddress,
    DomainLooksLikeUrl,
    DomainModeInvalid,
    DomainNotFound,
    DomainOccupied,
    InvalidInput,
    TsigKeyInvalid,
)
from yunmail.web import deps
from yunmail.web.api.paging import Page, PageParams, page_params, paginate
from yunmail.web.api.schemas_mail import (
    CheckOut,
    DomainCreate,
    DomainErrorOut,
    DomainOut,
    DomainPatch,
    IdPath,
    QuickAddIn,
    QuickAddItem,
    RecordOut,
)
from yunmail.web.api.schemas_org import AUTH_RESPONSES, AdminPrincipal, doc
from yunmail.web.errors import language_of

# Seconds to wait for the customer's DNS server per record: an UPDATE is answered at once or never.
_QUICK_ADD_WAIT = 5.0
_CORRECTIONS = (DomainHasWww, DomainLooksLikeAddress, DomainLooksLikeUrl)


def router() -> APIRouter:
    r = APIRouter(tags=["domains"], responses=AUTH_RESPONSES)

    @r.get(
        "/domains",
        response_model=Page[DomainOut],
        **doc("List domains", "The enterprise's domains with their mode and verification state."),
    )
    async def list_domains(
        request: Request,
        principal: AdminPrincipal,
        page: PageParams = Depends(page_params),
    ) -> Page[DomainOut]:
        found = await deps.services_of(request).domains.list_domains(deps.enterprise_scope(principal))
        return paginate([DomainOut.of(d) for d in found], page)

    @r.post(
        "/domains",
        status_code=201,
        response_model=DomainOut,
        **_with_domain_errors(
            doc(
                "Add a domain",
                "Pending until its DNS records check out (see `records` and `check`). IDN names are "
                "stored as A-label and shown as U-label. Typical slips are refused with the corrected "
                "name in `suggestion`; a domain the enterprise already has comes with its `domain_id`.",
                DomainInvalid,
                DomainHasWww,
                DomainLooksLikeAddress,
                DomainLooksLikeUrl,
                DomainModeInvalid,
                DomainOccupied,
                DomainAlreadyAdded,
            )
        ),
    )
    async def add_domain(
        request: Request, body: DomainCreate, principal: AdminPrincipal
    ) -> DomainOut | JSONResponse:
        try:
            domain = await deps.services_of(request).domains.add(
                deps.enterprise_scope(principal), body.name, deps.actor_of(principal, request), mode=body.mode
            )
        except _CORRECTIONS as exc:
            return _explained(request, exc, suggestion=str(exc.params["suggestion"]))
        except DomainAlreadyAdded as exc:
            return _explained(request, exc, domain_id=int(str(exc.params["domain_id"])))
        return DomainOut.of(domain)

    @r.get(
        "/domains/{domain_id}",
        response_model=DomainOut,
        **doc("Show a domain", "Its state and, when not verified, why (`reason`).", DomainNotFound),
    )
    async def get_domain(request: Request, domain_id: IdPath, principal: AdminPrincipal) -> DomainOut:
        domain = await deps.services_of(request).domains.get(deps.enterprise_scope(principal), domain_id)
        return DomainOut.of(domain)

    @r.get(
        "/domains/{domain_id}/records",
        response_model=list[RecordOut],
        **doc(
            "Records to publish",
            "Type, host, value, TTL and purpose of each record the domain's mode needs (required "
            "first, then recommended and optional ones): the same list as "
            "`yunmail domain records --json`.",
            DomainNotFound,
        ),
    )
    async def records(request: Request, domain_id: IdPath, principal: AdminPrincipal) -> list[RecordOut]:
        services = deps.services_of(request)
        enterprise_id = deps.enterprise_scope(principal)
        domain = await services.domains.get(enterprise_id, domain_id)
        found = await services.domains.records(enterprise_id, domain_id, services.deployment)
        return [RecordOut.model_validate({**r.as_dict(), "label": r.label(domain.name)}) for r in found]

    @r.post(
        "/domains/{domain_id}/check",
        response_model=CheckOut,
        **doc(
            "Check the domain's DNS now",
            "Real DNS queries: the verdict, the domain's new state, and each record's status with "
            "diagnosis codes (missing, wrong value, another provider's MX, several SPF records, CNAME "
            "conflict...). The same document as `yunmail domain check --json`.",
            DomainNotFound,
        ),
    )
    async def check(request: Request, domain_id: IdPath, principal: AdminPrincipal) -> CheckOut:
        services = deps.services_of(request)
        outcome = await services.domains.check(
            deps.enterprise_scope(principal),
            domain_id,
            services.resolver,
            services.deployment,
            actor=deps.actor_of(principal, request),
        )
        return CheckOut.model_validate(outcome.as_dict())

    @r.post(
        "/domains/{domain_id}/quick-add",
        response_model=list[QuickAddItem],
        **doc(
            "Quick add the records",
            "Writes each record into your own DNS server by an RFC 2136 UPDATE signed with your TSIG "
            "key; each record gets its own result. Nothing is deleted from the zone.",
            InvalidInput,
            DnsNameInvalid,
            TsigKeyInvalid,
            DomainNotFound,
        ),
    )
    async def quick_add_records(
        request: Request,
        domain_id: IdPath,
        body: QuickAddIn,
        principal: AdminPrincipal,
    ) -> list[QuickAddItem]:
        try:
            server = str(ipaddress.ip_address(body.server.strip()))
        except ValueError as exc:
            raise InvalidInput(detail="server must be an IP address") from exc
        key = TsigKey(body.tsig_name, body.tsig_secret, body.tsig_algorithm)
        key.dns_key()  # TSIG_KEY_INVALID before anything is sent
        services = deps.services_of(request)
        found = await services.domains.records(
            deps.enterprise_scope(principal), domain_id, services.deployment
        )
        results = await quick_add(
            found, server=server, zone=body.zone, tsig=key, port=body.port, wait_seconds=_QUICK_ADD_WAIT
        )
        return [QuickAddItem.model_validate(result.as_dict()) for result in results]

    @r.patch(
        "/domains/{domain_id}",
        response_model=DomainOut,
        **doc(
            "Switch the verification mode",
            "`full` (send and receive) or `ownership` (only the _dnsauth TXT record; mail flows between "
            "the enterprise's own mailboxes). The state is kept where still true.",
            DomainModeInvalid,
            DomainNotFound,
        ),
    )
    async def change_mode(
        request: Request,
        domain_id: IdPath,
        body: DomainPatch,
        principal: AdminPrincipal,
    ) -> DomainOut:
        domain = await deps.services_of(request).domains.change_mode(
            deps.enterprise_scope(principal), domain_id, body.mode, deps.actor_of(principal, request)
        )
        return DomainOut.of(domain)

    @r.delete(
        "/domains/{domain_id}",
        status_code=204,
        response_class=Response,
        **doc(
            "Remove a domain",
            "Only when nothing uses it: no mailbox (also none in the recycle bin), alias or group.",
            DomainNotFound,
            DomainInUse,
        ),
    )
    async def remove(request: Request, domain_id: IdPath, principal: AdminPrincipal) -> Response:
        await deps.services_of(request).domains.remove(
            deps.enterprise_scope(principal), domain_id, deps.actor_of(principal, request)
        )
        return Response(status_code=204)

    return r


def _with_domain_errors(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Document the add route's 400 and 409 bodies with their extra fields."""
    responses = kwargs["responses"]
    for status in (400, 409):
        responses[status] = {**responses[status], "model": DomainErrorOut}
    return kwargs


def _explained(
    request: Request,
    error: DomainHasWww | DomainLooksLikeAddress | DomainLooksLikeUrl | DomainAlreadyAdded,
    **extra: str | int,
) -> JSONResponse:
    """The catalogue error's ``{code, message}`` plus what a client needs to act on it."""
    body = {**error.as_dict(language_of(request)), **extra}
    return JSONResponse(body, status_code=error.http_status)
