"""FETCH attributes as an AST: simple items, ``BODY[section]<partial>``, ``BINARY[...]`` (RFC 9051 §6.4.5).

Each item renders in two forms: the request form (``BODY.PEEK[1.HEADER.FIELDS (From)]<0.512>``)
and the response key the server writes before the value (``BODY[1.HEADER.FIELDS (From)]<0>``,
RFC 9051 §7.5.2: no ``.PEEK``, only the origin octet of a partial). The macros ``ALL``, ``FAST``
and ``FULL`` expand at parse time (RFC 9051 §6.4.5). Extensions: ``BINARY``/``BINARY.SIZE``
(RFC 3516), ``MODSEQ`` (RFC 7162 §3.1.4), ``EMAILID``/``THREADID`` (RFC 8474), ``SAVEDATE``
(RFC 8514), ``PREVIEW`` (RFC 8970, without modifiers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeAlias

from yunmail.protocols.imap.wire.tokenizer import MAX_U32, MAX_U63, Reader
from yunmail.protocols.imap.wire.values import render_astring

SimpleName = Literal[
    "ENVELOPE",
    "FLAGS",
    "INTERNALDATE",
    "RFC822",
    "RFC822.HEADER",
    "RFC822.SIZE",
    "RFC822.TEXT",
    "BODY",
    "BODYSTRUCTURE",
    "UID",
    "MODSEQ",
    "EMAILID",
    "THREADID",
    "SAVEDATE",
    "PREVIEW",
]
SIMPLE_NAMES: tuple[SimpleName, ...] = (
    "ENVELOPE",
    "FLAGS",
    "INTERNALDATE",
    "RFC822",
    "RFC822.HEADER",
    "RFC822.SIZE",
    "RFC822.TEXT",
    "BODY",
    "BODYSTRUCTURE",
    "UID",
    "MODSEQ",
    "EMAILID",
    "THREADID",
    "SAVEDATE",
    "PREVIEW",
)
SectionText = Literal["HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT", "MIME"]
_SECTION_TEXTS: tuple[SectionText, ...] = ("HEADER.FIELDS.NOT", "HEADER.FIELDS", "HEADER", "TEXT", "MIME")
_NAME_RE = re.compile(rb"[A-Za-z0-9.]+")
_PART_RE = re.compile(rb"[1-9][0-9]{0,9}(?:\.[1-9][0-9]{0,9})*")


@dataclass(frozen=True, slots=True)
class FetchAttr:
    """An item without section: ``FLAGS``, ``UID``, ``ENVELOPE``, ``RFC822.SIZE``, ``MODSEQ``..."""

    name: SimpleName

    def render(self) -> bytes:
        return self.name.encode("ascii")

    def response_key(self) -> bytes:
        return self.render()

    @property
    def sets_seen(self) -> bool:
        # RFC 9051 §6.4.5: RFC822 == BODY[], RFC822.TEXT == BODY[TEXT]; both set \Seen
        return self.name in ("RFC822", "RFC822.TEXT")


@dataclass(frozen=True, slots=True)
class Section:
    """``section-spec``: part path (``1.2``) plus HEADER / HEADER.FIELDS[.NOT] (fields) / TEXT / MIME."""

    part: tuple[int, ...] = ()
    text: SectionText | None = None
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if any(not 1 <= p <= MAX_U32 for p in self.part):
            raise ValueError("part numbers are nz-numbers")
        wants_fields = self.text in ("HEADER.FIELDS", "HEADER.FIELDS.NOT")
        if wants_fields != bool(self.fields):
            raise ValueError("HEADER.FIELDS[.NOT] and a non-empty field list go together")
        if self.text == "MIME" and not self.part:
            raise ValueError("MIME needs a part number (RFC 9051 §6.4.5)")

    def render(self) -> bytes:
        out = ".".join(str(p) for p in self.part).encode("ascii")
        if self.text is not None:
            out += (b"." if out else b"") + self.text.encode("ascii")
        if self.fields:
            out += b" (" + b" ".join(render_astring(f) for f in self.fields) + b")"
        return out


@dataclass(frozen=True, slots=True)
class BodySection:
    """``BODY[section]<partial>`` / ``BODY.PEEK[...]``; ``partial`` is ``(offset, length)``."""

    section: Section = Section()
    peek: bool = False
    partial: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        _check_partial(self.partial)

    def render(self) -> bytes:
        name = b"BODY.PEEK[" if self.peek else b"BODY["
        return name + self.section.render() + b"]" + _render_partial(self.partial)

    def response_key(self) -> bytes:
        origin = b"" if self.partial is None else b"<%d>" % self.partial[0]
        return b"BODY[" + self.section.render() + b"]" + origin

    @property
    def sets_seen(self) -> bool:
        return not self.peek


@dataclass(frozen=True, slots=True)
class BinarySection:
    """``BINARY[part]<partial>`` / ``BINARY.PEEK[...]``: decoded content (RFC 3516 §4.1).

    ``section`` is set when the client names a section text too (``BINARY[1.MIME]``,
    ``BINARY[TEXT]``, ``BINARY[HEADER.FIELDS (..)]``): an extension Dovecot accepts, answered
    like ``BODY[section]`` since those octets carry no transfer encoding of their own.
    """

    part: tuple[int, ...] = ()
    peek: bool = False
    partial: tuple[int, int] | None = None
    section: Section | None = None

    def __post_init__(self) -> None:
        if any(not 1 <= p <= MAX_U32 for p in self.part):
            raise ValueError("part numbers are nz-numbers")
        _check_partial(self.partial)

    def _spec(self) -> bytes:
        return self.section.render() if self.section is not None else _render_part(self.part)

    def render(self) -> bytes:
        name = b"BINARY.PEEK[" if self.peek else b"BINARY["
        return name + self._spec() + b"]" + _render_partial(self.partial)

    def response_key(self) -> bytes:
        origin = b"" if self.partial is None else b"<%d>" % self.partial[0]
        return b"BINARY[" + self._spec() + b"]" + origin

    @property
    def sets_seen(self) -> bool:
        return not self.peek


@dataclass(frozen=True, slots=True)
class BinarySize:
    """``BINARY.SIZE[part]``: the decoded size (RFC 3516 §4.1)."""

    part: tuple[int, ...] = ()
    section: Section | None = None  # with a section text, as for `BinarySection`

    def __post_init__(self) -> None:
        if any(not 1 <= p <= MAX_U32 for p in self.part):
            raise ValueError("part numbers are nz-numbers")

    def render(self) -> bytes:
        spec = self.section.render() if self.section is not None else _render_part(self.part)
        return b"BINARY.SIZE[" + spec + b"]"

    def response_key(self) -> bytes:
        return self.render()

    @property
    def sets_seen(self) -> bool:
        return False


FetchItem: TypeAlias = FetchAttr | BodySection | BinarySection | BinarySize

# RFC 9051 §6.4.5 macros
FAST: tuple[FetchItem, ...] = (FetchAttr("FLAGS"), FetchAttr("INTERNALDATE"), FetchAttr("RFC822.SIZE"))
ALL: tuple[FetchItem, ...] = (*FAST, FetchAttr("ENVELOPE"))
FULL: tuple[FetchItem, ...] = (*ALL, FetchAttr("BODY"))
MACROS = {"ALL": ALL, "FAST": FAST, "FULL": FULL}


def _check_partial(partial: tuple[int, int] | None) -> None:
    if partial is not None and not (0 <= partial[0] <= MAX_U63 and 1 <= partial[1] <= MAX_U63):
        raise ValueError("partial is <number64.nz-number64>")


def _render_partial(partial: tuple[int, int] | None) -> bytes:
    return b"" if partial is None else b"<%d.%d>" % partial


def _render_part(part: tuple[int, ...]) -> bytes:
    return ".".join(str(p) for p in part).encode("ascii")


# --- parsing ------------------------------------------------------------------------------------


def _part(r: Reader) -> tuple[int, ...]:
    m = _PART_RE.match(r.data, r.pos)
    if m is None:
        return ()
    r.pos = m.end()
    parts = tuple(int(p) for p in m.group().split(b"."))
    if any(p > MAX_U32 for p in parts):
        raise r.error("part number out of range")
    return parts


def _header_field(r: Reader) -> str:
    name = r.text(r.astring(), "header field name")
    if not name or any(not 0x21 <= ord(c) <= 0x7E or c == ":" for c in name):
        raise r.error("invalid header field name")
    return name


def _section(r: Reader) -> Section:
    # section = "[" [section-spec] "]"; section-spec = section-msgtext / (section-part ["." section-text])
    r.expect(b"[")
    part = _part(r)
    text: SectionText | None = None
    if r.peek() != 0x5D:
        if part:
            r.expect(b".")
        for candidate in _SECTION_TEXTS:
            if r.accept(candidate.encode("ascii")):
                text = candidate
                break
        else:
            raise r.error("invalid section")
        if text == "MIME" and not part:
            raise r.error("MIME needs a part number")
    fields: tuple[str, ...] = ()
    if text in ("HEADER.FIELDS", "HEADER.FIELDS.NOT"):
        r.sp()
        fields = tuple(r.paren_list(lambda: _header_field(r), allow_empty=False))
    r.expect(b"]")
    return Section(part, text, fields)


def _partial(r: Reader) -> tuple[int, int] | None:
    if r.peek() != 0x3C:  # "<"
        return None
    r.pos += 1
    offset = r.number(high=MAX_U63)
    r.expect(b".")
    length = r.nz_number(high=MAX_U63)
    r.expect(b">")
    return (offset, length)


def _binary_section(r: Reader) -> tuple[tuple[int, ...], Section | None]:
    section = _section(r)
    return section.part, (section if section.text is not None else None)


def parse_item(r: Reader) -> FetchItem:
    """One ``fetch-att``."""
    m = _NAME_RE.match(r.data, r.pos)
    if m is None:
        raise r.error("expected a fetch attribute")
    name = m.group().decode("ascii").upper()
    r.pos = m.end()
    bracket = r.peek() == 0x5B
    if name in ("BODY", "BODY.PEEK") and bracket:
        section = _section(r)
        return BodySection(section, name == "BODY.PEEK", _partial(r))
    if name in ("BINARY", "BINARY.PEEK") and bracket:
        part, text_section = _binary_section(r)
        return BinarySection(part, name == "BINARY.PEEK", _partial(r), text_section)
    if name == "BINARY.SIZE" and bracket:
        part, text_section = _binary_section(r)
        return BinarySize(part, text_section)
    if name in SIMPLE_NAMES and not bracket:
        return FetchAttr(name)
    raise r.error(f"unknown fetch attribute {name[:30]}")


def parse_items(r: Reader) -> tuple[FetchItem, ...]:
    """``"ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")"``."""
    if r.peek() == 0x28:
        return tuple(r.paren_list(lambda: parse_item(r), allow_empty=False))
    m = _NAME_RE.match(r.data, r.pos)
    if m is not None:
        macro = MACROS.get(m.group().decode("ascii").upper())
        if macro is not None and r.data[m.end() : m.end() + 1] != b"[":
            r.pos = m.end()
            return macro
    return (parse_item(r),)


def parse_fetch_items(data: bytes | str) -> tuple[FetchItem, ...]:
    """Parse a fetch-att list alone, e.g. ``b'(FLAGS BODY.PEEK[HEADER])'``."""
    r = Reader(data.encode("utf-8") if isinstance(data, str) else data)
    items = parse_items(r)
    r.end()
    return items


def render_items(items: tuple[FetchItem, ...]) -> bytes:
    """Request form of a list of items (always parenthesised)."""
    return b"(" + b" ".join(item.render() for item in items) + b")"
