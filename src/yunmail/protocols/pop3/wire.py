"""POP3 bytes <-> values: command lines in, single-line and multi-line replies out (RFC 1939 §3).

Pure code (no asyncio, no services). Invariants:

* A command line is at most ``max_line`` octets; a longer one is reported once as `Pop3WireError`
  and skipped up to its end, so the session answers ``-ERR`` and stays in step.
* A multi-line reply is dot-stuffed (every line starting with "." gets another one), always ends
  with CRLF before the terminating ``.`` line, and never contains a bare CR or LF line end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yunmail.errors import InvalidInput

MAX_LINE = 8192  # RFC 2449 §4 allows 255 for commands; SASL responses need more
_BARE_LF = re.compile(rb"(?<!\r)\n")
_STUFF = re.compile(rb"^\.", re.MULTILINE)


class Pop3WireError(InvalidInput):
    """A client line the codec cannot accept (too long, not text)."""

    code = "POP3_SYNTAX"
    en = "Invalid POP3 command: {detail}"
    zh = "POP3 命令无效：{detail}"


@dataclass(frozen=True, slots=True)
class Command:
    """``keyword`` upper-cased; ``args`` split on spaces; ``rest`` is everything after the keyword
    (PASS takes the whole rest, spaces included, as most servers do)."""

    keyword: str
    args: tuple[str, ...]
    rest: str


class LineReader:
    """Incremental CRLF (or bare LF) line splitter with a length limit."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self._buf = bytearray()
        self._discarding = False

    def feed(self, data: bytes) -> None:
        self._buf += data

    def take_buffer(self) -> bytes:
        """Remove the unread bytes (discarded after STLS, RFC 2595 §4)."""
        data = bytes(self._buf)
        self._buf.clear()
        return data

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def next_line(self) -> bytes | None:
        """The next line without its line end, or None when more bytes are needed."""
        while True:
            idx = self._buf.find(b"\n")
            if idx < 0:
                if len(self._buf) > self.max_line:
                    del self._buf[:]
                    if not self._discarding:
                        self._discarding = True
                        raise Pop3WireError(detail="line too long")
                return None
            line = bytes(self._buf[:idx])
            del self._buf[: idx + 1]
            if self._discarding:
                self._discarding = False
                continue  # the tail of an over-long line
            if len(line) > self.max_line:
                raise Pop3WireError(detail="line too long")
            return line[:-1] if line.endswith(b"\r") else line


def parse_command(line: bytes) -> Command:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise Pop3WireError(detail="command is not valid UTF-8") from None
    if not text or any(ch in text for ch in "\x00\r"):
        raise Pop3WireError(detail="empty or malformed command")
    keyword, _, rest = text.partition(" ")
    if not keyword.isascii() or not keyword.isalpha() or len(keyword) > 8:
        raise Pop3WireError(detail="unknown command")
    return Command(keyword.upper(), tuple(rest.split()), rest)


def _clean(text: str) -> bytes:
    return " ".join(text.split()).encode("utf-8", "replace")


def ok(text: str = "") -> bytes:
    return b"+OK" + (b" " + _clean(text) if text else b"") + b"\r\n"


def err(text: str, code: str | None = None) -> bytes:
    """``-ERR [CODE] text`` (RFC 2449 §8 extended response codes: AUTH, IN-USE, SYS/TEMP...)."""
    prefix = f"[{code}] " if code else ""
    return b"-ERR " + _clean(prefix + text) + b"\r\n"


def multiline(first: bytes, body: bytes) -> bytes:
    """``first`` (a complete ``+OK`` line), then ``body`` dot-stuffed and terminated (RFC 1939 §3)."""
    data = _BARE_LF.sub(b"\r\n", body)
    if data and not data.endswith(b"\r\n"):
        data += b"\r\n"
    return first + _STUFF.sub(b"..", data) + b".\r\n"


def lines_reply(first: bytes, lines: list[str]) -> bytes:
    return multiline(first, b"".join(_clean(line) + b"\r\n" for line in lines))


def top(message: bytes, body_lines: int) -> bytes:
    """RFC 1939 §7 TOP: the header, the blank line, and the first ``body_lines`` lines of the body."""
    split = message.find(b"\r\n\r\n")
    if split < 0:
        return message
    head, body = message[: split + 4], message[split + 4 :]
    if body_lines <= 0 or not body:
        return head
    kept = body.split(b"\r\n", body_lines)[:body_lines]
    return head + b"\r\n".join(kept) + b"\r\n"
