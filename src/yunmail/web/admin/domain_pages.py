"""Domains: add, record table with copy buttons, check, per-record diagnosis, mode switch, removal."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

STRINGS: Mapping[str, tuple[str, str]] = {}


def router() -> APIRouter:
    return APIRouter(include_in_schema=False)
