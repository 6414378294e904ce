"""Mailbox views: folder list, message list grouped by day, search, bulk actions, new-mail notification.

* ``GET /`` sends a signed-in member to ``/mail/`` and anyone else to ``/login``;
* ``GET /mail/`` (the inbox) and ``/mail/{folder}``: folders with unread counts, messages newest
  first, ``PAGE_SIZE`` a page, grouped by day in the member's time zone;
* ``GET /search``: subject, from, to, body text (Chinese too), date range, with attachments;
* ``POST /mail/{folder}/bulk``: move, delete (to Trash; in Trash: expunge), flag, read/unread,
  "not spam" (Junk/Virus back to the inbox) for the selected UIDs, then back to the list;
* ``GET /mail/events``: Server-Sent Events fed by ``MailStore.subscribe`` (one ``changed`` event per
  change; each stream ends after ``STREAM_SECONDS`` and the browser reconnects with the last id),
  and ``GET /mail/status``: the JSON the page script fetches on an event (unread counts, new mail).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from yunmail.auth import Principal
from yunmail.errors import InvalidInput, YunmailError
from yunmail.events import SubscriptionClosed
from yunmail.mailstore import (
    DELETED,
    FLAGGED,
    SEEN,
    AllMessages,
    And,
    BodyContains,
    Changed,
    FlagMode,
    Folder,
    HeaderContains,
    MessageSummary,
    Received,
    SearchKey,
    SpecialUse,
    TextContains,
)
from yunmail.web import deps
from yunmail.web.webmail import mailbox_view as view

STREAM_SECONDS = 25.0
KEEPALIVE_SECONDS = 10.0
SEARCH_SCAN_LIMIT = 2000  # newest matches looked at when filtering on attachments

STRINGS: Mapping[str, tuple[str, str]] = {
    "webmail.nav.mail": ("Mail", "邮件"),
    "webmail.nav.compose": ("Compose", "写信"),
    "webmail.nav.contacts": ("Contacts", "通讯录"),
    "webmail.nav.settings": ("Settings", "设置"),
    **view.FOLDER_STRINGS,
    "webmail.mail.folders": ("Folders", "文件夹"),
    "webmail.mail.empty": ("No messages here.", "这里没有邮件。"),
    "webmail.mail.select_all": ("Select all", "全选"),
    "webmail.mail.select": ("Select", "选择"),
    "webmail.mail.move_to": ("Move to", "移动到"),
    "webmail.mail.move": ("Move", "移动"),
    "webmail.mail.delete": ("Delete", "删除"),
    "webmail.mail.delete_forever": ("Delete forever", "彻底删除"),
    "webmail.mail.flag": ("Flag", "标记旗标"),
    "webmail.mail.unflag": ("Remove flag", "取消旗标"),
    "webmail.mail.read": ("Mark read", "标为已读"),
    "webmail.mail.unread": ("Mark unread", "标为未读"),
    "webmail.mail.not_spam": ("Not spam", "这不是垃圾邮件"),
    "webmail.mail.flagged": ("Flagged", "已加旗标"),
    "webmail.mail.has_attachment": ("Has attachments", "有附件"),
    "webmail.mail.unread_mark": ("Unread", "未读"),
    "webmail.mail.unread_count": ("{n} unread", "{n} 封未读"),
    "webmail.mail.new_one": ("1 new message arrived.", "收到 1 封新邮件。"),
    "webmail.mail.new_many": ("{n} new messages arrived.", "收到 {n} 封新邮件。"),
    "webmail.mail.show_new": ("Show", "查看"),
    "webmail.mail.total": ("{total} messages", "共 {total} 封"),
    "webmail.mail.done.moved": ("Moved.", "已移动。"),
    "webmail.mail.done.deleted": ("Moved to Trash.", "已移到“已删除”。"),
    "webmail.mail.done.expunged": ("Deleted for good.", "已彻底删除。"),
    "webmail.mail.done.flagged": ("Updated.", "已更新。"),
    "webmail.mail.done.not_spam": ("Moved to the inbox.", "已移回收件箱。"),
    "webmail.mail.done.sent": ("Message sent.", "邮件已发送。"),
    "webmail.mail.done.sent_separately": (
        "Sent separately to each recipient.",
        "已分别发送给每位收件人。",
    ),
    "webmail.mail.done.draft_deleted": ("Draft discarded.", "草稿已丢弃。"),
    "webmail.mail.done.none": ("Select at least one message first.", "请先选择邮件。"),
    "webmail.search.title": ("Search mail", "搜索邮件"),
    "webmail.search.words": (
        "Words (subject, sender, recipients, text)",
        "关键词（主题、发件人、收件人、正文）",
    ),
    "webmail.search.subject": ("Subject", "主题"),
    "webmail.search.from": ("From", "发件人"),
    "webmail.search.to": ("To", "收件人"),
    "webmail.search.body": ("Text", "正文"),
    "webmail.search.since": ("From date", "开始日期"),
    "webmail.search.until": ("To date", "结束日期"),
    "webmail.search.attachment": ("Only with attachments", "仅含附件的邮件"),
    "webmail.search.folder": ("Folder", "文件夹"),
    "webmail.search.results": ("{total} found", "找到 {total} 封"),
    "webmail.search.quick": ("Search this folder", "搜索此文件夹"),
    "webmail.search.advanced": ("Advanced search", "高级搜索"),
}

_DONE_KEYS = {
    "moved",
    "deleted",
    "expunged",
    "flagged",
    "not_spam",
    "sent",
    "sent_separately",
    "draft_deleted",
    "none",
}
_ACTIONS = {"move", "delete", "flag", "unflag", "read", "unread", "not_spam"}


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/", home, methods=["GET"])
    routes.add_api_route("/mail", inbox, methods=["GET"])
    routes.add_api_route("/mail/", inbox, methods=["GET"])
    routes.add_api_route("/mail/events", events, methods=["GET"])
    routes.add_api_route("/mail/status", status, methods=["GET"])
    routes.add_api_route("/search", search_page, methods=["GET"])
    routes.add_api_route("/mail/{folder}", folder_page, methods=["GET"])
    routes.add_api_route("/mail/{folder}/bulk", bulk_action, methods=["POST"])
    return routes


async def home(request: Request) -> Response:
    token = deps.session_token(request, "webmail")
    if token is not None:
        try:
            principal = await deps.services_of(request).auth.sessions.validate(token)
        except YunmailError:
            principal = None
        if principal is not None and principal.kind == "member":
            return RedirectResponse("/mail/", status_code=303)
    return RedirectResponse(deps.LOGIN_PATHS["webmail"], status_code=303)


async def inbox(request: Request, page: int = 1, principal: Principal = Depends(deps.member)) -> Response:
    return await _list(request, principal, "INBOX", page)


async def folder_page(
    request: Request, folder: str, page: int = 1, principal: Principal = Depends(deps.member)
) -> Response:
    return await _list(request, principal, folder, page)


async def _list(request: Request, principal: Principal, slug: str, page: int) -> Response:
    store = deps.services_of(request).mailstore
    mailbox_id = view.mailbox_of(principal)
    folders = await store.list_folders(mailbox_id)
    current = view.find_folder(folders, slug)
    summaries = await store.list_messages(mailbox_id, current.id)
    return await _render_list(
        request, principal, folders, current, summaries, page, "webmail/mailbox.html", {}
    )


async def _render_list(
    request: Request,
    principal: Principal,
    folders: list[Folder],
    current: Folder,
    summaries: list[MessageSummary],
    page: int,
    template: str,
    extra: dict[str, Any],
) -> Response:
    services = deps.services_of(request)
    t = view.translator(request)
    lang = deps.language(request)
    ordered = sorted(summaries, key=lambda s: (s.internal_date, s.uid), reverse=True)
    total = len(ordered)
    pages = max(1, (total + view.PAGE_SIZE - 1) // view.PAGE_SIZE)
    page = min(max(1, page), pages)
    window = ordered[(page - 1) * view.PAGE_SIZE : page * view.PAGE_SIZE]
    infos = {}
    if window:
        fetched = await services.mailstore.fetch_messages(
            current.mailbox_id, current.id, [s.uid for s in window]
        )
        infos = {info.uid: info for info in fetched}
    now = services.clock.now()
    rows = view.message_rows(current, [infos[s.uid] for s in window if s.uid in infos], now, t, lang)
    done = request.query_params.get("done", "")
    context = {
        "folders": view.folder_entries(folders, current, t),
        "current": current,
        "current_label": view.folder_label(current, t),
        "current_url": view.folder_url(current),
        "groups": view.grouped(rows),
        "total": total,
        "page": page,
        "pages": pages,
        "start": (page - 1) * view.PAGE_SIZE + 1 if total else 0,
        "end": (page - 1) * view.PAGE_SIZE + len(window),
        "is_trash": current.special_use is SpecialUse.TRASH,
        "is_quarantine": current.special_use in view.QUARANTINE,
        "move_targets": [e for e in view.folder_entries(folders, None, t) if e.folder.id != current.id],
        "flash": t(f"webmail.mail.done.{done}") if done in _DONE_KEYS else None,
        "flash_kind": "warn" if done == "none" else "ok",
        "modseq": max((f.highestmodseq for f in folders), default=0),
        "self_url": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "prev_url": _page_url(request, page - 1) if page > 1 else None,
        "next_url": _page_url(request, page + 1) if page < pages else None,
        "folder_slug": view.folder_slug(current),
        **extra,
    }
    return view.render(request, template, context)


def _page_url(request: Request, page: int) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "done")]
    return request.url.path + "?" + urlencode([*query, ("page", str(page))])


# --- search ------------------------------------------------------------------------------------------


def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(detail=f"date {value!r} (use YYYY-MM-DD)") from None


def search_key(params: Mapping[str, str]) -> SearchKey | None:
    """The mail-store search for the form's fields; None when the form is empty."""
    keys: list[SearchKey] = []
    words = params.get("q", "").strip()
    if words:
        keys.append(TextContains(words))
    for name in ("subject", "from", "to"):
        value = params.get(name, "").strip()
        if value:
            keys.append(HeaderContains(name, value))
    body = params.get("body", "").strip()
    if body:
        keys.append(BodyContains(body))
    since, until = _day(params.get("since")), _day(params.get("until"))
    if since is not None or until is not None:
        keys.append(
            Received(
                since=_midnight(since) if since is not None else None,
                before=_midnight(until + dt.timedelta(days=1)) if until is not None else None,
            )
        )
    if not keys and params.get("attachment") != "1":
        return None
    if not keys:
        return AllMessages()
    return keys[0] if len(keys) == 1 else And(tuple(keys))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=view.MEMBER_TIMEZONE).astimezone(dt.UTC)


async def search_page(
    request: Request, page: int = 1, principal: Principal = Depends(deps.member)
) -> Response:
    services = deps.services_of(request)
    store = services.mailstore
    mailbox_id = view.mailbox_of(principal)
    folders = await store.list_folders(mailbox_id)
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    current = view.find_folder(folders, params.get("folder") or "INBOX")
    form = {name: params.get(name, "") for name in ("q", "subject", "from", "to", "body", "since", "until")}
    form["attachment"] = params.get("attachment", "")
    key = search_key(params)
    summaries: list[MessageSummary] = []
    if key is not None:
        uids = await store.search(mailbox_id, current.id, key)
        if uids:
            summaries = await store.list_messages(mailbox_id, current.id, uids)
        if params.get("attachment") == "1" and summaries:
            summaries = await _with_attachments(request, mailbox_id, current, summaries)
    return await _render_list(
        request,
        principal,
        folders,
        current,
        summaries,
        page,
        "webmail/search.html",
        {"form": form, "searched": key is not None},
    )


async def _with_attachments(
    request: Request, mailbox_id: int, folder: Folder, summaries: list[MessageSummary]
) -> list[MessageSummary]:
    # The store has no attachment search key: filter the newest matches on the cached flag.
    store = deps.services_of(request).mailstore
    newest = sorted(summaries, key=lambda s: (s.internal_date, s.uid), reverse=True)[:SEARCH_SCAN_LIMIT]
    keep: set[int] = set()
    for start in range(0, len(newest), 200):
        chunk = [s.uid for s in newest[start : start + 200]]
        keep.update(
            i.uid for i in await store.fetch_messages(mailbox_id, folder.id, chunk) if i.has_attachments
        )
    return [s for s in newest if s.uid in keep]


# --- bulk actions ------------------------------------------------------------------------------------


async def bulk_action(request: Request, folder: str, principal: Principal = Depends(deps.member)) -> Response:
    services = deps.services_of(request)
    store = services.mailstore
    mailbox_id = view.mailbox_of(principal)
    form = await request.form()
    folders = await store.list_folders(mailbox_id)
    current = view.find_folder(folders, folder)
    back = view.safe_next(_text(form.get("next")), view.folder_url(current))
    action = _text(form.get("action"))
    if action not in _ACTIONS:
        raise InvalidInput(detail="unknown action")
    uids = sorted({int(v) for v in form.getlist("uid") if isinstance(v, str) and v.isdigit()})
    if not uids:
        return RedirectResponse(_with_done(back, "none"), status_code=303)
    done = await apply_action(request, mailbox_id, folders, current, action, uids, _text(form.get("target")))
    return RedirectResponse(_with_done(back, done), status_code=303)


async def apply_action(
    request: Request,
    mailbox_id: int,
    folders: list[Folder],
    current: Folder,
    action: str,
    uids: list[int],
    target: str,
) -> str:
    store = deps.services_of(request).mailstore
    if action == "move":
        destination = view.find_folder(folders, target)
        if destination.id != current.id:
            await store.move_messages(mailbox_id, current.id, uids, destination.id)
        return "moved"
    if action == "delete":
        if current.special_use is SpecialUse.TRASH:
            await store.set_flags(mailbox_id, current.id, uids, [DELETED])
            await store.expunge(mailbox_id, current.id, uids)
            return "expunged"
        await store.move_messages(mailbox_id, current.id, uids, SpecialUse.TRASH)
        return "deleted"
    if action == "not_spam":
        await store.move_messages(mailbox_id, current.id, uids, SpecialUse.INBOX)
        return "not_spam"
    flag, mode = {
        "flag": (FLAGGED, FlagMode.ADD),
        "unflag": (FLAGGED, FlagMode.REMOVE),
        "read": (SEEN, FlagMode.ADD),
        "unread": (SEEN, FlagMode.REMOVE),
    }[action]
    await store.set_flags(mailbox_id, current.id, uids, [flag], mode=mode)
    return "flagged"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _with_done(url: str, done: str) -> str:
    base = url.split("?", 1)
    query = [p for p in (base[1].split("&") if len(base) > 1 else []) if not p.startswith("done=")]
    query.append(f"done={done}")
    return base[0] + "?" + "&".join(query)


# --- new-mail notification ---------------------------------------------------------------------------


async def events(request: Request, since: int = 0, principal: Principal = Depends(deps.member)) -> Response:
    """Server-Sent Events: ``changed`` with the mailbox MODSEQ whenever the mailbox changes."""
    mailbox_id = view.mailbox_of(principal)
    last = request.headers.get("last-event-id", "")
    start = int(last) if last.isdigit() else since
    subscription = await deps.services_of(request).mailstore.subscribe(
        mailbox_id, since_modseq=start if start > 0 else None
    )

    async def stream() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_SECONDS
        try:
            yield "retry: 1000\n\n"
            while (remaining := deadline - loop.time()) > 0:
                try:
                    change = await asyncio.wait_for(subscription.get(), min(remaining, KEEPALIVE_SECONDS))
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                except SubscriptionClosed:
                    return
                modseq = change.modseq if isinstance(change, Changed) else 0
                event_id = f"id: {modseq}\n" if modseq else ""
                yield f"event: changed\n{event_id}data: {json.dumps({'modseq': modseq})}\n\n"
        finally:
            await subscription.close()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


async def status(
    request: Request, folder: str = "INBOX", after: int = 0, principal: Principal = Depends(deps.member)
) -> Response:
    """Unread counts of every folder and the messages of ``folder`` with a UID above ``after``."""
    services = deps.services_of(request)
    store = services.mailstore
    mailbox_id = view.mailbox_of(principal)
    folders = await store.list_folders(mailbox_id)
    current = view.find_folder(folders, folder)
    fresh = [
        s.uid for s in await store.list_messages(mailbox_id, current.id, range(after + 1, current.uidnext))
    ]
    t = view.translator(request)
    rows = []
    if fresh:
        infos = await store.fetch_messages(mailbox_id, current.id, fresh[-20:])
        rows = view.message_rows(current, infos, services.clock.now(), t, deps.language(request))
    return JSONResponse(
        {
            "modseq": max((f.highestmodseq for f in folders), default=0),
            "uidnext": current.uidnext,
            "folders": [{"slug": view.folder_slug(f), "unseen": f.unseen} for f in folders],
            "new": [
                {"uid": r.uid, "url": r.url, "from": r.who, "subject": r.subject, "unread": r.unread}
                for r in rows
                if r.unread
            ],
            "new_count": len(fresh),
        },
        headers={"cache-control": "no-store"},
    )
