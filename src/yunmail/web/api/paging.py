"""Pagination shared by the REST API's list routes: ``offset``/``limit`` query parameters and the envelope.

Every paginated list answers ``{"items": [...], "total": N, "offset": o, "limit": l}``; ``total`` counts
all matches (not just this page) so clients can draw a pager. ``limit`` is 1–200, default 50.

Usage in a route::

    @r.get("/things", response_model=Page[ThingOut])
    async def things(page: PageParams = Depends(page_params)) -> Page[ThingOut]:
        rows = await service.list(...)
        return paginate([ThingOut.of(t) for t in rows], page)          # slice in memory
        # or: Page[ThingOut](items=..., total=total, offset=page.offset, limit=page.limit)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# The database binds OFFSET as a 64-bit integer: a larger one must be INVALID_INPUT, not a 500.
MAX_OFFSET = 2**63 - 1

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageParams:
    offset: int
    limit: int


def page_params(
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Number of items to skip"),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size (1–200)"),
) -> PageParams:
    """FastAPI dependency: the request's ``offset``/``limit`` (out-of-range values → 400 INVALID_INPUT)."""
    return PageParams(offset=offset, limit=limit)


class Page(BaseModel, Generic[T]):
    """The list envelope: this page's ``items`` and the ``total`` number of matches."""

    items: list[T]
    total: int
    offset: int
    limit: int


def paginate(items: Sequence[T], page: PageParams) -> Page[T]:
    """Slice an already-filtered full list into the envelope."""
    return Page[T](
        items=list(items[page.offset : page.offset + page.limit]),
        total=len(items),
        offset=page.offset,
        limit=page.limit,
    )


__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_OFFSET", "Page", "PageParams", "page_params", "paginate"]
