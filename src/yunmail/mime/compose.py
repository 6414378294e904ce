"""Messages members write in webmail: recipients typed by people, replies, forwards and drafts.

Everything a person types goes into a header only through the safe builders in ``build``:

* a CR, LF or NUL in the subject or a recipient field is refused (``HeaderLineBreak``), never
  turned into a separator, so typed text can neither start a new header field nor add a recipient;
* recipient fields are split on ``,`` ``;`` (and their full-width forms) outside quotes and angle
  brackets, and every entry must be one valid mailbox (``AddressInvalid`` names the bad one);
* names and subjects are RFC 2047 encoded and folded by ``build``.

``compose`` returns two forms of the message: ``data``, which is what recipients get (no ``Bcc``
field, RFC 5322 §3.6.3 second method), and ``stored``, the sender's copy for Sent or Drafts (with
``Bcc``, so the sender still sees who got a blind copy). A draft also keeps the raw text of each
recipient field in ``X-Yunmail-Draft-*`` fields, so half-typed addresses survive a reload.

Replies follow RFC 5322 §3.6.4: ``In-Reply-To`` is the parent's Message-ID and ``References`` the
parent's References (or its In-Reply-To) followed by the parent's Message-ID.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from yunmail.errors import AddressInvalid, AttachmentNotFound, HeaderLineBreak
from yunmail.mime.address import Address, parse_address
from yunmail.mime.build import OutgoingAttachment, build_message, format_address_header, make_message_id
from yunmail.mime.encoded_words import decode_header_bytes
from yunmail.mime.headers import iter_header_fields
from yunmail.mime.structure import ParsedMessage
from yunmail.mime.text import message_body, part_bytes

__all__ = [
    "DRAFT_FIELDS",
    "ComposedMessage",
    "OutgoingMessage",
    "carried_attachment",
    "check_header_text",
    "compose",
    "draft_field",
    "forward_subject",
    "message_text",
    "quote_text",
    "reply_recipients",
    "reply_subject",
    "reply_threading",
    "split_recipients",
]

# Raw recipient text kept in drafts (one header field per compose field).
DRAFT_FIELDS = {"to": "X-Yunmail-Draft-To", "cc": "X-Yunmail-Draft-Cc", "bcc": "X-Yunmail-Draft-Bcc"}
_SEPARATORS = frozenset(",;，；")
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|sv|回复|答复)\s*(?:\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE)
_FORWARD_PREFIX = re.compile(r"^\s*(?:fwd?|转发)\s*[:：]", re.IGNORECASE)
_MSG_ID = re.compile(r"<[^<>\s]+>")
_MAX_REFERENCES = 20  # keep References short: the first (thread root) and the most recent ids


def check_header_text(field_name: str, value: str) -> str:
    """``value`` unchanged, or ``HeaderLineBreak`` when it holds CR, LF or NUL (header injection)."""
    if any(ch in value for ch in "\r\n\x00\u2028\u2029\x85"):
        raise HeaderLineBreak(field=field_name)
    return value


def split_recipients(text: str, field_name: str = "to", *, lenient: bool = False) -> tuple[Address, ...]:
    """Addresses typed into one recipient field; strict (``HeaderLineBreak``, ``AddressInvalid``).

    Duplicates (same address, any case) are kept once, in first position. ``lenient`` (drafts)
    skips entries that are not addresses yet instead of refusing them; line breaks never pass.
    """
    check_header_text(field_name, text)
    entries: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    angle = 0
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            angle += 1
        elif not quoted and ch == ">":
            angle = max(0, angle - 1)
        elif not quoted and angle == 0 and ch in _SEPARATORS:
            entries.append("".join(current))
            current = []
            continue
        current.append(ch)
    entries.append("".join(current))
    seen: set[str] = set()
    result: list[Address] = []
    for entry in entries:
        if not entry.strip():
            continue
        try:
            address = parse_address(entry.strip())
            if not address.domain:
                raise AddressInvalid(address=entry.strip())
        except AddressInvalid:
            if lenient:
                continue
            raise
        key = address.addr_spec.lower()
        if key not in seen:
            seen.add(key)
            result.append(address)
    return tuple(result)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message as the compose form describes it (already-parsed addresses)."""

    from_: Address
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    subject: str = ""
    text: str = ""
    html: str | None = None
    attachments: tuple[OutgoingAttachment, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    date: datetime | None = None
    message_id: str | None = None
    # Drafts: the raw text of each recipient field ({"to": "...", ...}), kept as typed.
    draft_fields: dict[str, str] = field(default_factory=dict)

    @property
    def recipients(self) -> tuple[Address, ...]:
        """Every envelope recipient (To, Cc, Bcc), each once."""
        seen: set[str] = set()
        out: list[Address] = []
        for address in (*self.to, *self.cc, *self.bcc):
            if address.addr_spec.lower() not in seen:
                seen.add(address.addr_spec.lower())
                out.append(address)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class ComposedMessage:
    data: bytes  # for the recipients: no Bcc field
    stored: bytes  # the sender's copy (Sent, Drafts): with Bcc
    message_id: str


def compose(message: OutgoingMessage) -> ComposedMessage:
    """Build the message bytes; raises ``HeaderLineBreak``/``InvalidInput`` on unsafe header text."""
    check_header_text("subject", message.subject)
    message_id = message.message_id or make_message_id(message.from_.domain or "localhost")
    headers: list[tuple[str, str]] = []
    if message.in_reply_to:
        headers.append(("In-Reply-To", _msg_ids(message.in_reply_to, "In-Reply-To")))
    if message.references:
        headers.append(("References", " ".join(_msg_ids(ref, "References") for ref in message.references)))
    for name, raw in sorted(message.draft_fields.items()):
        if name in DRAFT_FIELDS and raw.strip():
            headers.append((DRAFT_FIELDS[name], check_header_text(name, raw)))
    data = build_message(
        from_=message.from_,
        to=list(message.to),
        cc=list(message.cc),
        subject=message.subject,
        text=message.text,
        html=message.html,
        attachments=list(message.attachments),
        headers=headers,
        message_id=message_id,
        date=message.date,
    )
    stored = format_address_header("Bcc", list(message.bcc)) + data if message.bcc else data
    return ComposedMessage(data=data, stored=stored, message_id=message_id)


def _msg_ids(value: str, field_name: str) -> str:
    check_header_text(field_name, value)
    ids = _MSG_ID.findall(value)
    if not ids:
        raise HeaderLineBreak(field=field_name) if not value.strip() else AddressInvalid(address=value)
    return " ".join(ids)


# --- replies and forwards --------------------------------------------------------------------------


def reply_subject(subject: str) -> str:
    """``Re: subject``, without stacking prefixes (``Re: Re:``, ``回复：``)."""
    return "Re: " + _REPLY_PREFIX.sub("", subject).strip()


def forward_subject(subject: str) -> str:
    """``Fwd: subject`` (unchanged when it is already a forward)."""
    stripped = subject.strip()
    return stripped if _FORWARD_PREFIX.match(stripped) else f"Fwd: {stripped}"


def reply_threading(parent: ParsedMessage) -> tuple[str | None, tuple[str, ...]]:
    """``(In-Reply-To, References)`` for a reply to ``parent`` (RFC 5322 §3.6.4), as ``<id>`` forms."""
    parent_id = _bracketed(parent.message_id)
    refs = [ref for ref in (_bracketed(r) for r in parent.references) if ref is not None]
    if not refs and parent.in_reply_to:
        single = _bracketed(parent.in_reply_to)
        refs = [single] if single is not None else []
    if parent_id is not None:
        refs.append(parent_id)
    if len(refs) > _MAX_REFERENCES:
        refs = [refs[0], *refs[-(_MAX_REFERENCES - 1) :]]
    return parent_id, tuple(refs)


def _bracketed(value: str | None) -> str | None:
    """``<id>`` from a parsed id (stored without brackets) or a header value; None if unusable."""
    if not value:
        return None
    found = _MSG_ID.findall(value)
    if found:
        return str(found[0])
    bare = value.strip()
    if not bare or any(ch in bare for ch in "<> \t\r\n\x00"):
        return None
    return f"<{bare}>"


def reply_recipients(
    parent: ParsedMessage, own_addresses: Collection[str], *, reply_all: bool
) -> tuple[tuple[Address, ...], tuple[Address, ...]]:
    """``(to, cc)`` for a reply: Reply-To (else From); reply-all adds the other To and Cc, never us.

    A message we sent ourselves (it is in Sent) is replied to its original recipients.
    """
    own = {a.lower() for a in own_addresses}
    authors = parent.reply_to or parent.from_
    if authors and all(a.addr_spec.lower() in own for a in parent.from_) and parent.to:
        authors = parent.to  # replying to our own message goes to whom we wrote
    to = _unique(a for a in authors if a.domain)
    cc: list[Address] = []
    if reply_all:
        taken = {a.addr_spec.lower() for a in to} | own
        for address in (*parent.to, *parent.cc):
            if address.domain and address.addr_spec.lower() not in taken:
                taken.add(address.addr_spec.lower())
                cc.append(address)
    if not to and cc:
        to, cc = [cc[0]], cc[1:]
    return tuple(to), tuple(cc)


def _unique(addresses: Iterable[Address]) -> list[Address]:
    seen: set[str] = set()
    out: list[Address] = []
    for address in addresses:
        key = address.addr_spec.lower()
        if key not in seen:
            seen.add(key)
            out.append(address)
    return out


def quote_text(text: str, attribution: str) -> str:
    """The parent's text quoted for a reply: the attribution line, then ``> `` before each line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    quoted = "\n".join(">" + (" " + line if line and not line.startswith(">") else line) for line in lines)
    return f"\n\n{attribution}\n{quoted}\n"


def message_text(data: bytes, parsed: ParsedMessage) -> str:
    """The readable text of a stored message (plain part, else its HTML as text) for quoting."""
    return message_body(data, parsed.root).text


def carried_attachment(data: bytes, parsed: ParsedMessage, section: Sequence[int]) -> OutgoingAttachment:
    """An attachment of a stored message (forward, draft reopened) as a new attachment."""
    part = parsed.find_part(tuple(section))
    if part is None or part.is_multipart:
        raise AttachmentNotFound()
    name = part.filename or _default_name(part.mime_type)
    content = part_bytes(data, part)  # message/rfc822 has an identity encoding: bytes as stored
    mime_type = part.mime_type if re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", part.mime_type) else None
    return OutgoingAttachment(
        filename=_safe_name(name),
        content_type=mime_type or "application/octet-stream",
        data=content,
        content_id=part.content_id.strip("<> ") if part.content_id else None,
        inline=part.disposition == "inline",
    )


def _default_name(mime_type: str) -> str:
    return "message.eml" if mime_type == "message/rfc822" else "attachment.bin"


def _safe_name(name: str) -> str:
    cleaned = "".join(" " if ch in "\r\n\x00" else ch for ch in name).strip()
    return cleaned[:255] or "attachment.bin"


def draft_field(data: bytes, parsed: ParsedMessage, name: str) -> str:
    """The text a draft's recipient field held: the raw ``X-Yunmail-Draft-*`` text, else its header."""
    header = DRAFT_FIELDS[name].lower()
    root = parsed.root
    for found in iter_header_fields(data[root.header_start : root.header_end]):
        if found.name.lower() == header:
            return decode_header_bytes(found.value).strip()
    addresses = {"to": parsed.to, "cc": parsed.cc, "bcc": parsed.bcc}[name]
    return ", ".join(a.display() for a in addresses)
