"""Assembles the webmail routes and UI strings from the area modules."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

from yunmail.web.webmail import (
    account_pages as _account_pages,
)
from yunmail.web.webmail import (
    compose_pages as _compose_pages,
)
from yunmail.web.webmail import (
    contacts_pages as _contacts_pages,
)
from yunmail.web.webmail import (
    login_pages as _login_pages,
)
from yunmail.web.webmail import (
    mail_pages as _mail_pages,
)
from yunmail.web.webmail import (
    read_pages as _read_pages,
)
from yunmail.web.webmail import (
    rules_pages as _rules_pages,
)

_AREAS = (
    _account_pages,
    _compose_pages,
    _contacts_pages,
    _login_pages,
    _mail_pages,
    _read_pages,
    _rules_pages,
)

STRINGS: Mapping[str, tuple[str, str]] = {k: v for area in _AREAS for k, v in area.STRINGS.items()}


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    for area in _AREAS:
        combined.include_router(area.router())
    return combined
