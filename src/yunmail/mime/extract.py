"""What a parsed structure offers people: the preview line, the search text and the attachment list.

Which parts are "the body": inline text/plain and text/html leaves; in multipart/alternative
(RFC 2046 §5.1.4) only the text/plain alternative if there is one, else the last (richest) one.
The search text also takes every other ``text/*`` leaf (the other alternatives, text attachments),
decoded, as IMAP BODY/TEXT search does in Dovecot; the preview comes from the body only.
Everything else that is a leaf is an attachment; inline images (Content-ID, no "attachment"
disposition, RFC 2387 multipart/related) are listed with ``inline=True``. A message/rfc822 part is
one attachment; its text still feeds the search text (forwarded mail is searchable) but not the
preview.

Work is bounded: at most :data:`SEARCH_TEXT_LIMIT` characters of search text, and each part's
encoded body is cut before decoding, so base64/QP decoding and HTML scanning stay linear in what
is kept. Archives are never opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from yunmail.mime.structure import AttachmentInfo, Part
from yunmail.mime.text import decode_text, decode_transfer_encoding, html_to_text

__all__ = ["PREVIEW_LENGTH", "SEARCH_TEXT_LIMIT", "Summary", "summarize"]

SEARCH_TEXT_LIMIT = 1_000_000
PREVIEW_LENGTH = 200
_PART_INPUT_LIMIT = 8 * 1024 * 1024
_BODY_TYPES = frozenset({"text/plain", "text/html"})


@dataclass(frozen=True, slots=True)
class Summary:
    preview: str
    search_text: str
    attachments: tuple[AttachmentInfo, ...]
    limits: tuple[str, ...]


def _is_body(part: Part) -> bool:
    if part.disposition == "attachment" or part.mime_type not in _BODY_TYPES:
        return False
    return part.disposition == "inline" or part.filename is None


def _best_alternative(children: tuple[Part, ...]) -> Part:
    for child in children:
        if child.mime_type == "text/plain" and _is_body(child):
            return child
    return children[-1]


def _clean(text: str) -> str:
    return text.replace("\x00", " ") if "\x00" in text else text


def _attachment(part: Part) -> AttachmentInfo:
    inline = part.disposition == "inline" or (
        part.disposition is None and part.content_id is not None and part.content_type == "image"
    )
    filename = part.filename
    return AttachmentInfo(
        section=part.section,
        filename=_clean(filename) if filename is not None else None,
        mime_type=part.mime_type,
        size=part.size,
        encoding=part.encoding,
        content_id=part.content_id,
        inline=inline,
    )


def summarize(data: bytes, root: Part, *, with_text: bool = True) -> Summary:
    """Preview, search text and attachments of a parsed message."""
    texts: list[tuple[Part, bool]] = []  # (part, shown in the preview?)
    attachments: list[AttachmentInfo] = []
    # (part, inside an embedded message, not the body: only searched)
    stack: list[tuple[Part, bool, bool]] = [(root, False, False)]
    while stack:
        part, embedded, aside = stack.pop()
        if part.is_multipart:
            children = part.children
            best = _best_alternative(children) if part.content_subtype == "alternative" and children else None
            stack.extend(
                (child, embedded, aside or (best is not None and child is not best))
                for child in reversed(children)
            )
        elif part.message is not None:
            if part is not root and not embedded:
                attachments.append(_attachment(part))
            stack.append((part.message, embedded or part is not root, aside))
        elif part.opaque:
            continue  # an unparsed container blob is neither body nor attachment
        elif _is_body(part) and not aside:
            texts.append((part, not embedded))
        else:
            if not embedded and not aside:
                attachments.append(_attachment(part))
            if part.content_type == "text":
                texts.append((part, False))
    if not with_text:
        return Summary("", "", tuple(attachments), ())
    return _texts(data, texts, tuple(attachments))


def _texts(data: bytes, texts: list[tuple[Part, bool]], attachments: tuple[AttachmentInfo, ...]) -> Summary:
    limits: set[str] = set()
    pieces: list[str] = []
    budget = SEARCH_TEXT_LIMIT
    preview = ""
    for part, shown in texts:
        if budget <= 0:
            limits.add("search_text")
            break
        # Input cut: base64 needs 4/3 bytes per byte, gb18030 up to 4 bytes per character, HTML
        # markup more; 8x the remaining budget is generous without being unbounded.
        take = min(part.size, _PART_INPUT_LIMIT, budget * 8 + 4096)
        if take < part.size:
            limits.add("search_text")
        raw = data[part.header_end : part.header_end + take]
        text = decode_text(decode_transfer_encoding(raw, part.encoding), part.charset)
        if part.content_subtype == "html":
            text = html_to_text(text, limit=budget)
        if len(text) >= budget:
            limits.add("search_text")
        text = _clean(text)[:budget]
        if not text:
            continue
        if not preview and shown:
            preview = " ".join(text[: PREVIEW_LENGTH * 8].split())[:PREVIEW_LENGTH]
        pieces.append(text)
        budget -= len(text) + 1
    return Summary(preview, "\n".join(pieces), attachments, tuple(sorted(limits)))
