"""Operator console: sign-in, enterprises, outbox, platform settings."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

STRINGS: Mapping[str, tuple[str, str]] = {
    "operator.nav.enterprises": ("Enterprises", "企业"),
    "operator.nav.outbox": ("Outbox", "发件记录"),
    "operator.nav.settings": ("Platform settings", "平台设置"),
}


def router() -> APIRouter:
    return APIRouter(include_in_schema=False)
