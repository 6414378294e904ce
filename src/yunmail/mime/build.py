"""Composing the mail Yunmail itself sends: notifications, invitations and delivery reports.

Inputs are validated, never trusted: header names must be RFC 5322 §3.6.8 field names, header
values must not contain CR, LF or NUL (header injection), and the structural MIME fields are set
here only. Non-ASCII header text is RFC 2047 encoded (UTF-8, "B"), non-ASCII file names use
RFC 2231 (plus an RFC 2047 ``name`` for old clients). Output always uses CR LF line ends and
lines of at most 78 characters where the content allows (RFC 5322 §2.1.1).

An original message quoted in a report is copied byte for byte (only its line ends are made
CR LF); it is never parsed and re-serialised.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from yunmail.errors import AddressInvalid, InvalidInput
from yunmail.mime.address import Address, normalize_address, normalize_domain, parse_address
from yunmail.mime.parse import canonicalize_line_endings, parse_message

__all__ = [
    "OutgoingAttachment",
    "build_message",
    "build_report",
    "encode_header",
    "format_address_header",
    "make_message_id",
]

CRLF = b"\r\n"
_FIELD_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 §3.6.8: printable ASCII except ":"
_RESERVED = frozenset({"content-type", "content-transfer-encoding", "mime-version"})
_ATOM_SAFE = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*")
_TOKEN = re.compile(r"[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+")  # RFC 2045 §5.1 token
_MAX_WORD_BYTES = 45  # 60 base64 characters: "=?UTF-8?B?" + 60 + "?=" stays within 75 (RFC 2047 §2)


@dataclass(frozen=True, slots=True)
class OutgoingAttachment:
    filename: str
    content_type: str  # "type/subtype"
    data: bytes
    content_id: str | None = None  # set for inline images referenced as cid:
    inline: bool = False


def _check_value(name: str, value: str) -> None:
    if any(ch in value for ch in "\r\n\x00"):
        raise InvalidInput(detail=f"line break in header {name}")


def _check_name(name: str) -> None:
    if _FIELD_NAME.fullmatch(name) is None:
        raise InvalidInput(detail=f"invalid header name {name!r}")


def _encoded_words(text: str, first_room: int = 75) -> list[str]:
    """RFC 2047 "B" words of at most 75 characters; the first fits in ``first_room`` characters."""
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    # 12 characters of "=?UTF-8?B?...?=" framing, 4 base64 characters per 3 bytes
    limit = max(3, 3 * ((first_room - 12) // 4)) if first_room < 75 else _MAX_WORD_BYTES
    for ch in text:
        width = len(ch.encode("utf-8"))
        if size + width > min(limit, _MAX_WORD_BYTES) and chunk:
            words.append("".join(chunk))
            chunk, size = [], 0
            limit = _MAX_WORD_BYTES
        chunk.append(ch)
        size += width
    if chunk:
        words.append("".join(chunk))
    return ["=?UTF-8?B?" + base64.b64encode(word.encode("utf-8")).decode("ascii") + "?=" for word in words]


def _fold(name: str, tokens: list[str]) -> str:
    """Join tokens into a folded field: RFC 5322 §2.2.3, lines <= 78 characters where possible."""
    lines: list[str] = []
    line = f"{name}:"
    for index, token in enumerate(tokens):
        if index and len(line) + 1 + len(token) > 78:
            lines.append(line)
            line = " " + token
        else:
            line += " " + token
    lines.append(line)
    return "\r\n".join(lines)


def encode_header(name: str, value: str) -> bytes:
    """One header field, folded, RFC 2047 encoded if it is not plain ASCII. Raises InvalidInput."""
    _check_name(name)
    _check_value(name, value)
    words = value.split(" ")
    if value.isascii() and value.isprintable() and all(len(word) <= 900 for word in words):
        return _fold(name, [word for word in words if word] or [""]).encode("ascii") + CRLF
    return _fold(name, _encoded_words(value, 78 - len(name) - 2)).encode("ascii") + CRLF


def _phrase(name: str, first_room: int = 75) -> list[str]:
    # RFC 5322 §3.2.5 phrase: atoms as is, otherwise a quoted-string, or RFC 2047 §5(3) words.
    if not name:
        return []
    if name.isascii() and name.isprintable():
        if _ATOM_SAFE.fullmatch(name):
            return name.split()
        return ['"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"']
    return _encoded_words(name, first_room)


def _address_tokens(address: Address | str, first_room: int = 75) -> list[str]:
    item = parse_address(address) if isinstance(address, str) else address
    _check_value("address", item.name)
    try:
        spec = normalize_address(item.addr_spec, smtputf8=False)
    except AddressInvalid:
        raise InvalidInput(detail=f"address {item.addr_spec!r} cannot be sent without SMTPUTF8") from None
    return [*_phrase(item.name, first_room), f"<{spec}>"] if item.name else [spec]


def format_address_header(name: str, addresses: Sequence[Address | str]) -> bytes:
    """An address header (From, To, Cc, ...) with encoded names and A-label domains."""
    _check_name(name)
    if not addresses:
        raise InvalidInput(detail=f"empty {name}")
    tokens: list[str] = []
    for index, address in enumerate(addresses):
        parts = _address_tokens(address, 78 - len(name) - 2 if index == 0 else 75)
        if index < len(addresses) - 1:
            parts[-1] += ","
        tokens.extend(parts)
    return _fold(name, tokens).encode("ascii") + CRLF


def make_message_id(domain: str) -> str:
    """RFC 5322 §3.6.4 msg-id with a random left part: ``<...@domain>``."""
    return f"<{secrets.token_hex(16)}@{normalize_domain(domain)}>"


def _param(name: str, value: str) -> list[str]:
    """A MIME parameter; non-ASCII values use RFC 2231 §4 with §3 continuations."""
    if _TOKEN.fullmatch(value):
        return [f"{name}={value}"]
    if value.isascii() and value.isprintable():
        return [f'{name}="' + value.replace("\\", "\\\\").replace('"', '\\"') + '"']
    pieces = [
        chr(byte) if (byte < 128 and chr(byte).isalnum()) or chr(byte) in "-._~" else f"%{byte:02X}"
        for byte in value.encode("utf-8")
    ]
    chunks: list[str] = []
    current = "utf-8''"
    for piece in pieces:
        if len(current) + len(piece) > 60:
            chunks.append(current)
            current = ""
        current += piece
    chunks.append(current)
    if len(chunks) == 1:
        return [f"{name}*={chunks[0]}"]
    return [f"{name}*{index}*={chunk}" for index, chunk in enumerate(chunks)]


def _content_header(name: str, value: str, params: Sequence[str]) -> bytes:
    tokens = [value + (";" if params else "")] + [p + ";" for p in params[:-1]] + list(params[-1:])
    return _fold(name, tokens).encode("ascii") + CRLF


def _text_body(text: str) -> tuple[str, bytes]:
    """Encode text as CRLF lines; returns (Content-Transfer-Encoding, body)."""
    data = canonicalize_line_endings(text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8"))
    longest = max((len(line) for line in data.split(CRLF)), default=0)
    if data.isascii() and longest <= 998:
        return "7bit", data
    non_ascii = sum(1 for byte in data if byte >= 0x80)
    if non_ascii * 5 < len(data):
        return "quoted-printable", binascii.b2a_qp(data, istext=True)
    return "base64", _base64(data)


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def _entity(headers: list[bytes], body: bytes) -> bytes:
    return b"".join(headers) + CRLF + body


def _boundary(parts: Sequence[bytes]) -> str:
    while True:
        boundary = "=_ym_" + secrets.token_hex(16)
        token = boundary.encode("ascii")
        if not any(token in part for part in parts):
            return boundary


def _multipart(subtype: str, parts: Sequence[bytes], extra: Sequence[str] = ()) -> bytes:
    boundary = _boundary(parts)
    token = boundary.encode("ascii")
    # RFC 2046 §5.1.1: the CRLF before each delimiter belongs to the delimiter.
    body = b"".join(b"--" + token + CRLF + part + CRLF for part in parts) + b"--" + token + b"--" + CRLF
    header = _content_header("Content-Type", f"multipart/{subtype}", [*extra, f'boundary="{boundary}"'])
    return _entity([header], body)


def _text_entity(text: str, subtype: str) -> bytes:
    encoding, body = _text_body(text)
    return _entity(
        [
            _content_header("Content-Type", f"text/{subtype}", ["charset=utf-8"]),
            f"Content-Transfer-Encoding: {encoding}".encode("ascii") + CRLF,
        ],
        body,
    )


def _attachment_entity(attachment: OutgoingAttachment) -> bytes:
    ctype = attachment.content_type.lower()
    if not re.fullmatch(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+", ctype):
        raise InvalidInput(detail=f"invalid content type {attachment.content_type!r}")
    _check_value("filename", attachment.filename)
    name = attachment.filename
    if not name or len(name) > 255:
        raise InvalidInput(detail="attachment file name must be 1-255 characters")
    # Old clients read only an RFC 2047 encoded "name"; RFC 2231 "filename*" is the standard.
    name_param = [f'name="{" ".join(_encoded_words(name))}"'] if not name.isascii() else _param("name", name)
    disposition = "inline" if attachment.inline else "attachment"
    headers = [
        _content_header("Content-Type", ctype, name_param),
        b"Content-Transfer-Encoding: base64" + CRLF,
        _content_header("Content-Disposition", disposition, _param("filename", name)),
    ]
    if attachment.content_id is not None:
        _check_value("Content-ID", attachment.content_id)
        headers.append(encode_header("Content-ID", f"<{attachment.content_id.strip('<>')}>"))
    return _entity(headers, _base64(attachment.data))


def _top_headers(
    *,
    from_: Address | str,
    to: Sequence[Address | str],
    cc: Sequence[Address | str],
    reply_to: Address | str | None,
    subject: str,
    headers: Sequence[tuple[str, str]],
    message_id: str | None,
    date: datetime | None,
) -> list[bytes]:
    sender = parse_address(from_) if isinstance(from_, str) else from_
    when = date if date is not None else datetime.now(UTC)
    out = [
        encode_header("Date", format_datetime(when)),
        format_address_header("From", [sender]),
    ]
    if to:
        out.append(format_address_header("To", to))
    if cc:
        out.append(format_address_header("Cc", cc))
    if reply_to is not None:
        out.append(format_address_header("Reply-To", [reply_to]))
    out.append(encode_header("Subject", subject))
    out.append(encode_header("Message-ID", message_id or make_message_id(sender.domain)))
    for name, value in headers:
        _check_name(name)
        if name.lower() in _RESERVED or name.lower() in {"date", "from", "to", "cc", "subject", "message-id"}:
            raise InvalidInput(detail=f"header {name} is set by the builder")
        out.append(encode_header(name, value))
    out.append(b"MIME-Version: 1.0" + CRLF)
    return out


def build_message(
    *,
    from_: Address | str,
    to: Sequence[Address | str],
    subject: str,
    text: str | None = None,
    html: str | None = None,
    cc: Sequence[Address | str] = (),
    reply_to: Address | str | None = None,
    attachments: Sequence[OutgoingAttachment] = (),
    headers: Sequence[tuple[str, str]] = (),
    message_id: str | None = None,
    date: datetime | None = None,
) -> bytes:
    """A complete message: text and/or HTML (multipart/alternative), attachments (mixed)."""
    if text is None and html is None:
        text = ""
    bodies = []
    if text is not None:
        bodies.append(_text_entity(text, "plain"))
    if html is not None:
        bodies.append(_text_entity(html, "html"))
    content = bodies[0] if len(bodies) == 1 else _multipart("alternative", bodies)
    if attachments:
        content = _multipart("mixed", [content, *(_attachment_entity(a) for a in attachments)])
    top = _top_headers(
        from_=from_,
        to=to,
        cc=cc,
        reply_to=reply_to,
        subject=subject,
        headers=headers,
        message_id=message_id,
        date=date,
    )
    return b"".join(top) + content


def _status_block(fields: Sequence[tuple[str, str]]) -> bytes:
    return b"".join(
        encode_header(name, value) if value.isascii() else _utf8_field(name, value) for name, value in fields
    )


def _utf8_field(name: str, value: str) -> bytes:
    # RFC 6533 §3: message/global-delivery-status fields may carry UTF-8 as is.
    _check_name(name)
    _check_value(name, value)
    return f"{name}: {value}".encode() + CRLF


def build_report(
    *,
    from_: Address | str,
    to: Sequence[Address | str],
    subject: str,
    text: str,
    per_message: Sequence[tuple[str, str]],
    per_recipient: Sequence[Sequence[tuple[str, str]]],
    original: bytes | None = None,
    original_headers_only: bool = True,
    report_type: str = "delivery-status",
    message_id: str | None = None,
    date: datetime | None = None,
) -> bytes:
    """RFC 6522 multipart/report, by default an RFC 3464 delivery status notification.

    ``per_message`` are fields such as ``("Reporting-MTA", "dns; mx.example.cn")``;
    ``per_recipient`` holds one field list per recipient (Final-Recipient, Action, Status, ...).
    The original is attached as text/rfc822-headers (default) or message/rfc822, byte for byte.
    """
    if _TOKEN.fullmatch(report_type) is None:
        raise InvalidInput(detail="invalid report type")
    blocks = [_status_block(per_message)] + [_status_block(group) for group in per_recipient]
    status = CRLF.join(blocks)
    utf8 = not status.isascii()
    status_type = "message/global-delivery-status" if utf8 else "message/delivery-status"
    status_headers = [_content_header("Content-Type", status_type, [])]
    if utf8:
        status_headers.append(b"Content-Transfer-Encoding: 8bit" + CRLF)
    parts = [_text_entity(text, "plain"), _entity(status_headers, status)]
    if original is not None:
        parts.append(_original_entity(original, original_headers_only))
    content = _multipart("report", parts, [f"report-type={report_type}"])
    top = _top_headers(
        from_=from_,
        to=to,
        cc=(),
        reply_to=None,
        subject=subject,
        headers=[("Auto-Submitted", "auto-replied")],  # RFC 3834 §5
        message_id=message_id,
        date=date,
    )
    return b"".join(top) + content


def _original_entity(original: bytes, headers_only: bool) -> bytes:
    data = canonicalize_line_endings(original)
    if headers_only:
        root = parse_message(data, with_text=False).root
        data = data[root.header_start : root.header_end]
        ctype = "text/rfc822-headers"
    else:
        ctype = "message/rfc822"
    if not data.endswith(CRLF):
        data += CRLF
    lines = data.split(CRLF)
    if data.isascii() and max(len(line) for line in lines) <= 998:
        encoding = "7bit"
    elif b"\x00" not in data and max(len(line) for line in lines) <= 998:
        encoding = "8bit"
    else:
        encoding = "binary"  # RFC 2045 §2.9; message/rfc822 allows no base64 (RFC 2046 §5.2.1)
    headers = [
        _content_header("Content-Type", ctype, []),
        f"Content-Transfer-Encoding: {encoding}".encode() + CRLF,
    ]
    return _entity(headers, data)
