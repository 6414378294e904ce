"""REST API v1: recycle bin."""

from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    return APIRouter(tags=["recycle-bin"])
