"""Domains: add, record table with copy buttons, check, per-record diagnosis, mode switch, removal.

Pages (all need an administrator, scoped to its enterprise):

* ``GET /admin/domains`` — the list with state badges and the add form. A typing slip (``www.``,
  an e-mail address, a URL) re-renders the form with the correction and a one-click "use
  <suggestion>" button (a form, so it works without JavaScript); "occupied" and "already added"
  have their own messages.
* ``GET /admin/domains/{id}`` — the records to publish (type, host, value, TTL, purpose) with the
  last check's per-record status and diagnosis in the page language, the domain-level advice, the
  ``mail.<domain>`` webmail line, the mode switch (ownership -> full) and removal.
* ``POST /admin/domains/{id}/check`` runs ``DomainRegistry.check`` now; the outcome is saved on the
  domain (``record_status``), so the detail page always shows the latest check, whoever ran it.

Values are selectable text; ``static/admin/copy.js`` adds copy buttons when JavaScript runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from yunmail.auth import Principal
from yunmail.domains import OWNERSHIP_VERIFIED, VERIFIED, Domain
from yunmail.errors import (
    DomainAlreadyAdded,
    DomainHasWww,
    DomainLooksLikeAddress,
    DomainLooksLikeUrl,
    YunmailError,
)
from yunmail.web import deps
from yunmail.web.errors import language_of
from yunmail.web.templating import Pages

STRINGS: Mapping[str, tuple[str, str]] = {
    "admin.domains.title": ("Domains", "域名管理"),
    "admin.domains.none": (
        "No domain yet: add your first mail domain below.",
        "尚未添加域名，请在下方添加邮件域名。",
    ),
    "admin.domains.col.name": ("Domain", "域名"),
    "admin.domains.col.mode": ("Mode", "验证方式"),
    "admin.domains.col.state": ("State", "状态"),
    "admin.domains.col.checked": ("Last checked", "上次检测"),
    "admin.domains.add": ("Add a domain", "添加域名"),
    "admin.domains.add.name": ("Mail domain (e.g. example.com)", "邮件域名（如 example.com）"),
    "admin.domains.add.mode": ("Verification", "验证方式"),
    "admin.domains.add.submit": ("Add domain", "添加域名"),
    "admin.domains.use": ("Use {suggestion}", "使用 {suggestion}"),
    "admin.domains.existing": ("Open its page", "查看该域名"),
    "admin.domains.mode.full": ("Send and receive (full)", "收发信（完整验证）"),
    "admin.domains.mode.ownership": ("Ownership only", "仅验证所有权"),
    "admin.domains.mode.full.help": (
        "MX, SPF and DKIM records: the domain sends and receives Internet mail here.",
        "添加 MX、SPF、DKIM 记录：该域名通过本服务收发互联网邮件。",
    ),
    "admin.domains.mode.ownership.help": (
        "One TXT record: mail flows only between your own mailboxes; the previous provider keeps "
        "serving the domain (for migrating).",
        "仅添加一条 TXT 记录：邮件只在本企业邮箱之间流转，原服务商继续服务该域名（用于迁移）。",
    ),
    "admin.domains.state.pending": ("Waiting for DNS", "等待解析生效"),
    "admin.domains.state.verified": ("Verified", "已验证"),
    "admin.domains.state.ownership-verified": ("Ownership verified", "所有权已验证"),
    "admin.domains.state.broken": ("Records broken", "解析异常"),
    "admin.domains.never": ("never", "从未"),
    "admin.domains.done.added": (
        "Domain added. Publish the records below at your DNS provider, then press “Check now”.",
        "域名已添加。请在您的 DNS 服务商处添加下列记录，然后点击“立即检测”。",
    ),
    "admin.domains.done.checked": (
        "DNS checked: see the status of each record below.",
        "已完成检测，请查看每条记录的状态。",
    ),
    "admin.domains.done.mode": ("Verification mode changed.", "验证方式已更改。"),
    "admin.domains.done.removed": ("Domain removed.", "域名已删除。"),
    "admin.domain.records": ("Records to publish", "需要添加的解析记录"),
    "admin.domain.records.help": (
        "Add these records at the company that serves your domain's DNS. Changes take from a few "
        "minutes up to 48 hours; we check again in the background.",
        "请在负责您域名解析的服务商处添加以下记录。解析生效需要几分钟到 48 小时，系统会在后台自动复查。",
    ),
    "admin.domain.col.type": ("Type", "类型"),
    "admin.domain.col.host": ("Host", "主机记录"),
    "admin.domain.col.value": ("Value", "记录值"),
    "admin.domain.col.ttl": ("TTL", "TTL"),
    "admin.domain.col.purpose": ("Purpose", "用途"),
    "admin.domain.col.status": ("Status", "状态"),
    "admin.domain.required": ("required", "必需"),
    "admin.domain.optional": ("optional", "可选"),
    "admin.domain.found": ("Found:", "当前值："),
    "admin.domain.purpose.mx": ("Receiving mail (MX)", "收信（MX）"),
    "admin.domain.purpose.spf": ("Sender permission (SPF)", "发信授权（SPF）"),
    "admin.domain.purpose.dkim": ("Signing key (DKIM)", "签名公钥（DKIM）"),
    "admin.domain.purpose.dmarc": ("Forgery policy (DMARC)", "防伪策略（DMARC）"),
    "admin.domain.purpose.ownership": ("Ownership", "所有权验证"),
    "admin.domain.purpose.webmail": ("Webmail address", "网页邮箱地址"),
    "admin.domain.purpose.autoconfig": ("Mail app setup", "客户端自动配置"),
    "admin.domain.purpose.autodiscover": ("Outlook setup", "Outlook 自动配置"),
    "admin.domain.purpose.mta-sts": ("Encrypted delivery (MTA-STS)", "加密传输（MTA-STS）"),
    "admin.domain.purpose.tls-rpt": ("TLS reports", "TLS 报告"),
    "admin.domain.status.ok": ("OK", "正常"),
    "admin.domain.status.missing": ("Missing", "未添加"),
    "admin.domain.status.wrong": ("Wrong value", "值错误"),
    "admin.domain.status.conflict": ("Conflict", "冲突"),
    "admin.domain.status.warning": ("Warning", "警告"),
    "admin.domain.status.unknown": ("Lookup failed", "查询失败"),
    "admin.domain.status.unchecked": ("Not checked", "未检测"),
    "admin.domain.check": ("Check now", "立即检测"),
    "admin.domain.state": ("State", "状态"),
    "admin.domain.mode": ("Verification", "验证方式"),
    "admin.domain.checked": ("Last checked", "上次检测"),
    "admin.domain.next_check": ("Next automatic check", "下次自动检测"),
    "admin.domain.diagnosis": ("Diagnosis", "诊断"),
    "admin.domain.all_ok": ("Every required record is in place.", "所有必需记录均已正确添加。"),
    "admin.domain.switch_full": ("Switch to send and receive (full)", "切换为收发信（完整验证）"),
    "admin.domain.switch_full.help": (
        "When your mailboxes have moved, switch to full verification and publish the MX, SPF and DKIM "
        "records; the domain keeps working between your own mailboxes meanwhile.",
        "邮箱迁移完成后，请切换为完整验证并添加 MX、SPF、DKIM 记录；在此期间本企业邮箱之间的邮件照常收发。",
    ),
    "admin.domain.webmail": ("Webmail address", "网页邮箱地址"),
    "admin.domain.webmail.on": ("Active", "已生效"),
    "admin.domain.webmail.off": ("Not active", "未生效"),
    "admin.domain.webmail.active": (
        "Active: members can open their mail at {host}.",
        "已生效：成员可通过 {host} 访问网页邮箱。",
    ),
    "admin.domain.webmail.inactive": (
        "Not active yet: add the CNAME record {host} → {target}, then check again.",
        "尚未生效：请添加 CNAME 记录 {host} → {target}，然后重新检测。",
    ),
    "admin.domain.webmail.waiting": (
        "The CNAME is in place; it becomes active once the domain is verified.",
        "CNAME 记录已生效，域名验证通过后即可使用。",
    ),
    "admin.domain.remove": ("Remove domain", "删除域名"),
    "admin.domain.remove.title": ("Remove {domain}?", "删除域名 {domain}？"),
    "admin.domain.remove.help": (
        "Only a domain that no mailbox, alias or group uses can be removed (mailboxes in the recycle "
        "bin count too). Its DKIM keys are deleted with it.",
        "只有未被任何邮箱、别名或邮件组使用的域名才能删除（回收站中的邮箱也算在内）。"
        "域名的 DKIM 密钥将一并删除。",
    ),
    "admin.domain.remove.confirm": ("Yes, remove the domain", "确认删除"),
}

_DONE = {
    "added": "admin.domains.done.added",
    "checked": "admin.domains.done.checked",
    "mode": "admin.domains.done.mode",
    "removed": "admin.domains.done.removed",
}
_CORRECTIONS = (DomainHasWww, DomainLooksLikeAddress, DomainLooksLikeUrl)
_STATE_BADGE = {"verified": "ok", "ownership-verified": "ok", "pending": "warn", "broken": "bad"}
_RECORD_BADGE = {
    "ok": "ok",
    "warning": "warn",
    "unknown": "warn",
    "missing": "bad",
    "wrong": "bad",
    "conflict": "bad",
}


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One line of the records table, with the last check's verdict when there was one."""

    type: str
    host: str  # absolute name
    label: str  # as typed into a DNS panel
    value: str
    ttl: int
    purpose: str
    required: bool
    state: str | None  # None: not checked yet (or checked in another mode)
    found: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    instructions: tuple[str, ...] = ()

    @property
    def badge(self) -> str:
        return _RECORD_BADGE.get(self.state or "", "")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Domain-level findings of the last check, in the page language."""

    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    instructions: tuple[str, ...] = ()
    checked: bool = False
    nameservers: tuple[str, ...] = field(default_factory=tuple)


def router() -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/admin/domains")
    async def domains(request: Request, principal: Principal = Depends(deps.administrator)) -> Response:
        return await _list_page(request, principal)

    @r.post("/admin/domains")
    async def add_domain(request: Request, principal: Principal = Depends(deps.administrator)) -> Response:
        form = await request.form()
        name = _text(form.get("name"))
        mode = _text(form.get("mode")) or "full"
        services = deps.services_of(request)
        try:
            domain = await services.domains.add(
                deps.enterprise_scope(principal), name, deps.actor_of(principal, request), mode=mode
            )
        except YunmailError as error:
            return await _list_page(request, principal, error=error, name=name, mode=mode)
        return RedirectResponse(f"/admin/domains/{domain.id}?done=added", status_code=303)

    @r.get("/admin/domains/{domain_id}")
    async def domain_detail(
        domain_id: int, request: Request, principal: Principal = Depends(deps.administrator)
    ) -> Response:
        return await _detail_page(request, principal, domain_id)

    @r.post("/admin/domains/{domain_id}/check")
    async def check_domain(
        domain_id: int, request: Request, principal: Principal = Depends(deps.administrator)
    ) -> Response:
        services = deps.services_of(request)
        await services.domains.check(
            deps.enterprise_scope(principal),
            domain_id,
            services.resolver,
            services.deployment,
            actor=deps.actor_of(principal, request),
        )
        return RedirectResponse(f"/admin/domains/{domain_id}?done=checked#records", status_code=303)

    @r.post("/admin/domains/{domain_id}/mode")
    async def change_mode(
        domain_id: int, request: Request, principal: Principal = Depends(deps.administrator)
    ) -> Response:
        form = await request.form()
        services = deps.services_of(request)
        try:
            await services.domains.change_mode(
                deps.enterprise_scope(principal),
                domain_id,
                _text(form.get("mode")),
                deps.actor_of(principal, request),
            )
        except YunmailError as error:
            if error.http_status == 404:
                raise
            return await _detail_page(request, principal, domain_id, error=error)
        return RedirectResponse(f"/admin/domains/{domain_id}?done=mode", status_code=303)

    @r.get("/admin/domains/{domain_id}/remove")
    async def remove_confirm(
        domain_id: int, request: Request, principal: Principal = Depends(deps.administrator)
    ) -> Response:
        return await _remove_page(request, principal, domain_id)

    @r.post("/admin/domains/{domain_id}/remove")
    async def remove_domain(
        domain_id: int, request: Request, principal: Principal = Depends(deps.administrator)
    ) -> Response:
        services = deps.services_of(request)
        try:
            await services.domains.remove(
                deps.enterprise_scope(principal), domain_id, deps.actor_of(principal, request)
            )
        except YunmailError as error:
            if error.http_status == 404:
                raise
            return await _remove_page(request, principal, domain_id, error=error)
        return RedirectResponse("/admin/domains?done=removed", status_code=303)

    return r


# --- pages -------------------------------------------------------------------------------------------


async def _list_page(
    request: Request,
    principal: Principal,
    *,
    error: YunmailError | None = None,
    name: str = "",
    mode: str = "full",
) -> Response:
    services = deps.services_of(request)
    lang = language_of(request)
    found = await services.domains.list_domains(deps.enterprise_scope(principal))
    context: dict[str, Any] = {
        "domains": found,
        "state_badge": _STATE_BADGE,
        "form": {"name": name, "mode": mode if mode in ("full", "ownership") else "full"},
        **_flash(request),
    }
    status = 200
    if error is not None:
        status = error.http_status
        context["error"] = error.text(lang)
        context["error_code"] = error.code
        if isinstance(error, _CORRECTIONS):
            context["suggestion"] = str(error.params.get("suggestion", ""))
        if isinstance(error, DomainAlreadyAdded):
            context["existing_id"] = error.params.get("domain_id")
    return _pages(request).render(request, "admin/domains.html", context, status_code=status)


async def _detail_page(
    request: Request, principal: Principal, domain_id: int, *, error: YunmailError | None = None
) -> Response:
    services = deps.services_of(request)
    lang = language_of(request)
    scope = deps.enterprise_scope(principal)
    domain = await services.domains.get(scope, domain_id)
    expected = await services.domains.records(scope, domain_id, services.deployment)
    check = _last_check(domain)
    zone = str(check.get("zone") or domain.name)
    statuses = {
        (str(s.get("type")), str(s.get("host")), str(s.get("purpose")), str(s.get("expected"))): s
        for s in check.get("records", [])
        if isinstance(s, Mapping)
    }
    rows: list[RecordRow] = []
    for record in expected:
        status = statuses.get((record.type, record.host, record.purpose.value, record.display_value()))
        rows.append(
            _row(
                RecordRow(
                    record.type,
                    record.host,
                    record.label(zone),
                    record.display_value(),
                    record.ttl,
                    record.purpose.value,
                    record.required,
                    None,
                ),
                status,
                lang,
            )
        )
    webmail = next((row for row in rows if row.purpose == "webmail"), None)
    context: dict[str, Any] = {
        "domain": domain,
        "rows": rows,
        "diagnosis": _diagnosis(check, lang),
        "state_badge": _STATE_BADGE,
        "webmail": webmail,
        "webmail_host": f"mail.{domain.display_name}",
        "webmail_target": services.deployment.webmail_host,
        "webmail_active": webmail is not None
        and webmail.state in ("ok", "warning")
        and domain.state in (VERIFIED, OWNERSHIP_VERIFIED),
        **_flash(request),
    }
    status_code = 200
    if error is not None:
        status_code = error.http_status
        context["error"] = error.text(lang)
        context["error_code"] = error.code
    return _pages(request).render(request, "admin/domain_detail.html", context, status_code=status_code)


async def _remove_page(
    request: Request, principal: Principal, domain_id: int, *, error: YunmailError | None = None
) -> Response:
    services = deps.services_of(request)
    domain = await services.domains.get(deps.enterprise_scope(principal), domain_id)
    context: dict[str, Any] = {"domain": domain}
    status = 200
    if error is not None:
        status = error.http_status
        context["error"] = error.text(language_of(request))
        context["error_code"] = error.code
    return _pages(request).render(request, "admin/domains_remove.html", context, status_code=status)


# --- view models -------------------------------------------------------------------------------------


def _last_check(domain: Domain) -> Mapping[str, Any]:
    """The saved check, when it was made in the domain's current mode (else nothing to show)."""
    check = domain.record_status.get("check")
    if not isinstance(check, Mapping) or check.get("mode") != domain.mode:
        return {}
    return check


def _row(row: RecordRow, status: Mapping[str, Any] | None, lang: str) -> RecordRow:
    """The expected record with the saved verdict of the last check (if it covered this record)."""
    if status is None:
        return row
    return dataclasses.replace(
        row,
        state=str(status.get("state")),
        found=tuple(str(v) for v in status.get("found", ())),
        errors=_texts(status.get("errors", ()), lang),
        warnings=_texts(status.get("warnings", ()), lang),
        instructions=_texts(status.get("instructions", ()), lang),
    )


def _diagnosis(check: Mapping[str, Any], lang: str) -> Diagnosis:
    if not check:
        return Diagnosis()
    return Diagnosis(
        _texts(check.get("errors", ()), lang),
        _texts(check.get("warnings", ()), lang),
        _texts(check.get("instructions", ()), lang),
        checked=True,
        nameservers=tuple(str(ns) for ns in check.get("nameservers", ())),
    )


def _texts(items: Sequence[Any], lang: str) -> tuple[str, ...]:
    """Findings and instructions are saved in both languages (``{"en", "zh"}``); pick the page's."""
    key = "zh" if lang == "zh" else "en"
    return tuple(str(item.get(key) or item.get("en") or "") for item in items if isinstance(item, Mapping))


def _flash(request: Request) -> dict[str, Any]:
    key = _DONE.get(request.query_params.get("done", ""))
    if key is None:
        return {}
    return {"flash": _pages(request).catalogue.gettext(language_of(request), key), "flash_kind": "ok"}


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages
