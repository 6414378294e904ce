"""REST API v1: departments."""

from __future__ import annotations

from fastapi import APIRouter


def router() -> APIRouter:
    return APIRouter(tags=["departments"])
