"""Admin console dashboard: members, mailboxes, seats, domains, mail today."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter

STRINGS: Mapping[str, tuple[str, str]] = {
    "admin.nav.dashboard": ("Dashboard", "概览"),
    "admin.nav.organisation": ("Organisation", "组织架构"),
    "admin.nav.members": ("Members", "成员"),
    "admin.nav.import": ("Batch import", "批量导入"),
    "admin.nav.mailboxes": ("Mailboxes", "邮箱"),
    "admin.nav.domains": ("Domains", "域名"),
    "admin.nav.recycle_bin": ("Recycle bin", "回收站"),
    "admin.nav.administrators": ("Administrators", "管理员"),
    "admin.nav.settings": ("Settings", "企业设置"),
    "admin.nav.audit": ("Audit log", "操作日志"),
}


def router() -> APIRouter:
    return APIRouter(include_in_schema=False)
