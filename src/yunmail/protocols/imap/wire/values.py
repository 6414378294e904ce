"""Rendering IMAP values to bytes: the choice of atom, quoted string or literal (RFC 9051 §4).

The rules, in order:

* ``None`` is ``NIL``; ``int`` is a number; `RawAtom` is written as is (flags, keywords, atoms the
  caller vouches for); `Raw` is pre-rendered wire text; `LiteralValue` forces a literal (or
  literal8 with ``binary=True``, RFC 3516 §4.2).
* Strings (``str`` is UTF-8 encoded) are quoted when every octet is a 7-bit TEXT-CHAR, or valid
  UTF-8 in UTF-8 mode (RFC 9051 §4.3, RFC 6855 §3), and the string is short; otherwise a literal.
  CR, LF or NUL force a literal; NUL forces literal8, which only BINARY responses may carry.
* Mailbox names are modified UTF-7 (RFC 3501 §5.1.3) unless UTF-8 mode is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from yunmail.protocols.imap.wire import utf7
from yunmail.protocols.imap.wire.tokenizer import ASTRING_CHARS, ATOM_CHARS

MAX_QUOTED = 1024  # longer strings go out as literals: kinder to clients' line buffers

_ATOM_SET = frozenset(ATOM_CHARS)
_ASTRING_SET = frozenset(ASTRING_CHARS)
_QUOTABLE_7BIT = frozenset(range(0x01, 0x80)) - {0x0A, 0x0D}


@dataclass(frozen=True, slots=True)
class RawAtom:
    """An atom or flag written verbatim (``\\Seen``, ``$Forwarded``, ``IMAP4rev2``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Raw:
    """Pre-rendered wire bytes (e.g. a nested structure built elsewhere)."""

    data: bytes


@dataclass(frozen=True, slots=True)
class LiteralValue:
    """Bytes that must go out as a literal; ``binary`` selects literal8 (``~{n}``)."""

    data: bytes
    binary: bool = False


RenderValue: TypeAlias = "int | str | bytes | RawAtom | Raw | LiteralValue | Sequence[RenderValue] | None"


def is_atom(data: bytes) -> bool:
    return bool(data) and all(c in _ATOM_SET for c in data)


def is_astring_atom(data: bytes) -> bool:
    return bool(data) and all(c in _ASTRING_SET for c in data)


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def can_quote(data: bytes, *, utf8: bool = False) -> bool:
    """Whether ``data`` may be sent as a quoted string."""
    if len(data) > MAX_QUOTED:
        return False
    if all(c in _QUOTABLE_7BIT for c in data):
        return True
    if not utf8 or b"\r" in data or b"\n" in data or b"\x00" in data:
        return False
    return _valid_utf8(data)


def render_quoted(data: bytes) -> bytes:
    """``"..."`` with ``"`` and ``\\`` escaped; the caller checked `can_quote`."""
    return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def render_literal(data: bytes, *, binary: bool = False, non_sync: bool = False) -> bytes:
    """``{n}`` CRLF data; ``~{n}`` for literal8; ``{n+}`` for a client's non-sync literal."""
    marker = b"{%d%s}\r\n" % (len(data), b"+" if non_sync else b"")
    return (b"~" + marker if binary else marker) + data


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def render_string(data: str | bytes, *, utf8: bool = False, non_sync: bool = False) -> bytes:
    """quoted or literal (literal8 if it contains NUL)."""
    raw = _as_bytes(data)
    if can_quote(raw, utf8=utf8):
        return render_quoted(raw)
    return render_literal(raw, binary=b"\x00" in raw, non_sync=non_sync)


def render_astring(data: str | bytes, *, utf8: bool = False, non_sync: bool = False) -> bytes:
    """atom when possible (and not ``NIL``), else quoted or literal."""
    raw = _as_bytes(data)
    if is_astring_atom(raw) and raw.upper() != b"NIL":
        return raw
    return render_string(raw, utf8=utf8, non_sync=non_sync)


def render_nstring(data: str | bytes | None, *, utf8: bool = False) -> bytes:
    return b"NIL" if data is None else render_string(data, utf8=utf8)


def encode_mailbox(name: str, *, utf8: bool = False) -> bytes:
    """The mailbox name's octets on the wire: UTF-8, or modified UTF-7 for IMAP4rev1 clients."""
    if "\x00" in name:
        raise ValueError("a mailbox name cannot contain NUL")
    if name.upper() == "INBOX":
        return b"INBOX"
    return name.encode("utf-8") if utf8 else utf7.encode_bytes(name)


def render_mailbox(name: str, *, utf8: bool = False) -> bytes:
    """A mailbox as a string (quoted unless it needs a literal); INBOX is always ``"INBOX"``."""
    return render_string(encode_mailbox(name, utf8=utf8), utf8=utf8)


def render_value(value: RenderValue, *, utf8: bool = False) -> bytes:
    """Render a nested value; see the module docstring for the rules."""
    if value is None:
        return b"NIL"
    if isinstance(value, bool):
        raise TypeError("booleans have no IMAP representation")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("IMAP numbers are unsigned")
        return b"%d" % value
    if isinstance(value, str | bytes):
        return render_string(value, utf8=utf8)
    if isinstance(value, bytearray | memoryview):  # byte buffers are strings, not sequences of ints
        return render_string(bytes(value), utf8=utf8)
    if isinstance(value, RawAtom):
        return value.text.encode("utf-8")
    if isinstance(value, Raw):
        return value.data
    if isinstance(value, LiteralValue):
        return render_literal(value.data, binary=value.binary)
    return b"(" + b" ".join(render_value(v, utf8=utf8) for v in value) + b")"
