"""Documents mail clients and sending servers fetch from customer hosts: autoconfig, autodiscover, MTA-STS."""

from __future__ import annotations

from fastapi import APIRouter

AUTOCONFIG_PATHS = ("/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml")
AUTODISCOVER_PATHS = ("/autodiscover/autodiscover.xml",)
MTA_STS_PATH = "/.well-known/mta-sts.txt"


def is_autoconfig_path(path: str) -> bool:
    return path in AUTOCONFIG_PATHS or path.lower() in AUTODISCOVER_PATHS


def is_mta_sts_path(path: str) -> bool:
    return path == MTA_STS_PATH


def router() -> APIRouter:
    return APIRouter(include_in_schema=False)
