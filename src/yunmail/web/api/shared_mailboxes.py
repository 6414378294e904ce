"""REST API v1: shared mailboxes."""

from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    return APIRouter(tags=["shared-mailboxes"])
