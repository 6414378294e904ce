"""Argument grammar shared by several commands: mailbox names, flags, date-time, charsets, options.

Each function reads one RFC 9051 §9 production at a `Reader`'s position and raises `WireError`
on bad input. Mailbox names are decoded here, once: ``INBOX`` in any case becomes ``"INBOX"``
(RFC 9051 §5.1); with UTF8=ACCEPT (RFC 6855 §3) or 8-bit octets the name is UTF-8; a 7-bit name
is modified UTF-7 and must be canonical (RFC 3501 §5.1.3). Also here: the two kinds of client line
that are not commands, IDLE's ``DONE`` and SASL responses.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re

from yunmail.protocols.imap.wire import commands as c
from yunmail.protocols.imap.wire import search_keys, utf7
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.tokenizer import MAX_U32, Reader

_LIST_MAILBOX_RE = re.compile(rb"[^\x00-\x20\x7f-\xff(){\"\\]+")  # 1*list-char
_DATE_TIME_RE = re.compile(
    rb'"([ 0-9][0-9])-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})"'
)
_MONTHS = {m.upper(): i for i, m in enumerate(search_keys.MONTHS, start=1)}
_SYSTEM_FLAGS = {f.upper(): f for f in search_keys.SYSTEM_FLAGS}
_BASE64_RE = re.compile(rb"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_PARTIAL_RE = re.compile(rb"(-?[0-9]{1,10}):(-?[0-9]{1,10})")
_SEARCH_RETURNS: tuple[c.SearchReturn, ...] = (
    "MIN",
    "MAX",
    "ALL",
    "COUNT",
    "SAVE",
    "UPDATE",  # RFC 5267 §4
    "CONTEXT",  # RFC 5267 §4.1: a hint, accepted and ignored
)


def mailbox(r: Reader, *, pattern: bool = False) -> str:
    """``mailbox`` (astring, INBOX case-insensitive) or ``list-mailbox`` when ``pattern``."""
    if pattern and r.peek() not in (0x22, 0x7B):
        m = _LIST_MAILBOX_RE.match(r.data, r.pos)
        if m is None:
            raise r.error("expected a mailbox pattern")
        r.pos = m.end()
        raw = m.group()
    else:
        raw = r.astring()
    if raw.upper() == b"INBOX":
        return "INBOX"
    if r.utf8 or not raw.isascii():
        return r.text(raw, "mailbox name")  # RFC 6855 §3 / RFC 9051 §5.1: UTF-8 names
    try:
        return utf7.decode(raw)
    except utf7.Utf7Error as err:
        # Well-formed syntax naming no possible mailbox: NO, as for any other bad name (not BAD).
        raise WireError(
            f"mailbox name is not valid modified UTF-7: {err}", tag=r.tag, command=r.command, status="NO"
        ) from None


def flag(r: Reader) -> str:
    """``flag``: system flag (canonical case), ``\\`` atom extension, or keyword atom."""
    if r.peek() == 0x5C:
        r.pos += 1
        if r.peek() == 0x2A:  # \* only appears in PERMANENTFLAGS; never stored
            raise r.error("\\* is not a flag")
        word = "\\" + r.atom()
        return _SYSTEM_FLAGS.get(word.upper(), word)
    return r.atom()


def flag_list(r: Reader) -> tuple[str, ...]:
    return tuple(r.paren_list(lambda: flag(r)))


def date_time(r: Reader) -> dt.datetime:
    """``"dd-Mon-yyyy hh:mm:ss +zzzz"`` (RFC 9051 §9 date-time), an aware datetime."""
    m = _DATE_TIME_RE.match(r.data, r.pos)
    if m is None:
        raise r.error('expected a date-time like "17-Jul-1996 02:44:25 -0700"')
    day, mon, year, hh, mm, ss, sign, zh, zm = (g.decode("ascii") for g in m.groups())
    month = _MONTHS.get(mon.upper())
    try:
        if month is None or int(zm) >= 60:
            raise ValueError("date-time")
        offset = dt.timedelta(hours=int(zh), minutes=int(zm)) * (-1 if sign == "-" else 1)
        value = dt.datetime(int(year), month, int(day), int(hh), int(mm), int(ss), tzinfo=dt.timezone(offset))
    except ValueError:
        raise r.error("invalid date-time") from None
    r.pos = m.end()
    return value


def charset(r: Reader) -> str:
    raw = r.quoted() if r.peek() == 0x22 else r.atom().encode("ascii")
    return r.text(raw, "charset")


def search_return_options(r: Reader) -> tuple[tuple[c.SearchReturn, ...] | None, c.PartialRange | None]:
    """RFC 4731 §3.1 ``RETURN (...)`` with RFC 5267 UPDATE/CONTEXT and RFC 9394 ``PARTIAL range``."""
    # search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
    if not r.peek_is(b" ") or r.data[r.pos + 1 : r.pos + 8].upper() != b"RETURN ":
        return None, None
    r.pos += 8
    partial: list[c.PartialRange] = []

    def option() -> c.SearchReturn:
        word = r.atom().upper()
        if word == "PARTIAL":
            r.sp()
            partial.append(_partial_range(r))
            return "PARTIAL"
        if word not in _SEARCH_RETURNS:
            raise r.error(f"unknown RETURN option {word[:30]}")
        return word

    options = tuple(r.paren_list(option))
    if len(partial) > 1 or (partial and "ALL" in options):
        raise r.error("PARTIAL conflicts with ALL or another PARTIAL")
    return options, partial[0] if partial else None


def _partial_range(r: Reader) -> c.PartialRange:
    # RFC 9394 §3.1: partial-range = partial-range-first / partial-range-last
    #   partial-range-first = nz-number ":" nz-number
    #   partial-range-last = MINUS nz-number ":" MINUS nz-number
    m = _PARTIAL_RE.match(r.data, r.pos)
    if m is None:
        raise r.error("PARTIAL needs a range like 1:100 or -1:-100")
    first, last = int(m.group(1)), int(m.group(2))
    if first == 0 or last == 0 or (first < 0) != (last < 0) or max(abs(first), abs(last)) > MAX_U32:
        raise r.error("PARTIAL range broken")
    r.pos = m.end()
    if abs(first) > abs(last):
        first, last = last, first
    return c.PartialRange(first, last)


def status_items(r: Reader) -> tuple[c.StatusItem, ...]:
    def item() -> c.StatusItem:
        word = r.atom().upper()
        if word not in c.STATUS_ITEMS:
            raise r.error(f"unknown STATUS item {word[:30]}")
        return word

    return tuple(r.paren_list(item, allow_empty=False))


def sasl_payload(r: Reader) -> bytes:
    if r.accept(b"="):
        return b""
    m = _BASE64_RE.match(r.data, r.pos)
    if m is None or not m.group():
        raise r.error("invalid base64")
    r.pos = m.end()
    try:
        return base64.b64decode(m.group(), validate=True)
    except binascii.Error:
        raise r.error("invalid base64") from None


def parse_idle_done(line: bytes) -> None:
    """Accept the ``DONE`` that ends IDLE (RFC 2177 §3); anything else is `WireError`."""
    if line.rstrip(b"\r\n").upper() != b"DONE":
        raise WireError("expected DONE to end IDLE")


def parse_sasl_response(line: bytes) -> bytes | None:
    """A client's SASL continuation line: decoded bytes, or ``None`` for ``*`` (cancel, RFC 9051 §6.2.2)."""
    body = line.rstrip(b"\r\n")
    if body == b"*":
        return None
    if not body:
        return b""
    if _BASE64_RE.fullmatch(body) is None:
        raise WireError("invalid base64 in authentication exchange")
    return base64.b64decode(body, validate=True)
