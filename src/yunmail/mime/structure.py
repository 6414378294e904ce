"""The parsed shape of a message: parts with byte offsets, IMAP envelopes, and their JSON cache form.

Offsets are into the raw message bytes, which stay the truth: an IMAP server answers
``BODY[1.2]`` with ``raw[p.header_end:p.body_end]``, ``BODY[1.2.MIME]`` with
``raw[p.header_start:p.header_end]`` and ``BODY[2.HEADER]`` (2 being message/rfc822) with the
embedded message's header range, never with re-serialised headers.

Section numbers follow RFC 3501 §6.4.5 / RFC 9051 §6.4.5: a multipart's ``section`` is the prefix
of its children's numbers (``()`` for a multipart message); any other part is addressed by its own
``section`` (``(1,)`` for a single-part message). The message inside a message/rfc822 part ``s``
has section ``s`` when it is multipart and ``s + (1,)`` otherwise. :meth:`ParsedMessage.find_part`
resolves a client's section the way Dovecot does.

Field conventions (matching what IMAP BODYSTRUCTURE needs, RFC 3501 §7.4.2):

* ``content_type``/``content_subtype``, ``encoding``, ``disposition`` and parameter names are
  lower case; parameter values and the other raw header values are kept as written. Raw values
  are ``str`` holding the original bytes via surrogateescape (``raw_text``).
* ``encoding`` is None when Content-Transfer-Encoding is absent or not a single token (IMAP
  renders that as "7bit"); ``params`` lacks the implicit charset; see :attr:`Part.bodystructure_params`.
* ``lines`` is the number of LF in the body (RFC 3501: size in text lines; Dovecot counts the
  same way). ``size`` is in octets as stored; store messages with CRLF line ends so that both
  equal what IMAP clients expect (see ``canonicalize_line_endings``).
* A multipart without children (no boundary parameter, or no delimiter found) keeps
  ``children == ()``; IMAP renders it with one empty text/plain part, as Dovecot does.
* ``opaque`` marks a multipart or message/rfc822 that was not descended into because a depth or
  part-count limit was hit; its body is then one unparsed blob.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from yunmail.mime.address import Address, format_addresses
from yunmail.mime.headers import param_value

__all__ = [
    "AttachmentInfo",
    "Envelope",
    "EnvelopeAddress",
    "ParsedMessage",
    "Part",
]

CACHE_VERSION = 1
Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class EnvelopeAddress:
    """RFC 3501 §7.4.2 address structure; group start is (None, None, name, None), end is all None."""

    name: str | None
    adl: str | None
    mailbox: str | None
    host: str | None


AddressList = tuple[EnvelopeAddress, ...] | None


@dataclass(frozen=True, slots=True)
class Envelope:
    """RFC 3501 §7.4.2 ENVELOPE: raw unfolded header values; None renders as NIL.

    ``sender`` and ``reply_to`` already default to ``from_`` when absent or empty (RFC 3501).
    """

    date: str | None
    subject: str | None
    from_: AddressList
    sender: AddressList
    reply_to: AddressList
    to: AddressList
    cc: AddressList
    bcc: AddressList
    in_reply_to: str | None
    message_id: str | None


@dataclass(frozen=True, slots=True)
class Part:
    """One MIME entity (RFC 2045 §2.4) with its byte offsets in the raw message."""

    section: tuple[int, ...]
    content_type: str
    content_subtype: str
    params: Params
    content_id: str | None
    description: str | None
    encoding: str | None
    disposition: str | None
    disposition_params: Params
    language: tuple[str, ...]
    location: str | None
    md5: str | None
    header_start: int
    header_end: int
    body_end: int
    lines: int
    children: tuple[Part, ...] = ()
    envelope: Envelope | None = None
    message: Part | None = None
    opaque: bool = False

    @property
    def size(self) -> int:
        """Body size in octets (RFC 3501 body-fld-octets)."""
        return self.body_end - self.header_end

    @property
    def mime_type(self) -> str:
        return f"{self.content_type}/{self.content_subtype}"

    @property
    def is_multipart(self) -> bool:
        return self.content_type == "multipart" and not self.opaque

    @property
    def is_message(self) -> bool:
        """message/rfc822 that was parsed into (``envelope`` and ``message`` are set)."""
        return self.message is not None

    @property
    def charset(self) -> str | None:
        """Declared charset; RFC 2045 §5.2 default us-ascii for text/*; None otherwise."""
        for name, value in self.params:
            if name == "charset":
                return value
        return "us-ascii" if self.content_type == "text" else None

    @property
    def bodystructure_params(self) -> Params:
        """Parameters as IMAP BODYSTRUCTURE shows them: text/* gains charset=us-ascii if missing."""
        if self.content_type == "text" and all(name != "charset" for name, _ in self.params):
            return (*self.params, ("charset", "us-ascii"))
        return self.params

    def param(self, name: str) -> str | None:
        """Decoded Content-Type parameter (RFC 2231 / RFC 2047 / 8-bit handled)."""
        return param_value(self.params, name)

    @property
    def filename(self) -> str | None:
        """Decoded file name: Content-Disposition filename, else Content-Type name."""
        return param_value(self.disposition_params, "filename") or param_value(self.params, "name")

    def walk(self) -> Iterator[Part]:
        """This part and all parts below it in document order (embedded messages included)."""
        stack: list[Part] = [self]
        while stack:
            part = stack.pop()
            yield part
            if part.message is not None:
                stack.append(part.message)
            stack.extend(reversed(part.children))


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    """An attachment (or inline image) as the webmail lists it."""

    section: tuple[int, ...]
    filename: str | None
    mime_type: str
    size: int  # encoded octets; see approx_decoded_size
    encoding: str | None
    content_id: str | None
    inline: bool

    @property
    def approx_decoded_size(self) -> int:
        if self.encoding == "base64":
            return self.size * 3 // 4 * 76 // 78
        return self.size


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """Everything the mail store caches about a message: structure plus decoded conveniences."""

    size: int
    root: Part
    envelope: Envelope
    part_count: int
    subject: str
    from_: tuple[Address, ...]
    sender: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    date: datetime | None
    preview: str
    search_text: str
    attachments: tuple[AttachmentInfo, ...]
    truncated: bool
    limits_hit: tuple[str, ...] = field(default=())

    @property
    def has_attachments(self) -> bool:
        return any(not attachment.inline for attachment in self.attachments)

    @property
    def from_display(self) -> str:
        return format_addresses(self.from_)

    @property
    def to_display(self) -> str:
        return format_addresses(self.to)

    @property
    def cc_display(self) -> str:
        return format_addresses(self.cc)

    @property
    def bcc_display(self) -> str:
        return format_addresses(self.bcc)

    def find_part(self, section: tuple[int, ...]) -> Part | None:
        """The part a FETCH BODY[section] refers to (RFC 3501 §6.4.5), or None if none.

        As in Dovecot: a non-multipart part only has sub-part 1 (itself); a message/rfc822 part
        followed by more numbers continues inside the embedded message.
        """
        part: Part | None = self.root
        for index, number in enumerate(section):
            if part is None or number < 1:
                return None
            more = index + 1 < len(section)
            if part.is_multipart:
                part = part.children[number - 1] if number <= len(part.children) else None
            elif number != 1 or (more and part.message is None):
                return None
            if part is not None and more and part.message is not None:
                part = part.message
        return part

    # --- cache form ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; :meth:`from_dict` rebuilds an equal object."""
        return {
            "v": CACHE_VERSION,
            "size": self.size,
            "root": _part_out(self.root),
            "env": _env_out(self.envelope),
            "parts": self.part_count,
            "subject": _s(self.subject),
            "from": _addrs_out(self.from_),
            "sender": _addrs_out(self.sender),
            "reply_to": _addrs_out(self.reply_to),
            "to": _addrs_out(self.to),
            "cc": _addrs_out(self.cc),
            "bcc": _addrs_out(self.bcc),
            "message_id": _s(self.message_id),
            "in_reply_to": _s(self.in_reply_to),
            "references": [_s(ref) for ref in self.references],
            "date": self.date.isoformat() if self.date is not None else None,
            "preview": _s(self.preview),
            "search_text": _s(self.search_text),
            "attachments": [_attachment_out(a) for a in self.attachments],
            "truncated": self.truncated,
            "limits": list(self.limits_hit),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedMessage:
        if data.get("v") != CACHE_VERSION:
            raise ValueError("parse cache version mismatch")
        date = data["date"]
        return cls(
            size=data["size"],
            root=_part_in(data["root"]),
            envelope=_env_in(data["env"]),
            part_count=data["parts"],
            subject=_u(data["subject"]),
            from_=_addrs_in(data["from"]),
            sender=_addrs_in(data["sender"]),
            reply_to=_addrs_in(data["reply_to"]),
            to=_addrs_in(data["to"]),
            cc=_addrs_in(data["cc"]),
            bcc=_addrs_in(data["bcc"]),
            message_id=_un(data["message_id"]),
            in_reply_to=_un(data["in_reply_to"]),
            references=tuple(_u(ref) for ref in data["references"]),
            date=datetime.fromisoformat(date) if date is not None else None,
            preview=_u(data["preview"]),
            search_text=_u(data["search_text"]),
            attachments=tuple(
                AttachmentInfo(tuple(a[0]), _un(a[1]), _u(a[2]), a[3], _un(a[4]), _un(a[5]), a[6])
                for a in data["attachments"]
            ),
            truncated=data["truncated"],
            limits_hit=tuple(data["limits"]),
        )

    def to_json(self) -> str:
        """Compact JSON text; valid UTF-8 without NUL, so it fits PostgreSQL text/jsonb columns."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> ParsedMessage:
        return cls.from_dict(json.loads(text))


# Raw header values may hold undecodable bytes as lone surrogates (surrogateescape), which JSON
# and PostgreSQL cannot store; such strings travel as {"b": base64 of the original bytes}.


def _s(value: str | None) -> Any:
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return {"b": base64.b64encode(value.encode("utf-8", "surrogateescape")).decode("ascii")}
    return value


def _un(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return base64.b64decode(value["b"]).decode("utf-8", "surrogateescape")
    return cast(str, value)


def _u(value: Any) -> str:
    result = _un(value)
    if result is None:
        raise ValueError("unexpected null in parse cache")
    return result


def _attachment_out(a: AttachmentInfo) -> list[Any]:
    section = list(a.section)
    return [section, _s(a.filename), _s(a.mime_type), a.size, _s(a.encoding), _s(a.content_id), a.inline]


def _params_out(params: Params) -> list[list[Any]]:
    return [[_s(name), _s(value)] for name, value in params]


def _params_in(data: list[list[Any]]) -> Params:
    return tuple((_u(name), _u(value)) for name, value in data)


def _addrs_out(addresses: tuple[Address, ...]) -> list[list[Any]]:
    return [[_s(a.name), _s(a.local_part), _s(a.domain)] for a in addresses]


def _addrs_in(data: list[list[Any]]) -> tuple[Address, ...]:
    return tuple(Address(_u(name), _u(local), _u(domain)) for name, local, domain in data)


def _env_addrs_out(addresses: AddressList) -> list[list[Any]] | None:
    if addresses is None:
        return None
    return [[_s(a.name), _s(a.adl), _s(a.mailbox), _s(a.host)] for a in addresses]


def _env_addrs_in(data: list[list[Any]] | None) -> AddressList:
    if data is None:
        return None
    return tuple(EnvelopeAddress(_un(a[0]), _un(a[1]), _un(a[2]), _un(a[3])) for a in data)


def _env_out(env: Envelope) -> list[Any]:
    return [
        _s(env.date),
        _s(env.subject),
        _env_addrs_out(env.from_),
        _env_addrs_out(env.sender),
        _env_addrs_out(env.reply_to),
        _env_addrs_out(env.to),
        _env_addrs_out(env.cc),
        _env_addrs_out(env.bcc),
        _s(env.in_reply_to),
        _s(env.message_id),
    ]


def _env_in(data: list[Any]) -> Envelope:
    return Envelope(
        _un(data[0]),
        _un(data[1]),
        _env_addrs_in(data[2]),
        _env_addrs_in(data[3]),
        _env_addrs_in(data[4]),
        _env_addrs_in(data[5]),
        _env_addrs_in(data[6]),
        _env_addrs_in(data[7]),
        _un(data[8]),
        _un(data[9]),
    )


# Recursion below is bounded: the parser caps nesting (parse.MAX_DEPTH), so a cached tree is at
# most about a hundred levels deep.


def _part_out(part: Part) -> dict[str, Any]:
    out: dict[str, Any] = {
        "s": list(part.section),
        "t": _s(part.content_type),
        "st": _s(part.content_subtype),
        "o": [part.header_start, part.header_end, part.body_end, part.lines],
    }
    optional: dict[str, Any] = {
        "p": _params_out(part.params) if part.params else None,
        "id": _s(part.content_id),
        "de": _s(part.description),
        "te": _s(part.encoding),
        "di": _s(part.disposition),
        "dp": _params_out(part.disposition_params) if part.disposition_params else None,
        "la": [_s(tag) for tag in part.language] if part.language else None,
        "lo": _s(part.location),
        "md": _s(part.md5),
        "c": [_part_out(child) for child in part.children] if part.children else None,
        "e": _env_out(part.envelope) if part.envelope is not None else None,
        "m": _part_out(part.message) if part.message is not None else None,
        "x": True if part.opaque else None,
    }
    out.update({key: value for key, value in optional.items() if value is not None})
    return out


def _part_in(data: dict[str, Any]) -> Part:
    header_start, header_end, body_end, lines = data["o"]
    return Part(
        section=tuple(data["s"]),
        content_type=_u(data["t"]),
        content_subtype=_u(data["st"]),
        params=_params_in(data.get("p", [])),
        content_id=_un(data.get("id")),
        description=_un(data.get("de")),
        encoding=_un(data.get("te")),
        disposition=_un(data.get("di")),
        disposition_params=_params_in(data.get("dp", [])),
        language=tuple(_u(tag) for tag in data.get("la", [])),
        location=_un(data.get("lo")),
        md5=_un(data.get("md")),
        header_start=header_start,
        header_end=header_end,
        body_end=body_end,
        lines=lines,
        children=tuple(_part_in(child) for child in data.get("c", [])),
        envelope=_env_in(data["e"]) if "e" in data else None,
        message=_part_in(data["m"]) if "m" in data else None,
        opaque=bool(data.get("x", False)),
    )
