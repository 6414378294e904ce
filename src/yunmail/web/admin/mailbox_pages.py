"""Mailboxes, shared mailboxes, groups, aliases and the recycle bin.

Pages (administrator only, scoped to its enterprise; every action is a POST form answered with a
redirect, or with the page re-rendered around the catalogue error and the input kept):

* ``/admin/mailboxes`` — open mailboxes (address, member, status, quota and space used), quota
  edit, close (a confirmation page, then the recycle bin);
* ``/admin/mailboxes/shared`` — shared mailboxes: create, members (added by login account);
* ``/admin/mailboxes/groups`` — groups: create, members and outside addresses, delete;
* ``/admin/mailboxes/aliases`` — extra addresses of a mailbox;
* ``/admin/recycle-bin`` — closed mailboxes with the days left before the automatic purge;
  restore (all mail comes back) and purge (a confirmation page; the mail is really deleted).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from yunmail.auth import Principal
from yunmail.directory import Directory, Mailbox
from yunmail.domains import to_unicode
from yunmail.errors import NotFound, QuotaInvalid, YunmailError
from yunmail.web import deps
from yunmail.web.errors import language_of
from yunmail.web.templating import Pages

STRINGS: Mapping[str, tuple[str, str]] = {
    "admin.mailboxes.title": ("Mailboxes", "邮箱管理"),
    "admin.mailboxes.tab.mailboxes": ("Mailboxes", "成员邮箱"),
    "admin.mailboxes.tab.shared": ("Shared mailboxes", "公共邮箱"),
    "admin.mailboxes.tab.groups": ("Groups", "邮件组"),
    "admin.mailboxes.tab.aliases": ("Aliases", "别名"),
    "admin.mailboxes.none": ("No mailbox here yet.", "暂无邮箱。"),
    "admin.mailboxes.search": ("Address or name", "地址或姓名"),
    "admin.mailboxes.col.address": ("Address", "邮箱地址"),
    "admin.mailboxes.col.member": ("Member", "成员"),
    "admin.mailboxes.col.status": ("Status", "状态"),
    "admin.mailboxes.col.usage": ("Used / quota", "已用 / 容量"),
    "admin.mailboxes.col.actions": ("Actions", "操作"),
    "admin.mailboxes.status.open": ("Open", "正常"),
    "admin.mailboxes.status.recycled": ("In recycle bin", "回收站中"),
    "admin.mailboxes.status.purging": ("Being purged", "正在清除"),
    "admin.mailboxes.kind.shared": ("shared", "公共邮箱"),
    "admin.mailboxes.unlimited": ("unlimited", "不限"),
    "admin.mailboxes.messages": ("{count} messages", "{count} 封邮件"),
    "admin.mailboxes.quota": ("Quota in MB (empty = unlimited)", "容量（MB，留空为不限）"),
    "admin.mailboxes.close": ("Close", "关闭邮箱"),
    "admin.mailboxes.close.title": ("Close the mailbox {address}?", "关闭邮箱 {address}？"),
    "admin.mailboxes.close.help": (
        "The mailbox moves to the recycle bin for {days} days: it no longer receives mail and cannot be "
        "used, but an administrator can restore it with all its mail. After {days} days it is purged "
        "for good.",
        "邮箱将移入回收站保留 {days} 天：期间不再收信、无法使用，管理员可连同全部邮件恢复。"
        "{days} 天后将被永久清除。",
    ),
    "admin.mailboxes.close.confirm": ("Yes, close it", "确认关闭"),
    "admin.mailboxes.deleted_member": ("(member deleted)", "（成员已删除）"),
    "admin.mailboxes.local_part": ("Address (before @)", "地址（@ 前部分）"),
    "admin.mailboxes.domain": ("Domain", "域名"),
    "admin.mailboxes.name": ("Name", "名称"),
    "admin.mailboxes.account": ("Member login account", "成员登录账号"),
    "admin.mailboxes.add_member": ("Add member", "添加成员"),
    "admin.mailboxes.remove": ("Remove", "移除"),
    "admin.mailboxes.members": ("Members", "成员"),
    "admin.mailboxes.no_members": ("No member yet.", "暂无成员。"),
    "admin.mailboxes.no_domain": (
        "Add a domain first: addresses live on your domains.",
        "请先添加域名：邮箱地址必须使用本企业的域名。",
    ),
    "admin.shared.create": ("New shared mailbox", "新建公共邮箱"),
    "admin.shared.help": (
        "A mailbox several members use (e.g. HR, support); it may send up to 2000 messages a day.",
        "供多名成员共同使用的邮箱（如人事、客服），每天最多可发送 2000 封邮件。",
    ),
    "admin.groups.create": ("New group", "新建邮件组"),
    "admin.groups.help": (
        "Mail to the group's address reaches every member and address on the list.",
        "发往邮件组地址的邮件会送达列表中的所有成员和地址。",
    ),
    "admin.groups.addresses": ("Other addresses", "其他地址"),
    "admin.groups.add_address": ("Add address", "添加地址"),
    "admin.groups.address": ("E-mail address", "邮箱地址"),
    "admin.groups.delete": ("Delete group", "删除邮件组"),
    "admin.aliases.create": ("New alias", "新建别名"),
    "admin.aliases.help": (
        "An extra address that delivers to an existing mailbox.",
        "为已有邮箱增加一个收信地址。",
    ),
    "admin.aliases.mailbox": ("Delivers to mailbox", "投递到邮箱"),
    "admin.aliases.col.alias": ("Alias", "别名"),
    "admin.mailboxes.create": ("Create", "创建"),
    "admin.recycle.title": ("Recycle bin", "回收站"),
    "admin.recycle.help": (
        "Closed mailboxes stay here for {days} days with all their mail, then they are purged automatically.",
        "已关闭的邮箱连同全部邮件在此保留 {days} 天，之后将被自动清除。",
    ),
    "admin.recycle.none": ("The recycle bin is empty.", "回收站为空。"),
    "admin.recycle.col.closed": ("Closed", "关闭时间"),
    "admin.recycle.col.left": ("Purged in", "剩余天数"),
    "admin.recycle.days_left": ("{days} days", "{days} 天"),
    "admin.recycle.restore": ("Restore", "恢复"),
    "admin.recycle.assign": ("Give to member (account, optional)", "分配给成员（账号，可选）"),
    "admin.recycle.purge": ("Purge", "彻底删除"),
    "admin.recycle.purge.title": ("Purge {address} for good?", "彻底删除 {address}？"),
    "admin.recycle.purge.help": (
        "All mail of this mailbox is deleted now and cannot be recovered. The address becomes free.",
        "该邮箱的全部邮件将立即删除且无法恢复，邮箱地址随之释放。",
    ),
    "admin.recycle.purge.confirm": ("Yes, delete all its mail", "确认彻底删除"),
    "admin.mailboxes.done.quota": ("Quota saved.", "容量已保存。"),
    "admin.mailboxes.done.closed": (
        "Mailbox closed: it is in the recycle bin.",
        "邮箱已关闭，已移入回收站。",
    ),
    "admin.mailboxes.done.created": ("Created.", "已创建。"),
    "admin.mailboxes.done.saved": ("Saved.", "已保存。"),
    "admin.mailboxes.done.deleted": ("Deleted.", "已删除。"),
    "admin.recycle.done.restored": ("Mailbox restored with all its mail.", "邮箱已恢复，邮件完整保留。"),
    "admin.recycle.done.purged": ("Mailbox purged.", "邮箱已彻底删除。"),
}

_DONE = {
    "quota": "admin.mailboxes.done.quota",
    "closed": "admin.mailboxes.done.closed",
    "created": "admin.mailboxes.done.created",
    "saved": "admin.mailboxes.done.saved",
    "deleted": "admin.mailboxes.done.deleted",
    "restored": "admin.recycle.done.restored",
    "purged": "admin.recycle.done.purged",
}
_PAGE_SIZE = 50
_MB = 1024 * 1024
_MAX_QUOTA_MB = 10**9  # about a petabyte: anything larger is a typo (and would overflow BIGINT bytes)

Action = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class MailboxRow:
    mailbox: Mailbox
    address: str  # shown (U-label domain)
    member: str | None
    used: str
    quota: str
    quota_mb: str  # the quota form's current value
    messages: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A member on a shared mailbox or group: id and name (or login account)."""

    id: int
    name: str
    account: str


def router() -> APIRouter:
    r = APIRouter(include_in_schema=False)
    admin = Depends(deps.administrator)

    # --- mailboxes ---------------------------------------------------------------------------------

    @r.get("/admin/mailboxes")
    async def mailboxes(request: Request, principal: Principal = admin) -> Response:
        return await _render(request, principal, "mailboxes")

    @r.post("/admin/mailboxes/{mailbox_id}/quota")
    async def set_quota(mailbox_id: int, request: Request, principal: Principal = admin) -> Response:
        form = await request.form()

        async def action() -> object:
            quota = _quota_bytes(_text(form.get("quota_mb")))
            return await _dir(request).mailboxes.set_quota(
                _scope(principal), mailbox_id, quota, _actor(principal, request)
            )

        back = "/admin/mailboxes" + (f"?page={_int(form.get('page'))}" if _int(form.get("page")) else "")
        return await _act(request, principal, action, "mailboxes", back, "quota", form)

    @r.get("/admin/mailboxes/{mailbox_id}/close")
    async def close_confirm(mailbox_id: int, request: Request, principal: Principal = admin) -> Response:
        return await _confirm_close(request, principal, mailbox_id)

    @r.post("/admin/mailboxes/{mailbox_id}/close")
    async def close(mailbox_id: int, request: Request, principal: Principal = admin) -> Response:
        try:
            await _dir(request).mailboxes.close(_scope(principal), mailbox_id, _actor(principal, request))
        except NotFound:
            raise
        except YunmailError as error:
            return await _confirm_close(request, principal, mailbox_id, error=error)
        return RedirectResponse("/admin/recycle-bin?done=closed", status_code=303)

    # --- shared mailboxes --------------------------------------------------------------------------

    @r.get("/admin/mailboxes/shared")
    async def shared(request: Request, principal: Principal = admin) -> Response:
        return await _render(request, principal, "shared")

    @r.post("/admin/mailboxes/shared")
    async def create_shared(request: Request, principal: Principal = admin) -> Response:
        form = await request.form()

        async def action() -> object:
            return await _dir(request).shared_mailboxes.create(
                _scope(principal),
                _int(form.get("domain_id")),
                _text(form.get("local_part")),
                _text(form.get("name")),
                _actor(principal, request),
            )

        return await _act(request, principal, action, "shared", "/admin/mailboxes/shared", "created", form)

    @r.post("/admin/mailboxes/shared/{mailbox_id}/members")
    async def add_shared_member(mailbox_id: int, request: Request, principal: Principal = admin) -> Response:
        form = await request.form()

        async def action() -> object:
            member = await _dir(request).members.get_by_account(_scope(principal), _text(form.get("account")))
            return await _dir(request).shared_mailboxes.add_member(
                _scope(principal), mailbox_id, member.id, _actor(principal, request)
            )

        return await _act(request, principal, action, "shared", "/admin/mailboxes/shared", "saved", form)

    @r.post("/admin/mailboxes/shared/{mailbox_id}/members/{member_id}/remove")
    async def remove_shared_member(
        mailbox_id: int, member_id: int, request: Request, principal: Principal = admin
    ) -> Response:
        async def action() -> object:
            return await _dir(request).shared_mailboxes.remove_member(
                _scope(principal), mailbox_id, member_id, _actor(principal, request)
            )

        return await _act(request, principal, action, "shared", "/admin/mailboxes/shared", "saved")

    # --- groups ------------------------------------------------------------------------------------

    @r.get("/admin/mailboxes/groups")
    async def groups(request: Request, principal: Principal = admin) -> Response:
        return await _render(request, principal, "groups")

    @r.post("/admin/mailboxes/groups")
    async def create_group(request: Request, principal: Principal = admin) -> Response:
        form = await request.form()

        async def action() -> object:
            return await _dir(request).groups.create(
                _scope(principal),
                _int(form.get("domain_id")),
                _text(form.get("local_part")),
                _text(form.get("name")),
                _actor(principal, request),
            )

        return await _act(request, principal, action, "groups", "/admin/mailboxes/groups", "created", form)

    @r.post("/admin/mailboxes/groups/{group_id}/members")
    async def add_group_member(group_id: int, request: Request, principal: Principal = admin) -> Response:
        form = await request.form()

        async def action() -> object:
            member = await _dir(request).members.get_by_account(_scope(principal), _text(form.get("account")))
            return await _dir(request).groups.add_member(
                _scope(principal), group_id, member.id, _actor(principal, request)
            )

        return await _act(request, principal, action, "groups", "/admin/mailboxes/groups", "saved", form)

    @r.post("/admin/mailboxes/groups/{group_id}/members/{member_id}/remove")
    async def remove_group_member(
        group_id: int, member_id: int, request: Request, principal: Principal = admin
    ) -> Response:
        async def action() -> object:
            return await _dir(request).groups.remove_member(
                _scope(principal), group_id, member_id, _actor(principal, request)
            )

        return await _act(request, principal, action, "groups", "/admin/mailboxes/groups", "saved")

    @r.post("/admin/mailboxes/groups/{group_id}/addresses")
    async def add_group_address(group_id: int, request: Request, principal: Principal = admin) -> Response:
        form = await request.form()

        async def action() -> object:
            return await _dir(request).groups.add_address(
                _scope(principal), group_id, _text(form.get("address")), _actor(principal, request)
            )

        return await _act(request, principal, action, "groups", "/admin/mailboxes/groups", "saved", form)

    @r.post("/admin/mailboxes/groups/{group_id}/addresses/remove")
    async def remove_group_address(group_id: int, request: Request, principal: Principal = admin) -> Response:
        form = await request.form()

        async def action() -> object:
            return await _dir(request).groups.remove_address(
                _scope(principal), group_id, _text(form.get("address")), _actor(principal, request)
            )

        return await _act(request, principal, action, "groups", "/admin/mailboxes/groups", "saved")

    @r.post("/admin/mailboxes/groups/{group_id}/delete")
    async def delete_group(group_id: int, request: Request, principal: Principal = admin) -> Response:
        async def action() -> object:
            await _dir(request).groups.delete(_scope(principal), group_id, _actor(principal, request))
            return None

        return await _act(request, principal, action, "groups", "/admin/mailboxes/groups", "deleted")

    # --- aliases -----------------------------------------------------------------------------------

    @r.get("/admin/mailboxes/aliases")
    async def aliases(request: Request, principal: Principal = admin) -> Response:
        return await _render(request, principal, "aliases")

    @r.post("/admin/mailboxes/aliases")
    async def create_alias(request: Request, principal: Principal = admin) -> Response:
        form = await request.form()

        async def action() -> object:
            scope = _scope(principal)
            target = await _dir(request).mailboxes.get_by_address(scope, _text(form.get("mailbox")))
            return await _dir(request).aliases.add(
                scope,
                target.id,
                _int(form.get("domain_id")),
                _text(form.get("local_part")),
                _actor(principal, request),
            )

        return await _act(request, principal, action, "aliases", "/admin/mailboxes/aliases", "created", form)

    @r.post("/admin/mailboxes/aliases/{alias_id}/remove")
    async def remove_alias(alias_id: int, request: Request, principal: Principal = admin) -> Response:
        async def action() -> object:
            await _dir(request).aliases.remove(_scope(principal), alias_id, _actor(principal, request))
            return None

        return await _act(request, principal, action, "aliases", "/admin/mailboxes/aliases", "deleted")

    # --- recycle bin -------------------------------------------------------------------------------

    @r.get("/admin/recycle-bin")
    async def recycle_bin(request: Request, principal: Principal = admin) -> Response:
        return await _render(request, principal, "recycle")

    @r.post("/admin/recycle-bin/{mailbox_id}/restore")
    async def restore(mailbox_id: int, request: Request, principal: Principal = admin) -> Response:
        form = await request.form()

        async def action() -> object:
            scope = _scope(principal)
            account = _text(form.get("account"))
            member_id = (await _dir(request).members.get_by_account(scope, account)).id if account else None
            return await _dir(request).mailboxes.restore(
                scope, mailbox_id, _actor(principal, request), member_id=member_id
            )

        return await _act(request, principal, action, "recycle", "/admin/recycle-bin", "restored", form)

    @r.get("/admin/recycle-bin/{mailbox_id}/purge")
    async def purge_confirm(mailbox_id: int, request: Request, principal: Principal = admin) -> Response:
        return await _confirm_purge(request, principal, mailbox_id)

    @r.post("/admin/recycle-bin/{mailbox_id}/purge")
    async def purge(mailbox_id: int, request: Request, principal: Principal = admin) -> Response:
        try:
            await _dir(request).mailboxes.purge(_scope(principal), mailbox_id, _actor(principal, request))
        except NotFound:
            raise
        except YunmailError as error:
            return await _confirm_purge(request, principal, mailbox_id, error=error)
        return RedirectResponse("/admin/recycle-bin?done=purged", status_code=303)

    return r


# --- actions and pages -------------------------------------------------------------------------------


async def _act(
    request: Request,
    principal: Principal,
    action: Action,
    page: str,
    back: str,
    done: str,
    form: FormData | None = None,
) -> Response:
    """Run ``action``; redirect to ``back`` with the flash, or re-render ``page`` with the error.

    Another enterprise's (or an unknown) id is a plain 404, never a form error.
    """
    try:
        await action()
    except NotFound as error:
        if not _is_lookup_by_input(error, form):
            raise
        return await _render(request, principal, page, error=error, form=form)
    except YunmailError as error:
        return await _render(request, principal, page, error=error, form=form)
    joiner = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{joiner}done={done}", status_code=303)


def _is_lookup_by_input(error: NotFound, form: FormData | None) -> bool:
    """A member account or mailbox address typed into a form that names nobody: show it on the form."""
    return (
        form is not None
        and error.code in ("MEMBER_NOT_FOUND", "MAILBOX_NOT_FOUND")
        and bool(_text(form.get("account")) or _text(form.get("mailbox")))
    )


async def _render(
    request: Request,
    principal: Principal,
    page: str,
    *,
    error: YunmailError | None = None,
    form: FormData | None = None,
) -> Response:
    builders = {
        "mailboxes": ("admin/mailboxes.html", _mailboxes_context),
        "shared": ("admin/shared.html", _shared_context),
        "groups": ("admin/groups.html", _groups_context),
        "aliases": ("admin/mailboxes_aliases.html", _aliases_context),
        "recycle": ("admin/recycle_bin.html", _recycle_context),
    }
    template, build = builders[page]
    context = await build(request, _scope(principal))
    context["tab"] = page
    context["form"] = {k: v for k, v in (form or {}).items() if isinstance(v, str) and k != "csrf_token"}
    context["retention_days"] = deps.services_of(request).settings.limits.recycle_bin_days
    status = 200
    if error is not None:
        status = error.http_status
        context["error"] = error.text(language_of(request))
        context["error_code"] = error.code
    else:
        context.update(_flash(request))
    return _pages(request).render(request, template, context, status_code=status)


async def _mailboxes_context(request: Request, scope: int) -> dict[str, Any]:
    services = deps.services_of(request)
    term = request.query_params.get("q", "").strip().lower()
    found = await services.directory.mailboxes.list_mailboxes(scope, status="open")
    if term:
        found = tuple(
            m for m in found if term in m.address or term in show(m.address) or term in m.display_name.lower()
        )
    page = max(1, _int(request.query_params.get("page")) or 1)
    pages = max(1, -(-len(found) // _PAGE_SIZE))
    page = min(page, pages)
    rows: list[MailboxRow] = []
    for mailbox in found[(page - 1) * _PAGE_SIZE : page * _PAGE_SIZE]:
        usage = await services.mailstore.usage(mailbox.id)
        rows.append(
            MailboxRow(
                mailbox,
                show(mailbox.address),
                await _member_name(request, scope, mailbox.member_id),
                size_text(usage.used_bytes),
                size_text(mailbox.quota_bytes) if mailbox.quota_bytes is not None else "",
                str(mailbox.quota_bytes // _MB) if mailbox.quota_bytes is not None else "",
                usage.message_count,
            )
        )
    return {"rows": rows, "q": term, "page": page, "pages": pages, "total": len(found)}


async def _shared_context(request: Request, scope: int) -> dict[str, Any]:
    directory = deps.services_of(request).directory
    items = []
    for shared in await directory.shared_mailboxes.list_shared(scope):
        if shared.mailbox.status != "open":
            continue
        items.append(
            {
                "shared": shared,
                "address": show(shared.mailbox.address),
                "members": await _entries(request, scope, shared.member_ids),
            }
        )
    return {"items": items, "domains": await _domains(request, scope)}


async def _groups_context(request: Request, scope: int) -> dict[str, Any]:
    directory = deps.services_of(request).directory
    items = [
        {
            "group": group,
            "address": show(group.address),
            "members": await _entries(request, scope, group.member_ids),
            "addresses": [(a, show(a)) for a in group.addresses],
        }
        for group in await directory.groups.list_groups(scope)
    ]
    return {"items": items, "domains": await _domains(request, scope)}


async def _aliases_context(request: Request, scope: int) -> dict[str, Any]:
    directory = deps.services_of(request).directory
    targets = {m.id: show(m.address) for m in await directory.mailboxes.list_mailboxes(scope)}
    items = [
        {"alias": alias, "address": show(alias.address), "target": targets.get(alias.mailbox_id, "")}
        for alias in await directory.aliases.list_aliases(scope)
    ]
    return {"items": items, "domains": await _domains(request, scope)}


async def _recycle_context(request: Request, scope: int) -> dict[str, Any]:
    directory = deps.services_of(request).directory
    items = [
        {"entry": entry, "address": show(entry.mailbox.address)}
        for entry in await directory.mailboxes.recycle_bin(scope)
    ]
    return {"items": items}


async def _confirm_close(
    request: Request, principal: Principal, mailbox_id: int, *, error: YunmailError | None = None
) -> Response:
    mailbox = await _dir(request).mailboxes.get(_scope(principal), mailbox_id)
    return _confirm(request, "admin/mailboxes_close.html", mailbox, error)


async def _confirm_purge(
    request: Request, principal: Principal, mailbox_id: int, *, error: YunmailError | None = None
) -> Response:
    mailbox = await _dir(request).mailboxes.get(_scope(principal), mailbox_id)
    return _confirm(request, "admin/recycle_bin_purge.html", mailbox, error)


def _confirm(request: Request, template: str, mailbox: Mailbox, error: YunmailError | None) -> Response:
    context: dict[str, Any] = {
        "mailbox": mailbox,
        "address": show(mailbox.address),
        "retention_days": deps.services_of(request).settings.limits.recycle_bin_days,
    }
    status = 200
    if error is not None:
        status = error.http_status
        context["error"] = error.text(language_of(request))
        context["error_code"] = error.code
    return _pages(request).render(request, template, context, status_code=status)


# --- small helpers -----------------------------------------------------------------------------------


async def _entries(request: Request, scope: int, member_ids: tuple[int, ...]) -> list[Entry]:
    members = deps.services_of(request).directory.members
    found: list[Entry] = []
    for member_id in member_ids:
        try:
            member = await members.get(scope, member_id)
        except NotFound:
            continue  # deleted meanwhile
        found.append(Entry(member.id, member.name, member.account))
    return found


async def _member_name(request: Request, scope: int, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    try:
        return (await deps.services_of(request).directory.members.get(scope, member_id)).name
    except NotFound:
        return None


async def _domains(request: Request, scope: int) -> list[tuple[int, str]]:
    return [(d.id, d.display_name) for d in await deps.services_of(request).domains.list_domains(scope)]


def _quota_bytes(text: str) -> int | None:
    """Megabytes typed into the quota field; empty means unlimited."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > _MAX_QUOTA_MB:
        raise QuotaInvalid()
    return int(text) * _MB


def show(address: str) -> str:
    """An address as people read it: the domain as U-label (``例子.中国``)."""
    local, at, domain = address.rpartition("@")
    return f"{local}@{to_unicode(domain)}" if at else address


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover - the loop always returns


def _flash(request: Request) -> dict[str, Any]:
    key = _DONE.get(request.query_params.get("done", ""))
    if key is None:
        return {}
    return {"flash": _pages(request).catalogue.gettext(language_of(request), key), "flash_kind": "ok"}


def _dir(request: Request) -> Directory:
    return deps.services_of(request).directory


def _scope(principal: Principal) -> int:
    return deps.enterprise_scope(principal)


def _actor(principal: Principal, request: Request) -> str:
    return deps.actor_of(principal, request)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: object) -> int:
    text = _text(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages
