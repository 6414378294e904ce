"""Admin console dashboard: members, mailboxes, seats and domains (by state) of the enterprise.

Mail volume ("mail today") is not shown: no service offers a per-enterprise daily count yet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from yunmail.auth import Principal
from yunmail.web import deps
from yunmail.web.console import render

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
    "admin.dashboard.title": ("Dashboard", "概览"),
    "admin.dashboard.org_id": ("Organisation identifier: {org_id}", "企业标识：{org_id}"),
    "admin.dashboard.members": ("Members", "成员"),
    "admin.dashboard.members_disabled": ("{count} disabled", "{count} 个已停用"),
    "admin.dashboard.mailboxes": ("Open mailboxes", "已开通邮箱"),
    "admin.dashboard.seats": ("Seats used", "已用席位"),
    "admin.dashboard.seats_unlimited": ("{used} (unlimited)", "{used}（不限）"),
    "admin.dashboard.domains": ("Domains", "域名"),
    "admin.dashboard.no_domains": ("No domain yet", "尚未添加域名"),
    "admin.dashboard.state.pending": ("waiting for DNS", "待验证"),
    "admin.dashboard.state.ownership-verified": ("ownership verified", "已验证所有权"),
    "admin.dashboard.state.verified": ("verified", "已验证"),
    "admin.dashboard.state.broken": ("needs attention", "解析异常"),
    "admin.dashboard.shortcuts": ("Common tasks", "常用操作"),
    "admin.dashboard.add_member": ("Add a member", "添加成员"),
    "admin.dashboard.import": ("Import members from Excel", "从 Excel 导入成员"),
    "admin.dashboard.organisation": ("Edit the organisation", "编辑组织架构"),
}

_STATE_BADGES: Mapping[str, str] = {
    "verified": "ok",
    "ownership-verified": "ok",
    "pending": "warn",
    "broken": "bad",
}


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/admin/", dashboard, methods=["GET"])
    routes.add_api_route("/admin", dashboard, methods=["GET"])
    return routes


async def dashboard(
    request: Request, principal: Annotated[Principal, Depends(deps.administrator)]
) -> Response:
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    directory = services.directory
    enterprise = await directory.enterprises.get(enterprise_id)
    members = await directory.members.search(enterprise_id, limit=1)
    disabled = await directory.members.search(enterprise_id, status="disabled", limit=1)
    open_mailboxes = await directory.mailboxes.list_mailboxes(enterprise_id, status="open")
    domains = await services.domains.list_domains(enterprise_id)
    states = Counter(d.state for d in domains)
    return render(
        request,
        "admin/dashboard.html",
        {
            "enterprise": enterprise,
            "member_count": members.total,
            "disabled_count": disabled.total,
            "mailbox_count": len(open_mailboxes),
            "seats": enterprise.seats,
            "domain_count": len(domains),
            "domain_states": sorted(states.items()),
            "state_badges": _STATE_BADGES,
        },
    )
