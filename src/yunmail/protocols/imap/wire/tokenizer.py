"""Server-side IMAP framing and lexing: bytes in, complete commands and tokens out (RFC 9051 §4).

Two parts, both pure:

* `Framer` is incremental. Feed it whatever the socket gave; it yields `CommandReceived` once a
  whole command (every line and every literal) is in, `LiteralAnnounced` when the client waits
  for a ``+`` continuation before a synchronising literal (RFC 9051 §7.5), and `LineReceived` for
  the bare lines of IDLE's ``DONE`` and SASL exchanges. Limits raise `WireError` *after* the
  framer has resynchronised, so the session answers ``BAD [TOOBIG]``/``[LIMIT]`` and keeps
  reading.
* `Reader` is a cursor over one complete command: atoms, numbers, quoted strings, literals,
  literal8, NIL, parenthesised lists with a nesting bound. `commands` builds on it.

Invariants:

* Lines end in CRLF; a bare LF is accepted and normalised (telnet/nc users), the command handed
  on always uses CRLF, so the parser sees one canonical form.
* The framer never holds more than ``max_line`` bytes of line data plus the literals of one
  command (bounded by ``max_command``); a line that grows too long is discarded up to its end,
  keeping only a short tail to notice a trailing literal marker.
* A rejected non-synchronising literal (RFC 7888 §4) is read and thrown away, together with the
  rest of its command, so its bytes are never taken for commands. A rejected synchronising
  literal is never sent by the client, so the command simply ends.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias, TypeVar

from yunmail.protocols.imap.wire.codes import LIMIT, TOOBIG, ResponseCode
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.sequence_set import SequenceSet

T = TypeVar("T")

# --- character classes (RFC 9051 §9) ------------------------------------------------------------
_CTL = set(range(0x00, 0x20)) | {0x7F}
_ATOM_SPECIALS = set(b'(){ %*"\\]') | _CTL


def _char_class(chars: bytes) -> bytes:
    return b"[" + b"".join(re.escape(bytes([c])) for c in sorted(set(chars))) + b"]"


ATOM_CHARS = bytes(c for c in range(0x01, 0x80) if c not in _ATOM_SPECIALS)
ASTRING_CHARS = ATOM_CHARS + b"]"  # ASTRING-CHAR = ATOM-CHAR / resp-specials
LIST_CHARS = ATOM_CHARS + b"%*]"  # list-char = ATOM-CHAR / list-wildcards / resp-specials
TAG_CHARS = bytes(c for c in ASTRING_CHARS if c != ord("+"))  # tag = 1*<ASTRING-CHAR except "+">

_ATOM_RE = re.compile(_char_class(ATOM_CHARS) + b"+")
_ASTRING_RE = re.compile(_char_class(ASTRING_CHARS) + b"+")
_LIST_RE = re.compile(_char_class(LIST_CHARS) + b"+")
_TAG_RE = re.compile(_char_class(TAG_CHARS) + b"+")
_NUMBER_RE = re.compile(rb"[0-9]+")
_SEQSET_RE = re.compile(rb"[0-9*:,$]+")
# quoted = DQUOTE *QUOTED-CHAR DQUOTE; 8-bit is accepted as in RFC 9051 (UTF8-2/3/4) and RFC 6855
_QUOTED_RE = re.compile(rb'"((?:[^"\\\r\n\x00]|\\["\\])*)"')
_LITERAL_RE = re.compile(rb"(~?)\{([0-9]{1,20})(\+?)\}\r\n")
_MARKER_AT_END = re.compile(rb"(~?)\{([0-9]{1,20})(\+?)\}\Z")
_HEAD_RE = re.compile(rb"(" + _char_class(TAG_CHARS) + rb"+) ([A-Za-z]+)(?: ([A-Za-z]+))?")

DEFAULT_MAX_LINE = 64 * 1024
DEFAULT_MAX_LITERAL = 100 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32
LITERAL_MINUS_MAX = 4096  # RFC 7888 §4
MAX_U32 = 0xFFFFFFFF
MAX_U63 = (1 << 63) - 1  # RFC 9051 §9 number64


class NonSync(enum.Enum):
    """Which non-synchronising literal extension the server advertises (RFC 7888)."""

    NONE = "none"
    PLUS = "LITERAL+"
    MINUS = "LITERAL-"


@dataclass(frozen=True, slots=True)
class Limits:
    """Framing limits. ``max_line`` counts a command's line bytes excluding literal data."""

    max_line: int = DEFAULT_MAX_LINE
    max_literal: int = DEFAULT_MAX_LITERAL
    max_command: int = 2 * DEFAULT_MAX_LITERAL  # all literal bytes of one command together
    non_sync: NonSync = NonSync.PLUS


@dataclass(frozen=True, slots=True)
class CommandReceived:
    """One complete command, every line CRLF-terminated, literals inline after their marker."""

    data: bytes
    tag: str | None


@dataclass(frozen=True, slots=True)
class LiteralAnnounced:
    """The client announced a synchronising literal and waits for ``+`` (RFC 9051 §7.5).

    The framer is already set to read the literal; the session sends a continuation request, or
    calls `Framer.reject_literal` and answers the tag with NO/BAD instead.
    """

    tag: str | None
    command: str | None
    size: int
    binary: bool


@dataclass(frozen=True, slots=True)
class LineReceived:
    """A bare line (no CRLF) requested with `Framer.expect_line`: ``DONE`` or a SASL response."""

    data: bytes


Event: TypeAlias = CommandReceived | LiteralAnnounced | LineReceived


def command_head(line: bytes) -> tuple[str | None, str | None]:
    """Best-effort ``(tag, command)`` from the start of a command line, for error replies."""
    m = _HEAD_RE.match(line)
    if m is None:
        t = _TAG_RE.match(line)
        tag = t.group().decode("ascii") if t and line[t.end() : t.end() + 1] in (b" ", b"") else None
        return tag, None
    name = m.group(2).decode("ascii").upper()
    if name == "UID" and m.group(3):
        name = f"UID {m.group(3).decode('ascii').upper()}"
    return m.group(1).decode("ascii"), name


class Framer:
    """Incremental command framer for the server side; see the module docstring."""

    _TAIL = 32  # bytes of a discarded line kept to notice a trailing literal marker

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._buf = bytearray()
        self._scan = 0
        self._cmd = bytearray()
        self._line_bytes = 0
        self._literal_bytes = 0
        self._remaining = 0
        self._in_literal = False
        self._discard = False
        self._raw_line = False
        self._may_reject = False
        self._tag: str | None = None
        self._name: str | None = None

    # --- input -----------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Append received bytes; call `next_event` until it returns ``None``."""
        self._buf += data

    def expect_line(self) -> None:
        """Deliver the next line as `LineReceived`, without literal processing."""
        self._raw_line = True

    def reject_literal(self) -> None:
        """Drop the command whose synchronising literal was just announced (no ``+`` sent)."""
        if not self._may_reject:
            raise RuntimeError("reject_literal() is only valid right after LiteralAnnounced")
        self._reset()

    @property
    def buffered(self) -> int:
        """Bytes received but not yet framed."""
        return len(self._buf)

    @property
    def discarding(self) -> int:
        """Octets of a rejected literal still to be thrown away (a session may prefer to close
        the connection when this is huge, RFC 7888 §4)."""
        return self._remaining if self._discard and self._in_literal else 0

    @property
    def idle(self) -> bool:
        """True between commands (no partial command held)."""
        return not self._cmd and not self._in_literal and not self._discard and not self._buf

    def take_buffer(self) -> bytes:
        """Remove and return the unframed bytes, e.g. to inflate them after COMPRESS (RFC 4978)
        or to discard plaintext pipelined after STARTTLS (RFC 9051 §6.2.1)."""
        data = bytes(self._buf)
        self._buf.clear()
        self._scan = 0
        return data

    # --- events ----------------------------------------------------------------------------------

    def next_event(self) -> Event | None:
        """The next complete event, or ``None`` when more bytes are needed.

        Raises `WireError` for limit violations; the framer has then already skipped what it must,
        and the caller may continue calling `next_event`.
        """
        self._may_reject = False
        while True:
            if self._in_literal:
                if not self._take_literal():
                    return None
                continue
            idx = self._buf.find(b"\n", self._scan)
            if idx < 0:
                self._scan = len(self._buf)
                self._check_partial_line()
                return None
            line = bytes(self._buf[:idx])
            del self._buf[: idx + 1]
            self._scan = 0
            if line.endswith(b"\r"):
                line = line[:-1]
            if self._raw_line:
                self._raw_line = False
                if len(line) > self.limits.max_line:
                    raise WireError("line too long", response_code=LIMIT)
                return LineReceived(line)
            event = self._on_line(line)
            if event is not None:
                return event

    def _take_literal(self) -> bool:
        take = min(self._remaining, len(self._buf))
        if take:
            if not self._discard:
                self._cmd += self._buf[:take]
            del self._buf[:take]
            self._remaining -= take
        if self._remaining:
            return False
        self._in_literal = False
        return True

    def _check_partial_line(self) -> None:
        if self._raw_line:
            if len(self._buf) > self.limits.max_line:
                self._raw_line = False
                self._discard_line_mode()
                raise WireError("line too long", response_code=LIMIT)
            return
        if self._discard:
            if len(self._buf) > self._TAIL:
                del self._buf[: -self._TAIL]
                self._scan = len(self._buf)
            return
        if self._line_bytes + len(self._buf) > self.limits.max_line:
            if not self._cmd:
                self._tag, self._name = command_head(bytes(self._buf[:256]))
            err = self._error("command line too long", LIMIT)
            self._discard_line_mode()
            raise err

    def _discard_line_mode(self) -> None:
        self._discard = True
        self._cmd.clear()
        if len(self._buf) > self._TAIL:
            del self._buf[: -self._TAIL]
        self._scan = len(self._buf)

    def _on_line(self, line: bytes) -> Event | None:
        first = not self._cmd and not self._discard and self._line_bytes == 0
        if first:
            if not line:
                return None  # tolerate empty lines between commands
            self._tag, self._name = command_head(line[:256])
        marker = _MARKER_AT_END.search(line[-26:])
        if self._discard:
            if marker is not None and marker.group(3):
                self._start_literal(int(marker.group(2)))
            else:
                self._reset()  # command over: no marker, or a sync literal we never accept
            return None
        self._line_bytes += len(line) + 2
        self._cmd += line
        self._cmd += b"\r\n"
        if self._line_bytes > self.limits.max_line:
            self._fail_with_marker(marker, self._error("command line too long", LIMIT))
        if marker is None:
            event = CommandReceived(bytes(self._cmd), self._tag)
            self._reset()
            return event
        size = int(marker.group(2))
        binary = bool(marker.group(1))
        non_sync = bool(marker.group(3))
        limits = self.limits
        if size > limits.max_literal or self._literal_bytes + size > limits.max_command:
            self._fail_with_marker(marker, self._error(f"literal of {size} octets is too big", TOOBIG))
        if non_sync and limits.non_sync is NonSync.MINUS and size > LITERAL_MINUS_MAX:
            # RFC 7888 §4: with LITERAL- only, non-synchronising literals are at most 4096 octets
            self._fail_with_marker(
                marker, self._error("non-synchronizing literal larger than 4096 octets", TOOBIG)
            )
        self._literal_bytes += size
        self._start_literal(size)
        if non_sync:
            return None
        self._may_reject = True
        return LiteralAnnounced(self._tag, self._name, size, binary)

    def _fail_with_marker(self, marker: re.Match[bytes] | None, err: WireError) -> None:
        """Resynchronise after an error on a complete line, then raise ``err``."""
        if marker is not None and marker.group(3):
            self._reset()
            self._discard = True
            self._start_literal(int(marker.group(2)))
        else:
            self._reset()
        raise err

    def _start_literal(self, size: int) -> None:
        self._in_literal = True
        self._remaining = size

    def _error(self, message: str, code: ResponseCode) -> WireError:
        return WireError(message, tag=self._tag, command=self._name, response_code=code)

    def _reset(self) -> None:
        self._cmd.clear()
        self._line_bytes = 0
        self._literal_bytes = 0
        self._remaining = 0
        self._in_literal = False
        self._discard = False
        self._tag = None
        self._name = None


# --- lexing one complete command ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Atom:
    """An atom token (generic values only; typed parsers return plain ``str``)."""

    value: str


Value: TypeAlias = "Atom | bytes | tuple[Value, ...] | None"
"""A generic IMAP value: atom, string (quoted or literal), NIL, or a parenthesised list."""


class Reader:
    """A cursor over one complete command (CRLF optional at the very end).

    Every method raises `WireError` (carrying ``tag``/``command`` once they are set) on bad input;
    nothing else escapes. ``max_depth`` bounds parenthesised nesting *and* recursive grammar
    (NOT/OR chains) through `nested`.
    """

    __slots__ = ("command", "data", "depth", "max_depth", "pos", "tag", "utf8")

    def __init__(self, data: bytes, *, max_depth: int = DEFAULT_MAX_DEPTH, utf8: bool = False) -> None:
        self.data = data
        self.pos = 0
        self.depth = 0
        self.max_depth = max_depth
        self.tag: str | None = None
        self.command: str | None = None
        self.utf8 = utf8

    # --- errors and position ---------------------------------------------------------------------

    def error(self, message: str, *, code: ResponseCode | None = None) -> WireError:
        return WireError(message, tag=self.tag, command=self.command, response_code=code)

    def peek(self) -> int:
        """The next byte, or -1 at the end."""
        return self.data[self.pos] if self.pos < len(self.data) else -1

    def peek_is(self, token: bytes) -> bool:
        return self.data.startswith(token, self.pos)

    def at_end(self) -> bool:
        """At the final CRLF or the end of data."""
        return self.pos >= len(self.data) or self.data[self.pos : self.pos + 2] == b"\r\n"

    def end(self) -> None:
        """Require the end of the command."""
        rest = self.data[self.pos :]
        if rest not in (b"", b"\r\n"):
            raise self.error(f"unexpected characters at end of command: {rest[:20]!r}")
        self.pos = len(self.data)

    def expect(self, token: bytes) -> None:
        """Require ``token`` exactly (case-insensitive for letters)."""
        got = self.data[self.pos : self.pos + len(token)]
        if got.upper() != token.upper():
            raise self.error(f"expected {token.decode('ascii')!r}")
        self.pos += len(token)

    def accept(self, token: bytes) -> bool:
        """Consume ``token`` (case-insensitive) if it is next."""
        got = self.data[self.pos : self.pos + len(token)]
        if got.upper() == token.upper():
            self.pos += len(token)
            return True
        return False

    def sp(self) -> None:
        if self.peek() != 0x20:
            raise self.error("expected a space")
        self.pos += 1

    def nested(self, parse: Callable[[], T]) -> T:
        """Run ``parse`` one nesting level deeper; too deep raises `WireError` ``[LIMIT]``."""
        if self.depth >= self.max_depth:
            raise self.error("nesting too deep", code=LIMIT)
        self.depth += 1
        try:
            return parse()
        finally:
            self.depth -= 1

    # --- tokens --------------------------------------------------------------------------------

    def _match(self, pattern: re.Pattern[bytes], what: str) -> bytes:
        m = pattern.match(self.data, self.pos)
        if m is None:
            raise self.error(f"expected {what}")
        self.pos = m.end()
        return m.group()

    def atom(self) -> str:
        return self._match(_ATOM_RE, "an atom").decode("ascii")

    def astring_atom(self) -> bytes:
        return self._match(_ASTRING_RE, "an astring")

    def tag_token(self) -> str:
        return self._match(_TAG_RE, "a tag").decode("ascii")

    def number(self, *, high: int = MAX_U32, low: int = 0) -> int:
        """RFC 9051 §9 number (32-bit) by default; pass ``high=MAX_U63`` for number64."""
        digits = self._match(_NUMBER_RE, "a number")
        if len(digits) > 20 or not low <= int(digits) <= high:
            raise self.error(f"number out of range: {digits[:24].decode('ascii')}")
        return int(digits)

    def nz_number(self, *, high: int = MAX_U32) -> int:
        return self.number(low=1, high=high)

    def sequence_set(self, *, allow_saved: bool = True) -> SequenceSet:
        """RFC 9051 §9 sequence-set, or ``$`` (RFC 5182) when ``allow_saved``."""
        token = self._match(_SEQSET_RE, "a sequence set")
        try:
            return SequenceSet.parse(token, allow_saved=allow_saved)
        except WireError as err:
            raise self.error(err.message) from None

    def quoted(self) -> bytes:
        m = _QUOTED_RE.match(self.data, self.pos)
        if m is None:
            raise self.error("invalid quoted string")
        self.pos = m.end()
        body = m.group(1)
        return body.replace(b'\\"', b'"').replace(b"\\\\", b"\\") if b"\\" in body else body

    def literal(self, *, allow_binary: bool = False) -> tuple[bytes, bool]:
        """``{n}``/``{n+}`` CRLF n octets, or ``~{n}`` (literal8, RFC 3516 §4.2) if allowed.

        Returns ``(data, is_literal8)``. NUL is only allowed in literal8 (RFC 9051 §4.3 CHAR8).
        """
        m = _LITERAL_RE.match(self.data, self.pos)
        if m is None:
            raise self.error("invalid literal")
        binary = bool(m.group(1))
        if binary and not allow_binary:
            raise self.error("literal8 is not allowed here")
        size = int(m.group(2))
        start = m.end()
        if start + size > len(self.data):
            raise self.error("literal is shorter than announced")
        self.pos = start + size
        value = self.data[start : self.pos]
        if not binary and b"\x00" in value:
            raise self.error("NUL octet in a literal (use literal8)")
        return value, binary

    def string(self) -> bytes:
        """quoted / literal."""
        c = self.peek()
        if c == 0x22:
            return self.quoted()
        if c == 0x7B:
            return self.literal()[0]
        raise self.error("expected a string")

    def astring(self) -> bytes:
        """1*ASTRING-CHAR / string."""
        c = self.peek()
        if c in (0x22, 0x7B):
            return self.string()
        return self.astring_atom()

    def nstring(self) -> bytes | None:
        return None if self.accept_nil() else self.string()

    def accept_nil(self) -> bool:
        """Consume ``NIL`` (case-insensitive, as a whole token) if it is next."""
        word = self.data[self.pos : self.pos + 3]
        if word.upper() != b"NIL":
            return False
        if self.data[self.pos + 3 : self.pos + 4] not in (b"", b" ", b")", b"\r"):
            return False
        self.pos += 3
        return True

    def text(self, data: bytes, what: str = "string") -> str:
        """Decode a string argument as UTF-8 (ASCII is a subset; 8-bit must be valid UTF-8)."""
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error(f"{what} is not valid UTF-8") from None

    def paren_list(self, item: Callable[[], T], *, allow_empty: bool = True) -> list[T]:
        """``"(" [item *(SP item)] ")"`` one nesting level deeper."""

        def body() -> list[T]:
            self.expect(b"(")
            items: list[T] = []
            if self.peek() == 0x29:
                if not allow_empty:
                    raise self.error("empty list")
                self.pos += 1
                return items
            items.append(item())
            while self.peek() == 0x20:
                self.pos += 1
                items.append(item())
            self.expect(b")")
            return items

        return self.nested(body)

    def value(self) -> Value:
        """One generic value: list, NIL, string, or atom-like token (numbers included)."""
        c = self.peek()
        if c == 0x28:
            return tuple(self.paren_list(self.value))
        if c in (0x22, 0x7B):
            return self.string()
        if c == 0x7E and self.peek_is(b"~{"):
            return self.literal(allow_binary=True)[0]
        if self.accept_nil():
            return None
        token = self._match(_LIST_RE, "a value")
        # a bracketed suffix belongs to the token (e.g. BODY[HEADER] in generic form)
        return Atom(token.decode("ascii"))


def tokenize(data: bytes, *, max_depth: int = DEFAULT_MAX_DEPTH) -> list[Value]:
    """Split a whole command into generic values separated by single spaces (fuzzing, tests)."""
    r = Reader(data, max_depth=max_depth)
    values: list[Value] = []
    if r.at_end():
        r.end()
        return values
    values.append(r.value())
    while r.peek() == 0x20:
        r.pos += 1
        values.append(r.value())
    r.end()
    return values
