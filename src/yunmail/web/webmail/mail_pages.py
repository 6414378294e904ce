"""Mailbox views: folder list, message list grouped by day, search, bulk actions, new-mail notification."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

STRINGS: Mapping[str, tuple[str, str]] = {
    "webmail.nav.mail": ("Mail", "邮件"),
    "webmail.nav.compose": ("Compose", "写信"),
    "webmail.nav.contacts": ("Contacts", "通讯录"),
    "webmail.nav.settings": ("Settings", "设置"),
}


def router() -> APIRouter:
    return APIRouter(include_in_schema=False)
