"""Assembles the operator routes and UI strings from the area modules."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

from yunmail.web.operator import (
    enterprise_pages as _enterprise_pages,
)
from yunmail.web.operator import (
    pages as _pages,
)
from yunmail.web.operator import (
    platform_pages as _platform_pages,
)

_AREAS = (
    _pages,
    _enterprise_pages,
    _platform_pages,
)

STRINGS: Mapping[str, tuple[str, str]] = {k: v for area in _AREAS for k, v in area.STRINGS.items()}


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    for area in _AREAS:
        combined.include_router(area.router())
    return combined
