"""Assembles the admin routes and UI strings from the area modules."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

from yunmail.web.admin import (
    admin_pages as _admin_pages,
)
from yunmail.web.admin import (
    dashboard as _dashboard,
)
from yunmail.web.admin import (
    domain_pages as _domain_pages,
)
from yunmail.web.admin import (
    import_pages as _import_pages,
)
from yunmail.web.admin import (
    mailbox_pages as _mailbox_pages,
)
from yunmail.web.admin import (
    member_pages as _member_pages,
)
from yunmail.web.admin import (
    org_pages as _org_pages,
)
from yunmail.web.admin import (
    session_pages as _session_pages,
)
from yunmail.web.admin import (
    settings_pages as _settings_pages,
)

_AREAS = (
    _admin_pages,
    _dashboard,
    _domain_pages,
    _import_pages,
    _mailbox_pages,
    _member_pages,
    _org_pages,
    _session_pages,
    _settings_pages,
)

STRINGS: Mapping[str, tuple[str, str]] = {k: v for area in _AREAS for k, v in area.STRINGS.items()}


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    for area in _AREAS:
        combined.include_router(area.router())
    return combined
