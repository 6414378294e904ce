"""REST API v1: the enterprise's audit log (who did what, when, from where), newest first."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from yunmail.errors import InvalidInput
from yunmail.web import deps
from yunmail.web.api.schemas_org import AUTH_RESPONSES, AdminPrincipal, AuditEntryOut, AuditListOut, doc

MAX_AUDIT_ENTRIES = 1000


def router() -> APIRouter:
    r = APIRouter(tags=["audit"], responses=AUTH_RESPONSES)

    @r.get(
        "/audit",
        response_model=AuditListOut,
        **doc(
            "Audit log",
            "The enterprise's most recent changes, newest first: actor (`kind:login@address`), action, "
            "target, details and time.",
            InvalidInput,
        ),
    )
    async def entries(
        request: Request,
        principal: AdminPrincipal,
        limit: int = Query(100, ge=1, le=MAX_AUDIT_ENTRIES, description="Entries to return (1-1000)"),
    ) -> AuditListOut:
        found = await deps.services_of(request).directory.audit_log(
            deps.enterprise_scope(principal), limit=limit
        )
        return AuditListOut(items=[AuditEntryOut.of(e) for e in found], limit=limit)

    return r
