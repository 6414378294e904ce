"""What the store caches from a message's parse: structure JSON, header fields, preview and search text.

The structure comes from ``yunmail.mime.parse_message`` over the bytes a client reads (delivery
prefix + blob), so its offsets match ``read_message``; ``ParsedMessage.from_dict(info.parsed)``
rebuilds it for FETCH without re-parsing. The search text is kept once, case-folded, in
``message_texts`` (not again inside ``parsed``). Parsing is bounded by the mime package's limits
(depth, part count, text budget), so hostile input is indexed shallowly, never refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from yunmail.mime import parse_message
from yunmail.mime.header_search import address_column

MAX_MESSAGE_ID = 998  # the column's width (RFC 5322 line limit)


@dataclass(frozen=True, slots=True)
class CachedParse:
    parsed: Mapping[str, Any] = field(default_factory=dict)
    subject: str = ""
    from_addr: str = ""
    to_addr: str = ""
    cc_addr: str = ""
    message_id: str | None = None
    sent_date: dt.datetime | None = None
    preview: str = ""
    has_attachments: bool = False
    search_text: str = ""


def _storable(text: str) -> str:
    """Text every backend can store: no NUL (PostgreSQL), no lone surrogates (UTF-8)."""
    if "\x00" in text:
        text = text.replace("\x00", " ")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def index_message(data: bytes) -> CachedParse:
    """Parse ``data`` (prefix + body) into what the store caches; never raises on malformed input."""
    parsed = parse_message(data)
    structure = parsed.to_dict()
    structure["search_text"] = ""  # stored once, in message_texts
    message_id = _storable(parsed.message_id)[:MAX_MESSAGE_ID] if parsed.message_id else None
    return CachedParse(
        parsed=structure,
        subject=_storable(parsed.subject),
        # Group names stay in the search columns (RFC 5322 §3.4; IMAP FROM/TO/CC find them).
        from_addr=_storable(address_column(parsed.envelope.from_, parsed.from_display)),
        to_addr=_storable(address_column(parsed.envelope.to, parsed.to_display)),
        cc_addr=_storable(address_column(parsed.envelope.cc, parsed.cc_display)),
        message_id=message_id,
        sent_date=parsed.date.astimezone(dt.UTC) if parsed.date is not None else None,
        preview=_storable(parsed.preview),
        has_attachments=parsed.has_attachments,
        search_text=_storable(parsed.search_text).casefold(),
    )
