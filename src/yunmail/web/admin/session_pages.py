"""Admin console sign-in, TOTP step and sign-out."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

STRINGS: Mapping[str, tuple[str, str]] = {}


def router() -> APIRouter:
    return APIRouter(include_in_schema=False)
