"""Enterprise address book and personal contacts (vCard/CSV import and export)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

STRINGS: Mapping[str, tuple[str, str]] = {}


def router() -> APIRouter:
    return APIRouter(include_in_schema=False)
