"""Compose, reply, reply-all, forward, drafts and sending.

* ``GET /compose``: a new message; ``?reply=<uid>&folder=<folder>`` (also ``reply_all``, ``forward``)
  starts from a message, ``?draft=<uid>`` reopens a draft, ``?to=`` fills in a recipient;
* ``POST /compose``: ``action=send`` (through ``sending.send``: identity, limits, recipient cap),
  ``action=save`` (draft, then back to the form) or ``action=discard``; errors re-show the form
  with the member's input and the error in their language;
* ``POST /compose/draft``: the page script's auto-save (every 15 s while the form changed): JSON
  ``{draft, attachments, saved_at}``;
* ``GET /compose/contacts?q=``: enterprise address book suggestions (members with a mailbox,
  groups, shared mailboxes) for the recipient fields.

Scheduled sending is not offered: the outbound queue has no not-before time for local delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import JSONResponse, RedirectResponse, Response

from yunmail.auth import Principal
from yunmail.errors import AttachmentsTooLarge, InvalidInput, YunmailError
from yunmail.mailstore import SpecialUse
from yunmail.mime import (
    draft_field,
    format_addresses,
    forward_subject,
    message_text,
    quote_text,
    reply_recipients,
    reply_subject,
    reply_threading,
)
from yunmail.web import deps
from yunmail.web.webmail import mailbox_view as view
from yunmail.web.webmail import read_pages, sending

AUTOSAVE_SECONDS = 15
MAX_FORM_FIELD_BYTES = 4 * 1024 * 1024  # the body text

STRINGS: Mapping[str, tuple[str, str]] = {
    "webmail.compose.title": ("New message", "写邮件"),
    "webmail.compose.from": ("From", "发件人"),
    "webmail.compose.to": ("To", "收件人"),
    "webmail.compose.cc": ("Cc", "抄送"),
    "webmail.compose.bcc": ("Bcc", "密送"),
    "webmail.compose.subject": ("Subject", "主题"),
    "webmail.compose.body": ("Message", "正文"),
    "webmail.compose.attachments": ("Attachments (up to 100 MB in total)", "附件（总计不超过 100 MB）"),
    "webmail.compose.kept": ("Attached", "已添加的附件"),
    "webmail.compose.separately": (
        "Send separately to each recipient (each sees only their own address)",
        "分别发送（每位收件人只看到自己的地址）",
    ),
    "webmail.compose.send": ("Send", "发送"),
    "webmail.compose.save": ("Save draft", "存草稿"),
    "webmail.compose.discard": ("Discard draft", "丢弃草稿"),
    "webmail.compose.saved": ("Draft saved.", "草稿已保存。"),
    "webmail.compose.autosaved": ("Draft saved at {time}", "草稿已于 {time} 自动保存"),
    "webmail.compose.autosave_failed": ("Could not save the draft", "草稿保存失败"),
    "webmail.compose.recipients_hint": (
        "Separate addresses with commas; names from the address book are suggested as you type.",
        "多个地址用逗号分隔；输入时会提示通讯录中的联系人。",
    ),
    "webmail.compose.wrote": ("On {date}, {who} wrote:", "{date}，{who} 写道："),
    "webmail.compose.forwarded": (
        "---------- Forwarded message ----------",
        "---------- 转发的邮件 ----------",
    ),
    "webmail.compose.group": ("group", "邮件组"),
    "webmail.compose.shared": ("shared mailbox", "公共邮箱"),
}

_DONE = {"saved": "webmail.compose.saved"}


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/compose", compose_page, methods=["GET"])
    routes.add_api_route("/compose", compose_submit, methods=["POST"])
    routes.add_api_route("/compose/draft", autosave, methods=["POST"])
    routes.add_api_route("/compose/contacts", contacts, methods=["GET"])
    return routes


# --- the form ----------------------------------------------------------------------------------------


async def compose_page(request: Request, principal: Principal = Depends(deps.member)) -> Response:
    services = deps.services_of(request)
    params = request.query_params
    form = sending.ComposeForm(to=params.get("to", ""))
    kept: list[sending.KeptAttachment] = []
    t = view.translator(request)
    source_uid = next((params[k] for k in ("reply", "reply_all", "forward", "draft") if params.get(k)), "")
    if source_uid:
        if not source_uid.isdigit():
            raise InvalidInput(detail="uid")
        mode = next(k for k in ("reply", "reply_all", "forward", "draft") if params.get(k))
        slug = "Drafts" if mode == "draft" and not params.get("folder") else params.get("folder", "INBOX")
        if mode == "draft":
            folders = await services.mailstore.list_folders(view.mailbox_of(principal))
            slug = view.folder_slug(next(f for f in folders if f.special_use is SpecialUse.DRAFTS))
        loaded = await read_pages.load(request, principal, slug, int(source_uid))
        form, kept = await _prefill(request, principal, loaded, mode, t)
    if not params.get("draft"):
        form.body = await _with_signature(request, principal, form.body)
    done = params.get("done", "")
    return await _render(request, principal, form, kept, flash=t(_DONE[done]) if done in _DONE else None)


async def _with_signature(request: Request, principal: Principal, body: str) -> str:
    """The member's signature (mail settings) below the new text, above any quoted message."""
    assert principal.enterprise_id is not None
    automation = await deps.services_of(request).mailflow.automation.get(
        principal.enterprise_id, view.mailbox_of(principal)
    )
    if not automation.signature:
        return body
    # "-- " is the usual signature separator (RFC 3676 §4.3): clients can trim it from replies.
    return "\n\n-- \n" + automation.signature + ("\n" + body if body else "")


async def _prefill(
    request: Request, principal: Principal, loaded: read_pages.Loaded, mode: str, t: Any
) -> tuple[sending.ComposeForm, list[sending.KeptAttachment]]:
    parsed, data, folder, uid = loaded.parsed, loaded.data, loaded.folder, loaded.info.uid
    text = message_text(data, parsed)
    if mode == "draft":
        form = sending.ComposeForm(
            to=draft_field(data, parsed, "to"),
            cc=draft_field(data, parsed, "cc"),
            bcc=draft_field(data, parsed, "bcc"),
            subject=parsed.subject,
            body=text,
            draft=uid,
            in_reply_to=f"<{parsed.in_reply_to}>" if parsed.in_reply_to else "",
            references=" ".join(f"<{ref}>" for ref in parsed.references),
            from_addr=parsed.from_[0].addr_spec if parsed.from_ else "",
        )
        kept = sending.kept_attachments(folder.id, uid, data)
        form.keep = [k.key for k in kept]
        return form, kept
    when = view.full_time(loaded.info.sent_date or loaded.info.internal_date)
    author = format_addresses(parsed.from_) or loaded.info.from_addr
    if mode in ("reply", "reply_all"):
        own = [a.addr_spec for a in await sending.identities(request, principal)]
        to, cc = reply_recipients(parsed, own, reply_all=mode == "reply_all")
        in_reply_to, references = reply_threading(parsed)
        wrote = t("webmail.compose.wrote").format(date=when, who=author)
        return (
            sending.ComposeForm(
                to=", ".join(a.display() for a in to),
                cc=", ".join(a.display() for a in cc),
                subject=reply_subject(parsed.subject),
                body=quote_text(text, wrote),
                in_reply_to=in_reply_to or "",
                references=" ".join(references),
                reply_source=f"{folder.id}:{uid}",
            ),
            [],
        )
    header_lines = [
        t("webmail.compose.forwarded"),
        f"{t('webmail.read.from')}: {author}",
        f"{t('webmail.read.date')}: {when}",
        f"{t('webmail.compose.subject')}: {parsed.subject}",
        f"{t('webmail.read.to')}: {format_addresses(parsed.to)}",
    ]
    if parsed.cc:
        header_lines.append(f"{t('webmail.read.cc')}: {format_addresses(parsed.cc)}")
    kept = sending.kept_attachments(folder.id, uid, data)
    form = sending.ComposeForm(
        subject=forward_subject(parsed.subject),
        body="\n\n" + "\n".join(header_lines) + "\n\n" + text,
        keep=[k.key for k in kept],
        forward_source=f"{folder.id}:{uid}",
    )
    return form, kept


async def _render(
    request: Request,
    principal: Principal,
    form: sending.ComposeForm,
    kept: list[sending.KeptAttachment],
    *,
    flash: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    choices = await sending.identities(request, principal)
    context = {
        "form": form,
        "kept": [k for k in kept if k.key in form.keep],
        "identities": [a.display() for a in choices],
        "identity_values": [a.addr_spec for a in choices],
        "flash": flash,
        "error": error,
        "autosave_seconds": AUTOSAVE_SECONDS,
    }
    return view.render(request, "webmail/compose.html", context, status_code=status_code)


# --- submitting --------------------------------------------------------------------------------------


async def _read_form(request: Request) -> tuple[sending.ComposeForm, list[sending.Upload], FormData]:
    data = await request.form(max_part_size=MAX_FORM_FIELD_BYTES, max_files=200)

    def text(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    draft = text("draft")
    form = sending.ComposeForm(
        from_addr=text("from"),
        to=text("to"),
        cc=text("cc"),
        bcc=text("bcc"),
        subject=text("subject"),
        body=text("body").replace("\r\n", "\n"),
        separately=text("separately") == "1",
        draft=int(draft) if draft.isdigit() else None,
        keep=[v for v in data.getlist("keep") if isinstance(v, str)],
        in_reply_to=text("in_reply_to"),
        references=text("references"),
        reply_source=text("reply_source"),
        forward_source=text("forward_source"),
    )
    uploads: list[sending.Upload] = []
    total = 0
    for item in data.getlist("attachments"):
        if isinstance(item, UploadFile) and item.filename:
            content = await item.read()
            total += len(content)
            if total > sending.MAX_ATTACHMENT_BYTES:
                raise AttachmentsTooLarge(limit=sending.MAX_ATTACHMENT_BYTES // (1024 * 1024))
            uploads.append(sending.clean_upload(item.filename, item.content_type or "", content))
    return form, uploads, data


async def compose_submit(request: Request, principal: Principal = Depends(deps.member)) -> Response:
    form, uploads, data = await _read_form(request)
    action = data.get("action")
    try:
        if action == "discard":
            if form.draft is not None:
                await sending.discard_draft(request, principal, form.draft)
            return RedirectResponse("/mail/?done=draft_deleted", status_code=303)
        if action == "save":
            uid, _ = await sending.save_draft(request, principal, form, uploads)
            return RedirectResponse(f"/compose?draft={uid}&done=saved", status_code=303)
        done = await sending.send(request, principal, form, uploads, client_ip=deps.remote_ip(request))
    except YunmailError as exc:
        kept = await _kept_for(request, principal, form)
        return await _render(
            request,
            principal,
            form,
            kept,
            error=exc.text(deps.language(request)),
            status_code=exc.http_status,
        )
    return RedirectResponse(f"/mail/?done={done}", status_code=303)


async def _kept_for(
    request: Request, principal: Principal, form: sending.ComposeForm
) -> list[sending.KeptAttachment]:
    """Names of the carried attachments to show again after an error (unknown keys are dropped)."""
    services = deps.services_of(request)
    kept: list[sending.KeptAttachment] = []
    for key in form.keep:
        try:
            folder_id, uid, _ = key.split(":")
            data = await services.mailstore.read_message(
                principal.require_mailbox(), int(folder_id), int(uid)
            )
        except (ValueError, YunmailError):
            continue
        kept.extend(k for k in sending.kept_attachments(int(folder_id), int(uid), data) if k.key == key)
    form.keep = [k.key for k in kept]
    return kept


async def autosave(request: Request, principal: Principal = Depends(deps.member)) -> Response:
    services = deps.services_of(request)
    form, uploads, _ = await _read_form(request)
    try:
        uid, kept = await sending.save_draft(request, principal, form, uploads)
    except YunmailError as exc:
        return JSONResponse(exc.as_dict(deps.language(request)), status_code=exc.http_status)
    saved_at = view.local_time(services.clock.now()).strftime("%H:%M:%S")
    return JSONResponse(
        {
            "draft": uid,
            "attachments": [{"key": k.key, "name": k.name, "size": k.size} for k in kept],
            "saved_at": saved_at,
            "message": view.translator(request)("webmail.compose.autosaved").format(time=saved_at),
        }
    )


# --- address book --------------------------------------------------------------------------------------


async def contacts(request: Request, q: str = "", principal: Principal = Depends(deps.member)) -> Response:
    services = deps.services_of(request)
    enterprise_id = deps.enterprise_scope(principal)
    term = q.strip()[:64]
    found: list[dict[str, str]] = []
    if term:
        t = view.translator(request)
        page = await services.directory.members.search(
            enterprise_id, term, status="active", has_mailbox=True, limit=8
        )
        for member in page.items:
            try:
                mailbox = await services.directory.mailboxes.for_member(enterprise_id, member.id)
            except YunmailError:
                continue
            found.append({"name": member.name, "address": mailbox.display_address, "kind": ""})
        needle = term.casefold()
        for group in await services.directory.groups.list_groups(enterprise_id):
            if needle in group.name.casefold() or needle in group.address.casefold():
                found.append(
                    {"name": group.name, "address": group.address, "kind": t("webmail.compose.group")}
                )
        for shared in await services.directory.shared_mailboxes.list_shared(enterprise_id):
            box = shared.mailbox
            if box.status == "open" and (needle in box.display_name.casefold() or needle in box.address):
                found.append(
                    {
                        "name": box.display_name,
                        "address": box.display_address,
                        "kind": t("webmail.compose.shared"),
                    }
                )
    items = [
        {**item, "label": f"{item['name']} <{item['address']}>" if item["name"] else item["address"]}
        for item in found[:12]
    ]
    return JSONResponse({"contacts": items}, headers={"cache-control": "private, no-store"})
