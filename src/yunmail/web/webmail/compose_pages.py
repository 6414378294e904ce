"""Compose, reply, reply-all, forward, drafts and sending."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

STRINGS: Mapping[str, tuple[str, str]] = {}


def router() -> APIRouter:
    return APIRouter(include_in_schema=False)
