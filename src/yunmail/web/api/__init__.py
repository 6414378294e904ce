"""REST API v1 under ``/api/v1`` (OpenAPI at ``/api/openapi.json``): one router module per resource.

Authentication: the admin console's session cookie (with the CSRF header for writes) or a
per-administrator API token (``Authorization: Bearer ...``); ``enterprises`` also serves the
operator. Errors are ``{"code", "message"}`` from the error catalogue in the request's language
(``web.errors``). Every tenant route is scoped by the caller's enterprise: another enterprise's
ids answer 404, exactly like ids that do not exist.
"""

from __future__ import annotations

from fastapi import APIRouter

from yunmail.web.api import (
    administrators,
    aliases,
    audit,
    departments,
    domains,
    enterprises,
    groups,
    imports,
    mailboxes,
    members,
    recycle_bin,
    shared_mailboxes,
    tokens,
)

_RESOURCES = (
    administrators,
    aliases,
    audit,
    departments,
    domains,
    enterprises,
    groups,
    imports,
    mailboxes,
    members,
    recycle_bin,
    shared_mailboxes,
    tokens,
)


def router() -> APIRouter:
    combined = APIRouter(prefix="/api/v1")
    for resource in _RESOURCES:
        combined.include_router(resource.router())
    return combined


__all__ = ["router"]
