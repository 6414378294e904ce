"""The operator portal: page routes (one module per area), templates under ``templates/`` and UI strings."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

from yunmail.web.operator import pages

_AREAS = (pages,)

STRINGS: Mapping[str, tuple[str, str]] = {k: v for area in _AREAS for k, v in area.STRINGS.items()}


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    for area in _AREAS:
        combined.include_router(area.router())
    return combined


__all__ = ["STRINGS", "router"]
