"""Reading a message: headers, sanitised body in a sandboxed frame, remote images, attachments, raw source.

* ``GET /mail/{folder}/{uid}``: the read page; opening it marks the message read. A bounce shows its
  classified cause and advice on top (``meta["bounce"]`` of notices Yunmail wrote, else the parsed
  DSN of a remote server's report). ``?images=1`` allows remote images for this message only.
* ``GET /mail/{folder}/{uid}/body``: the body document for the frame (``body_view``, own strict CSP).
* ``GET /mail/{folder}/{uid}/part/{section}``: one attachment, always as a download
  (``Content-Disposition: attachment``, RFC 6266 file name, declared type, ``nosniff`` and a
  sandboxing CSP); only raster images referenced by ``cid:`` may be shown inline.
* ``GET /mail/{folder}/{uid}/raw``: the message source as ``text/plain``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from yunmail.auth import Principal
from yunmail.delivery import BounceCause, BounceCauseId, parse_dsn
from yunmail.errors import AttachmentNotFound, MessageNotFound
from yunmail.mailstore import FLAGGED, SEEN, Folder, MessageInfo
from yunmail.mime import ParsedMessage, Part, parse_message, part_bytes
from yunmail.web import deps
from yunmail.web.webmail import body_view
from yunmail.web.webmail import mailbox_view as view

STRINGS: Mapping[str, tuple[str, str]] = {
    "webmail.read.from": ("From", "发件人"),
    "webmail.read.to": ("To", "收件人"),
    "webmail.read.cc": ("Cc", "抄送"),
    "webmail.read.bcc": ("Bcc", "密送"),
    "webmail.read.reply_to": ("Reply to", "回复至"),
    "webmail.read.date": ("Date", "时间"),
    "webmail.read.reply": ("Reply", "回复"),
    "webmail.read.reply_all": ("Reply all", "回复全部"),
    "webmail.read.forward": ("Forward", "转发"),
    "webmail.read.edit_draft": ("Edit draft", "编辑草稿"),
    "webmail.read.raw": ("View source", "查看源文件"),
    "webmail.read.back": ("Back to {folder}", "返回{folder}"),
    "webmail.read.attachments": ("Attachments ({n})", "附件（{n} 个）"),
    "webmail.read.download": ("Download", "下载"),
    "webmail.read.images_blocked": (
        "Remote images in this message are hidden to protect your privacy.",
        "为保护隐私，此邮件中的远程图片已隐藏。",
    ),
    "webmail.read.show_images": ("Show images", "显示图片"),
    "webmail.read.body_title": ("Message text", "邮件正文"),
    "webmail.read.bounce_title": ("This message could not be delivered", "邮件未能送达"),
    "webmail.read.bounce_delay": ("Delivery is delayed", "邮件投递延迟"),
    "webmail.read.bounce_recipient": ("Recipient", "收件人"),
    "webmail.read.bounce_cause": ("Cause", "原因"),
    "webmail.read.bounce_advice": ("What to do", "处理建议"),
    "webmail.read.bounce_reply": ("Server reply", "对方服务器回复"),
    "webmail.read.junk_note": (
        "This message was put in Junk. If it is not spam, move it back to the inbox.",
        "此邮件被判定为垃圾邮件。如果判断有误，可将其移回收件箱。",
    ),
    "webmail.read.virus_note": (
        "A virus was found in this message; it is kept in quarantine. Do not open its attachments.",
        "此邮件中检测到病毒，已被隔离。请勿打开其中的附件。",
    ),
}

_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
_DOWNLOAD_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox"
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})


def router() -> APIRouter:
    routes = APIRouter(include_in_schema=False)
    routes.add_api_route("/mail/{folder}/{uid}", read_page, methods=["GET"])
    routes.add_api_route("/mail/{folder}/{uid}/body", body, methods=["GET"])
    routes.add_api_route("/mail/{folder}/{uid}/part/{section}", attachment, methods=["GET"])
    routes.add_api_route("/mail/{folder}/{uid}/raw", raw_source, methods=["GET"])
    return routes


@dataclass(frozen=True, slots=True)
class Loaded:
    folders: list[Folder]
    folder: Folder
    info: MessageInfo
    parsed: ParsedMessage
    data: bytes


async def load(request: Request, principal: Principal, slug: str, uid: int) -> Loaded:
    """The member's message ``uid`` in folder ``slug`` with its bytes and cached parse."""
    store = deps.services_of(request).mailstore
    mailbox_id = view.mailbox_of(principal)
    folders = await store.list_folders(mailbox_id)
    folder = view.find_folder(folders, slug)
    infos = await store.fetch_messages(mailbox_id, folder.id, [uid])
    if not infos:
        raise MessageNotFound()
    info = infos[0]
    parsed = view.parsed_of(info)
    data = await store.read_message(mailbox_id, folder.id, uid)
    if parsed is None:
        parsed = await asyncio.to_thread(parse_message, data)
    return Loaded(folders, folder, info, parsed, data)


def section_text(section: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in section)


def _section(text: str) -> tuple[int, ...]:
    pieces = text.split(".")
    if not pieces or not all(p.isdigit() and len(p) < 6 for p in pieces):
        raise AttachmentNotFound()
    return tuple(int(p) for p in pieces)


def _cid_resolver(loaded: Loaded) -> dict[str, str]:
    found: dict[str, str] = {}
    for attachment in loaded.parsed.attachments:
        if attachment.content_id and attachment.mime_type in _INLINE_IMAGES:
            key = attachment.content_id.strip().strip("<>").strip()
            found[key] = view.message_url(
                loaded.folder, loaded.info.uid, f"/part/{section_text(attachment.section)}?inline=1"
            )
    return found


def _document(loaded: Loaded, images: bool) -> body_view.BodyDocument:
    cids = _cid_resolver(loaded)
    return body_view.body_document(
        loaded.data, loaded.parsed, allow_remote_images=images, cid_url=lambda cid: cids.get(cid.strip("<> "))
    )


async def read_page(
    request: Request, folder: str, uid: int, images: int = 0, principal: Principal = Depends(deps.member)
) -> Response:
    services = deps.services_of(request)
    loaded = await load(request, principal, folder, uid)
    info, parsed, current = loaded.info, loaded.parsed, loaded.folder
    folders = loaded.folders
    if SEEN not in info.flags:
        await services.mailstore.set_flags(current.mailbox_id, current.id, [uid], [SEEN])
        folders = await services.mailstore.list_folders(current.mailbox_id)  # unread counts changed
    document = await asyncio.to_thread(_document, loaded, bool(images))
    t = view.translator(request)
    lang = deps.language(request)
    suffix = "?images=1" if images else ""
    attachments = [
        {
            "name": a.filename or ("message.eml" if a.mime_type == "message/rfc822" else "attachment"),
            "type": a.mime_type,
            "size": _size(a.approx_decoded_size),
            "url": view.message_url(current, uid, f"/part/{section_text(a.section)}"),
        }
        for a in parsed.attachments
        if not (a.inline and a.content_id and a.mime_type in _INLINE_IMAGES and document.is_html)
    ]
    context: dict[str, Any] = {
        "folders": view.folder_entries(folders, current, t),
        "current": current,
        "current_label": view.folder_label(current, t),
        "list_url": view.folder_url(current),
        "uid": uid,
        "subject": info.subject or t("webmail.mail.no_subject"),
        "from_": [a.display() for a in parsed.from_],
        "to": [a.display() for a in parsed.to],
        "cc": [a.display() for a in parsed.cc],
        "bcc": [a.display() for a in parsed.bcc],
        "reply_to": [a.display() for a in parsed.reply_to if a not in parsed.from_],
        "date": view.full_time(info.sent_date or info.internal_date),
        "flagged": FLAGGED in info.flags,
        "attachments": attachments,
        "body_url": view.message_url(current, uid, "/body" + suffix),
        "images_url": view.message_url(current, uid, "?images=1"),
        "remote_blocked": document.remote_blocked and not images,
        "raw_url": view.message_url(current, uid, "/raw"),
        "self_url": view.message_url(current, uid),
        "bulk_url": view.folder_url(current, "/bulk"),
        "move_targets": [
            e for e in view.folder_entries(loaded.folders, None, t) if e.folder.id != current.id
        ],
        "bounces": await _bounces(loaded, lang),
        "is_quarantine": current.special_use in view.QUARANTINE,
        "is_junk": current.special_use is not None and current.special_use.value == "junk",
        "is_virus": current.special_use is not None and current.special_use.value == "virus",
        "is_trash": current.special_use is not None and current.special_use.value == "trash",
        "is_draft": current.special_use is not None and current.special_use.value == "drafts",
        "compose_query": f"folder={quote(view.folder_slug(current), safe='')}",
    }
    return view.render(request, "webmail/message.html", context)


def _size(octets: int) -> str:
    if octets < 1024:
        return f"{octets} B"
    if octets < 1024 * 1024:
        return f"{octets / 1024:.0f} KB"
    return f"{octets / 1024 / 1024:.1f} MB"


@dataclass(frozen=True, slots=True)
class BounceNote:
    recipient: str
    title: str
    explanation: str
    advice: str
    reply: str
    delay: bool


async def _bounces(loaded: Loaded, lang: str) -> list[BounceNote]:
    meta = loaded.info.meta.get("bounce") if isinstance(loaded.info.meta, Mapping) else None
    if isinstance(meta, Mapping):
        note = _note_from_meta(meta, lang)
        return [note] if note is not None else []
    root = loaded.parsed.root
    senders = {a.local_part.lower() for a in loaded.parsed.from_}
    if root.mime_type != "multipart/report" and not senders & _BOUNCE_SENDERS:
        return []
    dsn = await asyncio.to_thread(parse_dsn, loaded.data)
    if dsn is None:
        return []
    notes = []
    for recipient in dsn.recipients[:20]:
        cause = recipient.cause
        if cause is None:
            continue
        notes.append(
            BounceNote(
                recipient=recipient.final_recipient,
                title=cause.title(lang),
                explanation=cause.explanation(lang),
                advice=cause.advice(lang),
                reply=recipient.diagnostic_code or cause.text,
                delay=recipient.action.lower() == "delayed",
            )
        )
    return notes


def _note_from_meta(meta: Mapping[str, Any], lang: str) -> BounceNote | None:
    try:
        cause = BounceCause(
            cause=BounceCauseId(str(meta.get("cause"))),
            permanent=bool(meta.get("permanent", True)),
            reply_code=meta.get("reply_code"),
            enhanced=meta.get("enhanced"),
            text=str(meta.get("reply") or ""),
            basis=str(meta.get("basis") or ""),
        )
    except ValueError:
        return None
    return BounceNote(
        recipient=str(meta.get("recipient") or ""),
        title=cause.title(lang),
        explanation=cause.explanation(lang),
        advice=cause.advice(lang),
        reply=cause.text,
        delay=meta.get("kind") == "delay",
    )


async def body(
    request: Request, folder: str, uid: int, images: int = 0, principal: Principal = Depends(deps.member)
) -> Response:
    loaded = await load(request, principal, folder, uid)
    document = await asyncio.to_thread(_document, loaded, bool(images))
    return HTMLResponse(
        document.html,
        headers={
            "content-security-policy": body_view.body_policy(bool(images)),
            "cache-control": "private, no-store",
            "referrer-policy": "no-referrer",
        },
    )


def _find_part(parsed: ParsedMessage, section: tuple[int, ...]) -> Part:
    for attachment in parsed.attachments:
        if attachment.section == section:
            part = parsed.find_part(section)
            if part is not None and not part.is_multipart:
                return part
    raise AttachmentNotFound()


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266: an ASCII ``filename`` fallback and the exact name as RFC 8187 ``filename*``."""
    name = (
        "".join("_" if ch in '\\/"\r\n\x00' or ord(ch) < 32 else ch for ch in filename).strip(". ") or "file"
    )
    fallback = "".join(ch if 32 <= ord(ch) < 127 else "_" for ch in name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def attachment(
    request: Request,
    folder: str,
    uid: int,
    section: str,
    inline: int = 0,
    principal: Principal = Depends(deps.member),
) -> Response:
    loaded = await load(request, principal, folder, uid)
    part = _find_part(loaded.parsed, _section(section))
    mime_type = part.mime_type if _TYPE.fullmatch(part.mime_type) else "application/octet-stream"
    content = await asyncio.to_thread(part_bytes, loaded.data, part)
    name = part.filename or ("message.eml" if mime_type == "message/rfc822" else "attachment")
    kind = "inline" if inline and mime_type in _INLINE_IMAGES else "attachment"
    media_type = mime_type
    if part.content_type == "text" and part.charset and _TYPE.fullmatch(f"x/{part.charset.lower()}"):
        media_type = f"{mime_type}; charset={part.charset.lower()}"
    return Response(
        content,
        media_type=media_type,
        headers={
            "content-disposition": content_disposition(kind, name),
            "content-security-policy": _DOWNLOAD_POLICY,
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        },
    )


async def raw_source(
    request: Request, folder: str, uid: int, download: int = 0, principal: Principal = Depends(deps.member)
) -> Response:
    loaded = await load(request, principal, folder, uid)
    kind = "attachment" if download else "inline"
    return Response(
        loaded.data,
        media_type="text/plain; charset=utf-8",
        headers={
            "content-disposition": content_disposition(kind, f"message-{uid}.eml"),
            "content-security-policy": _DOWNLOAD_POLICY,
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        },
    )
