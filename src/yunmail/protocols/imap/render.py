"""FETCH data derived from a message's parse: ENVELOPE, BODY/BODYSTRUCTURE and BODY[section] byte ranges.

Everything is taken from ``yunmail.mime``'s structure and byte offsets; nothing is re-serialised
(the raw message is the truth, see ``mime.structure``). Header values in the parse are the raw
octets (``surrogateescape`` strings), so they go back on the wire byte for byte: quoted when they
are 7-bit, as literals otherwise, which is what Dovecot does and what the differential test wants.

Grammar: RFC 3501 §7.4.2 / RFC 9051 §7.5.2 (``envelope``, ``body``, ``body-type-mpart`` is
``1*body SP media-subtype`` with no space between the child bodies), RFC 3516 for BINARY.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from yunmail.mime import Envelope, EnvelopeAddress, ParsedMessage, Part, iter_header_fields
from yunmail.mime.text import decode_transfer_encoding
from yunmail.protocols.imap.wire.fetch_items import Section
from yunmail.protocols.imap.wire.values import render_nstring, render_string

# RFC 3501 §7.4.2: a multipart without children still needs one body; Dovecot shows this one.
_EMPTY_TEXT = b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)'
_EMPTY_TEXT_EXT = b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)'
KNOWN_ENCODINGS = frozenset({"7bit", "8bit", "binary", "base64", "quoted-printable"})


def _raw(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def _nstring(value: str | None) -> bytes:
    return render_nstring(None if value is None else _raw(value))


def _string(value: str) -> bytes:
    return render_string(_raw(value))


def _list(items: Sequence[bytes]) -> bytes:
    return b"(" + b" ".join(items) + b")"


# --- ENVELOPE -------------------------------------------------------------------------------------


def _address(a: EnvelopeAddress) -> bytes:
    return _list([_nstring(a.name), _nstring(a.adl), _nstring(a.mailbox), _nstring(a.host)])


def _addresses(items: tuple[EnvelopeAddress, ...] | None) -> bytes:
    if not items:
        return b"NIL"
    return b"(" + b"".join(_address(a) for a in items) + b")"


def envelope(env: Envelope) -> bytes:
    """``(date subject from sender reply-to to cc bcc in-reply-to message-id)``."""
    return _list(
        [
            _nstring(env.date),
            _nstring(env.subject),
            _addresses(env.from_),
            _addresses(env.sender),
            _addresses(env.reply_to),
            _addresses(env.to),
            _addresses(env.cc),
            _addresses(env.bcc),
            _nstring(env.in_reply_to),
            _nstring(env.message_id),
        ]
    )


# --- BODY / BODYSTRUCTURE -----------------------------------------------------------------------


def _params(params: Sequence[tuple[str, str]]) -> bytes:
    if not params:
        return b"NIL"
    return _list([item for name, value in params for item in (_string(name), _string(value))])


def _disposition(part: Part) -> bytes:
    if part.disposition is None:
        return b"NIL"
    return _list([_string(part.disposition), _params(part.disposition_params)])


def _language(part: Part) -> bytes:
    if not part.language:
        return b"NIL"
    if len(part.language) == 1:
        return _string(part.language[0])
    return _list([_string(tag) for tag in part.language])


def body_structure(part: Part, *, extensible: bool) -> bytes:
    """``BODYSTRUCTURE`` (``extensible``) or ``BODY`` of ``part`` and everything below it."""
    if part.is_multipart:
        if part.children:
            children = b"".join(body_structure(child, extensible=extensible) for child in part.children)
        else:
            children = _EMPTY_TEXT_EXT if extensible else _EMPTY_TEXT
        items = [children, _string(part.content_subtype)]
        if extensible:
            items += [_params(part.params), _disposition(part), _language(part), _nstring(part.location)]
        return _list(items)
    items = [
        _string(part.content_type),
        _string(part.content_subtype),
        _params(part.bodystructure_params),
        _nstring(part.content_id),
        _nstring(part.description),
        _string(part.encoding or "7bit"),
        b"%d" % part.size,
    ]
    if part.is_message and part.message is not None and part.envelope is not None:
        items += [
            envelope(part.envelope),
            body_structure(part.message, extensible=extensible),
            b"%d" % part.lines,
        ]
    elif part.content_type == "text":
        items.append(b"%d" % part.lines)
    if extensible:
        items += [_nstring(part.md5), _disposition(part), _language(part), _nstring(part.location)]
    return _list(items)


# --- BODY[section] --------------------------------------------------------------------------------


def _header_fields(block: bytes, names: Sequence[str], *, exclude: bool) -> bytes:
    wanted = {n.lower() for n in names}
    out = bytearray()
    for found in iter_header_fields(block):
        if (found.name.strip().lower() in wanted) != exclude:
            out += block[found.start : found.end]
    # RFC 9051 §6.4.5: the blank line that ends the header is part of the answer.
    out += b"\r\n"
    return bytes(out)


def section_bytes(raw: bytes, parsed: ParsedMessage, section: Section) -> bytes | None:
    """The octets of ``BODY[section]`` (before any ``<partial>``), or ``None`` if there is no such part."""
    target: Part | None = parsed.root
    message: Part | None = parsed.root  # section texts without a part apply to the message itself
    if section.part:
        target = parsed.find_part(section.part)
        if target is None:
            return None
        message = target.message
    assert target is not None
    text = section.text
    if text is None:
        if not section.part:
            return raw
        return raw[target.header_end : target.body_end]
    if text == "MIME":
        return raw[target.header_start : target.header_end]
    if message is None:
        return None
    if text == "TEXT":
        return raw[message.header_end : message.body_end]
    header = raw[message.header_start : message.header_end]
    if text == "HEADER":
        return header
    return _header_fields(header, section.fields, exclude=text == "HEADER.FIELDS.NOT")


_QP_TRAILING_SPACE = re.compile(rb"[ \t]+(?=\r?\n|\Z)")


def binary_bytes(raw: bytes, parsed: ParsedMessage, part_path: tuple[int, ...]) -> tuple[bytes | None, bool]:
    """``BINARY[part]`` content with its transfer encoding undone (RFC 3516 §4.1).

    Returns ``(data, known)``: ``known`` is False for a Content-Transfer-Encoding we cannot undo
    (the caller answers ``NO [UNKNOWN-CTE]``); ``data`` is None when the part does not exist.
    """
    if not part_path:
        return raw, True
    part = parsed.find_part(part_path)
    if part is None:
        return None, True
    body = raw[part.header_end : part.body_end]
    if part.is_multipart or part.is_message:
        return body, True
    encoding = (part.encoding or "7bit").lower()
    if encoding not in KNOWN_ENCODINGS:
        return None, False
    if encoding == "quoted-printable":
        # RFC 2045 §6.7 rule 3: whitespace at the end of an encoded line is padding, not content.
        body = _QP_TRAILING_SPACE.sub(b"", body)
    return decode_transfer_encoding(body, encoding), True
