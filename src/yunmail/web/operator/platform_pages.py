"""Operator console: the development outbox (SMS and e-mail "sent" without a gateway) and a read-only
view of the platform's settings.

The outbox lists what ``auth``'s outbox sender stored, newest first; web links in a message (an
invitation link, say) are made clickable here, on the server, so the page needs no script.

The settings page shows what an operator checks when something does not work — host names,
listeners, the DNS identity customer domains point at, limits — and never a secret: the database
and Redis URLs (which carry passwords) are reduced to the backend name and "configured", and key
files are not named.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from yunmail.auth import OutboxMessage, Principal
from yunmail.config import LISTENER_NAMES
from yunmail.web import deps
from yunmail.web.console import render, text

OUTBOX_LIMIT = 100
_MAX_RECIPIENT = 254
# http(s) URLs up to whitespace or a character that cannot end one in running text.
_URL = re.compile(r"https?://[^\s<>\"'（）「」，。]+")
_TRAILING = ".,;:!?)]}'\""

STRINGS: Mapping[str, tuple[str, str]] = {
    "operator.outbox.title": ("Outbox", "发件记录"),
    "operator.outbox.intro": (
        "Development outbox: SMS and e-mail messages the platform would have sent (codes, invitations) "
        "while no SMS gateway or mail sender is configured. Newest first.",
        "开发用发件箱：尚未配置短信网关或邮件发送服务时，平台本应发出的短信和邮件（验证码、邀请等），最新的在前。",
    ),
    "operator.outbox.recipient": ("Recipient (phone or e-mail)", "收件人（手机号或邮箱）"),
    "operator.outbox.filter": ("Filter", "筛选"),
    "operator.outbox.all": ("Show all", "显示全部"),
    "operator.outbox.empty": ("Nothing has been sent.", "尚无发送记录。"),
    "operator.outbox.sms": ("SMS", "短信"),
    "operator.outbox.email": ("E-mail", "邮件"),
    "operator.outbox.to": ("To", "收件人"),
    "operator.outbox.at": ("Sent", "发送时间"),
    "operator.outbox.shown": ("The {count} newest messages.", "最新的 {count} 条消息。"),
    "operator.settings.title": ("Platform settings", "平台设置"),
    "operator.settings.intro": (
        "Read-only: these come from the configuration file and environment; change them there and "
        "restart. Secrets are never shown.",
        "只读：以下内容来自配置文件和环境变量，请在那里修改并重启服务。密钥等机密信息不会显示。",
    ),
    "operator.settings.general": ("General", "基本信息"),
    "operator.settings.listeners": ("Listeners", "监听地址"),
    "operator.settings.identity": (
        "DNS identity (what customer domains point at)",
        "DNS 标识（客户域名需指向的记录）",
    ),
    "operator.settings.limits": ("Limits", "限制"),
    "operator.settings.auth_limits": ("Sign-in and session limits", "登录与会话限制"),
    "operator.settings.not_listening": ("not listening", "未监听"),
    "operator.settings.configured": ("configured", "已配置"),
    "operator.settings.not_configured": ("not configured", "未配置"),
    "operator.settings.none": ("none", "无"),
    "operator.settings.system_resolver": ("system resolver", "系统解析器"),
}


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/operator/outbox", outbox_page, methods=["GET"])
    routes.add_api_route("/operator/settings", settings_page, methods=["GET"])
    return routes


Operator = Annotated[Principal, Depends(deps.operator)]


# --- outbox ------------------------------------------------------------------------------------------


def linkify(body: str) -> list[tuple[str, str | None]]:
    """The body as ``(text, href)`` pieces: ``href`` is the URL for a link piece, None for plain text."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in _URL.finditer(body):
        url = match.group(0).rstrip(_TRAILING)
        if match.start() > position:
            pieces.append((body[position : match.start()], None))
        pieces.append((url, url))
        position = match.start() + len(url)
    if position < len(body):
        pieces.append((body[position:], None))
    return pieces


async def outbox_page(request: Request, principal: Operator, recipient: str = "") -> Response:
    wanted = recipient.strip()[:_MAX_RECIPIENT]
    messages = await deps.services_of(request).auth.outbox.messages(
        recipient=wanted or None, limit=OUTBOX_LIMIT
    )
    return render(
        request,
        "operator/outbox.html",
        {
            "recipient": wanted,
            "messages": [_message(request, m) for m in messages],
            "limit": OUTBOX_LIMIT,
        },
    )


def _message(request: Request, message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel": message.channel,
        "channel_label": text(request, f"operator.outbox.{message.channel}"),
        "recipient": message.recipient,
        "subject": message.subject,
        "pieces": linkify(message.body),
        "at": message.created_at.strftime("%Y-%m-%d %H:%M:%S"),
    }


# --- settings ----------------------------------------------------------------------------------------


async def settings_page(request: Request, principal: Operator) -> Response:
    services = deps.services_of(request)
    settings = services.settings
    deployment = services.deployment
    configured, missing = (
        text(request, "operator.settings.configured"),
        text(request, "operator.settings.not_configured"),
    )
    none = text(request, "operator.settings.none")
    general = [
        ("hostname", settings.hostname),
        ("web.platform_hosts", ", ".join(settings.web.platform_hosts) or none),
        ("database", services.backend),
        ("redis_url", configured if settings.redis_url else missing),
        ("data_dir", settings.data_dir),
        ("tls.cert_file", settings.tls.cert_file),
        ("trusted_networks", ", ".join(settings.trusted_networks) or none),
        (
            "dns.nameservers",
            ", ".join(settings.dns.nameservers) or text(request, "operator.settings.system_resolver"),
        ),
        ("dns.timeout_seconds", str(settings.dns.timeout_seconds)),
        ("delivery.mx_port", str(settings.delivery.mx_port)),
    ]
    listeners = [
        (
            name,
            ", ".join(getattr(settings.listen, name)) or text(request, "operator.settings.not_listening"),
        )
        for name in LISTENER_NAMES
    ]
    identity = [
        ("mx_hosts", ", ".join(f"{preference} {host}" for preference, host in deployment.mx_hosts)),
        ("spf_include", deployment.spf_include),
        ("spf_all", deployment.spf_all),
        ("webmail_host", deployment.webmail_host),
        ("autoconfig_host", deployment.autoconfig_host or none),
        ("dmarc_policy", deployment.dmarc_policy),
        ("dmarc_rua", deployment.dmarc_rua or none),
        ("mta_sts_host", deployment.mta_sts_host or none),
        ("mta_sts_id", deployment.mta_sts_id),
        ("tls_rpt_rua", deployment.tls_rpt_rua or none),
        ("ownership_label", deployment.ownership_label),
        ("ttl", str(deployment.ttl)),
    ]
    limits = [
        (f"limits.{field.name}", str(getattr(settings.limits, field.name)))
        for field in dataclasses.fields(settings.limits)
    ]
    auth_limits = [
        (field.name, str(getattr(services.auth.limits, field.name)))
        for field in dataclasses.fields(services.auth.limits)
    ]
    return render(
        request,
        "operator/settings.html",
        {
            "sections": [
                ("general", "operator.settings.general", general),
                ("listeners", "operator.settings.listeners", listeners),
                ("identity", "operator.settings.identity", identity),
                ("limits", "operator.settings.limits", limits),
                ("auth-limits", "operator.settings.auth_limits", auth_limits),
            ],
        },
    )
