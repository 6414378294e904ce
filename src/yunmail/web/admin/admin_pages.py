"""Administrators and invitations; API tokens of the signed-in administrator."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

STRINGS: Mapping[str, tuple[str, str]] = {}


def router() -> APIRouter:
    return APIRouter(include_in_schema=False)
