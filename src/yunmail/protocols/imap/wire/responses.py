"""Server responses as dataclasses rendered to bytes (RFC 9051 §7 and the extensions' response syntax).

Every response has ``to_bytes(utf8=False)`` returning one complete response including the final
CRLF (and any literals inside it). ``utf8`` is true once the client enabled UTF8=ACCEPT or
IMAP4rev2: mailbox names then go out as UTF-8 instead of modified UTF-7, quoted strings may carry
UTF-8, and resp-text keeps non-ASCII characters (RFC 9051 §9 ``text``; RFC 6855 §3). In IMAP4rev1
mode non-ASCII in resp-text is replaced by ``?`` because rev1 text is 7-bit.

Value choice (atom, quoted, literal) is in `values`; response codes are in `codes`.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias

from yunmail.protocols.imap.wire.codes import ResponseCode
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.fetch_items import FetchItem
from yunmail.protocols.imap.wire.search_keys import MONTHS
from yunmail.protocols.imap.wire.sequence_set import SequenceSet
from yunmail.protocols.imap.wire.values import (
    RawAtom,
    RenderValue,
    encode_mailbox,
    render_astring,
    render_mailbox,
    render_quoted,
    render_string,
    render_value,
)

CRLF = b"\r\n"
_DEFAULT_TEXT = {"OK": "completed", "NO": "failed", "BAD": "invalid command", "BYE": "closing"}


class Response(Protocol):
    def to_bytes(self, *, utf8: bool = False) -> bytes: ...


def render(response: Response, *, utf8: bool = False) -> bytes:
    """Render any response object."""
    return response.to_bytes(utf8=utf8)


def _text(text: str, *, utf8: bool, fallback: str) -> bytes:
    # resp-text: no CR/LF; at least one character (RFC 3501 text = 1*TEXT-CHAR)
    clean = " ".join(text.replace("\x00", " ").split()) or fallback
    if utf8:
        return clean.encode("utf-8")
    return clean.encode("ascii", "replace")


def _status_line(prefix: bytes, status: str, text: str, code: ResponseCode | None, utf8: bool) -> bytes:
    body = _text(text, utf8=utf8, fallback=_DEFAULT_TEXT.get(status, status.lower()))
    head = prefix + b" " + status.encode("ascii") + b" "
    if code is not None:
        head += code.render() + b" "
    return head + body + CRLF


def format_date_time(value: dt.datetime) -> str:
    """``dd-Mon-yyyy hh:mm:ss +zzzz`` (RFC 9051 §9 date-time, day padded with a space)."""
    if value.tzinfo is None:
        raise ValueError("INTERNALDATE needs an aware datetime")
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return (
        f"{value.day:2d}-{MONTHS[value.month - 1]}-{value.year:04d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d} {sign}{minutes // 60:02d}{minutes % 60:02d}"
    )


def flags_value(flags: Sequence[str]) -> tuple[RawAtom, ...]:
    """A flag list as a renderable value: ``(\\Seen $Forwarded)``."""
    return tuple(RawAtom(f) for f in flags)


# --- status responses -----------------------------------------------------------------------------

StatusWord = Literal["OK", "NO", "BAD"]


@dataclass(frozen=True, slots=True)
class Tagged:
    """``tag OK|NO|BAD [code] text`` (RFC 9051 §7.1)."""

    tag: str
    status: StatusWord
    text: str
    code: ResponseCode | None = None

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return _status_line(self.tag.encode("ascii"), self.status, self.text, self.code, utf8)


@dataclass(frozen=True, slots=True)
class Untagged:
    """``* OK|NO|BAD|PREAUTH|BYE [code] text`` (greeting, alerts, BYE before closing)."""

    status: Literal["OK", "NO", "BAD", "PREAUTH", "BYE"]
    text: str
    code: ResponseCode | None = None

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return _status_line(b"*", self.status, self.text, self.code, utf8)


@dataclass(frozen=True, slots=True)
class Continuation:
    """``+ text`` or ``+ base64`` for a SASL challenge (RFC 9051 §7.5)."""

    text: str = "Ready"
    challenge: bytes | None = None

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        if self.challenge is not None:
            return b"+ " + base64.b64encode(self.challenge) + CRLF
        return b"+ " + _text(self.text, utf8=utf8, fallback="Ready") + CRLF


def error_response(err: WireError, *, utf8: bool = False) -> bytes:
    """The answer to a `WireError`: tagged when the tag is known, else ``* BAD`` (RFC 9051 §7.1.3)."""
    if err.tag is None:
        return Untagged("BAD", err.message, err.response_code).to_bytes(utf8=utf8)
    return Tagged(err.tag, err.status, err.message, err.response_code).to_bytes(utf8=utf8)


# --- message status (RFC 9051 §7.4) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exists:
    count: int

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return b"* %d EXISTS\r\n" % self.count


@dataclass(frozen=True, slots=True)
class Recent:
    """IMAP4rev1 only (RFC 3501 §7.3.2)."""

    count: int

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return b"* %d RECENT\r\n" % self.count


@dataclass(frozen=True, slots=True)
class Expunge:
    seq: int

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return b"* %d EXPUNGE\r\n" % self.seq


@dataclass(frozen=True, slots=True)
class Vanished:
    """``* VANISHED [(EARLIER)] uids`` (RFC 7162 §3.2.10)."""

    uids: SequenceSet
    earlier: bool = False

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        head = b"* VANISHED (EARLIER) " if self.earlier else b"* VANISHED "
        return head + self.uids.render().encode("ascii") + CRLF


FetchKey: TypeAlias = "str | FetchItem"


@dataclass(frozen=True, slots=True)
class Fetch:
    """``* n FETCH (key value ...)``: keys are names (``"FLAGS"``) or requested `FetchItem`\\ s,
    which render as their response key (``BODY[HEADER]<0>``); values are `RenderValue`\\ s."""

    seq: int
    items: tuple[tuple[FetchKey, RenderValue], ...]

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        parts = []
        for key, value in self.items:
            name = key.encode("ascii") if isinstance(key, str) else key.response_key()
            parts.append(name + b" " + render_value(value, utf8=utf8))
        return b"* %d FETCH (" % self.seq + b" ".join(parts) + b")" + CRLF


# --- mailbox status (RFC 9051 §7.2, §7.3) ---------------------------------------------------------


def _delimiter(delimiter: str | None) -> bytes:
    if delimiter is None:
        return b"NIL"
    if len(delimiter) != 1 or not 0x01 <= ord(delimiter) <= 0x7F or delimiter in "\r\n":
        raise ValueError("a hierarchy delimiter is one 7-bit character")
    return render_quoted(delimiter.encode("ascii"))


@dataclass(frozen=True, slots=True)
class ListItem:
    """``* LIST (attrs) "/" mailbox [(ext-items)]`` (RFC 9051 §7.3.1, RFC 5258 §3.5).

    ``child_info`` renders ``("CHILDINFO" ("SUBSCRIBED"))``; ``old_name`` renders
    ``("OLDNAME" ("old"))`` (RFC 9051 §6.3.9); ``kind="LSUB"`` gives an LSUB line (RFC 3501).
    """

    mailbox: str
    delimiter: str | None
    attributes: tuple[str, ...] = ()
    child_info: tuple[str, ...] = ()
    old_name: str | None = None
    kind: Literal["LIST", "LSUB"] = "LIST"

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        attrs = b"(" + b" ".join(a.encode("ascii") for a in self.attributes) + b")"
        out = b"* %s %s %s %s" % (
            self.kind.encode("ascii"),
            attrs,
            _delimiter(self.delimiter),
            render_mailbox(self.mailbox, utf8=utf8),
        )
        ext = []
        if self.child_info:
            ext.append(
                b'"CHILDINFO" (' + b" ".join(render_quoted(o.encode("ascii")) for o in self.child_info) + b")"
            )
        if self.old_name is not None:
            ext.append(b'"OLDNAME" (' + render_mailbox(self.old_name, utf8=utf8) + b")")
        if ext:
            out += b" (" + b" ".join(ext) + b")"
        return out + CRLF


@dataclass(frozen=True, slots=True)
class StatusData:
    """``* STATUS mailbox (MESSAGES 3 UIDNEXT 4 ...)`` (RFC 9051 §7.2.4)."""

    mailbox: str
    items: tuple[tuple[str, RenderValue], ...]

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        body = b" ".join(k.encode("ascii") + b" " + render_value(v, utf8=utf8) for k, v in self.items)
        return b"* STATUS " + render_mailbox(self.mailbox, utf8=utf8) + b" (" + body + b")" + CRLF


@dataclass(frozen=True, slots=True)
class Flags:
    flags: tuple[str, ...]

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return b"* FLAGS " + render_value(flags_value(self.flags)) + CRLF


@dataclass(frozen=True, slots=True)
class SearchData:
    """``* SEARCH n...`` [``(MODSEQ m)``] (RFC 3501 §7.2.5, RFC 7162 §3.1.5)."""

    numbers: tuple[int, ...]
    modseq: int | None = None

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return _number_list(b"* SEARCH", self.numbers, self.modseq)


@dataclass(frozen=True, slots=True)
class SortData:
    """``* SORT n...`` (RFC 5256 §4)."""

    numbers: tuple[int, ...]
    modseq: int | None = None

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return _number_list(b"* SORT", self.numbers, self.modseq)


def _number_list(head: bytes, numbers: tuple[int, ...], modseq: int | None) -> bytes:
    out = head + b"".join(b" %d" % n for n in numbers)
    if modseq is not None:
        out += b" (MODSEQ %d)" % modseq
    return out + CRLF


@dataclass(frozen=True, slots=True)
class ESearch:
    """``* ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [ALL set | PARTIAL (range set)] [COUNT n] [MODSEQ n]``
    (RFC 4731 §3.1, RFC 9394 §3.1) or a context update ``ADDTO``/``REMOVEFROM`` (RFC 5267 §4.3).

    ``all`` may be a `SequenceSet` (ascending) or numbers in result order (ESORT, RFC 5267 §3),
    written with ascending runs joined (``5:6,9,8``). Items come in Dovecot's order.
    """

    tag: str | None
    uid: bool = False
    min: int | None = None
    max: int | None = None
    count: int | None = None
    all: SequenceSet | tuple[int, ...] | None = None
    modseq: int | None = None
    partial: tuple[str, tuple[int, ...]] | None = None  # (range as written, numbers in order)
    addto: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (position, numbers) pairs
    removefrom: tuple[tuple[int, tuple[int, ...]], ...] = ()

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        out = b"* ESEARCH"
        if self.tag is not None:
            out += b" (TAG " + render_quoted(self.tag.encode("ascii")) + b")"
        if self.uid:
            out += b" UID"
        for name, value in (("MIN", self.min), ("MAX", self.max)):
            if value is not None:
                out += b" %s %d" % (name.encode("ascii"), value)
        if self.all is not None:
            out += b" ALL " + _ordered_set(self.all)
        if self.partial is not None:
            found = _ordered_set(self.partial[1]) if self.partial[1] else b"NIL"
            out += b" PARTIAL (" + self.partial[0].encode("ascii") + b" " + found + b")"
        if self.count is not None:
            out += b" COUNT %d" % self.count
        if self.modseq is not None:
            out += b" MODSEQ %d" % self.modseq
        for word, pairs in ((b"ADDTO", self.addto), (b"REMOVEFROM", self.removefrom)):
            if pairs:
                body = b" ".join(b"%d %s" % (pos, _ordered_set(nums)) for pos, nums in pairs)
                out += b" " + word + b" (" + body + b")"
        return out + CRLF


def _ordered_set(numbers: SequenceSet | tuple[int, ...]) -> bytes:
    """A sequence set; numbers given in a fixed order keep it, consecutive ascending runs as ``a:b``."""
    if isinstance(numbers, SequenceSet):
        return numbers.render().encode("ascii")
    parts: list[bytes] = []
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        parts.append(b"%d" % numbers[i] if i == j else b"%d:%d" % (numbers[i], numbers[j]))
        i = j + 1
    return b",".join(parts)


@dataclass(frozen=True, slots=True)
class ThreadNode:
    """A message (``None`` for a missing parent) and its replies (RFC 5256 §4)."""

    number: int | None
    children: tuple[ThreadNode, ...] = ()


def _thread_body(node: ThreadNode) -> bytes:
    parts: list[bytes] = []
    while True:
        if node.number is not None:
            parts.append(b"%d" % node.number)
        if len(node.children) == 1 and node.number is not None:
            node = node.children[0]
            continue
        if node.children:
            parts.append(b"".join(b"(" + _thread_body(child) + b")" for child in node.children))
        return b" ".join(parts)


@dataclass(frozen=True, slots=True)
class ThreadData:
    """``* THREAD (2)(3 6 (4 23)(44 7 96))`` (RFC 5256 §4)."""

    threads: tuple[ThreadNode, ...]

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        body = b"".join(b"(" + _thread_body(t) + b")" for t in self.threads)
        return b"* THREAD" + (b" " + body if body else b"") + CRLF


# --- server and connection data ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CapabilityData:
    capabilities: tuple[str, ...]

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return b"* CAPABILITY " + " ".join(self.capabilities).encode("ascii") + CRLF


@dataclass(frozen=True, slots=True)
class Enabled:
    """``* ENABLED cap...`` (RFC 5161 §3.2)."""

    capabilities: tuple[str, ...]

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        return b"* ENABLED" + b"".join(b" " + c.encode("ascii") for c in self.capabilities) + CRLF


NamespaceList: TypeAlias = "tuple[tuple[str, str | None], ...] | None"


@dataclass(frozen=True, slots=True)
class NamespaceData:
    """``* NAMESPACE personal other shared``, each ``NIL`` or ``(("prefix" "/")...)`` (RFC 2342 §5)."""

    personal: NamespaceList
    other: NamespaceList = None
    shared: NamespaceList = None

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        def one(spaces: NamespaceList) -> bytes:
            if not spaces:
                return b"NIL"
            return (
                b"("
                + b"".join(
                    b"("
                    + render_string(encode_mailbox(p, utf8=utf8), utf8=utf8)
                    + b" "
                    + _delimiter(d)
                    + b")"
                    for p, d in spaces
                )
                + b")"
            )

        return b"* NAMESPACE %s %s %s" % (one(self.personal), one(self.other), one(self.shared)) + CRLF


@dataclass(frozen=True, slots=True)
class IdData:
    """``* ID ("name" "Yunmail" ...)`` or ``* ID NIL`` (RFC 2971 §3.2)."""

    params: tuple[tuple[str, str | None], ...] | None

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        if not self.params:
            return b"* ID NIL" + CRLF
        flat: list[RenderValue] = []
        for key, value in self.params:
            flat.extend((key, value))
        return b"* ID " + render_value(flat, utf8=utf8) + CRLF


@dataclass(frozen=True, slots=True)
class Quota:
    """``* QUOTA root (STORAGE used limit ...)`` (RFC 9208 §5.1); STORAGE counts KiB."""

    root: str
    resources: tuple[tuple[str, int, int], ...]

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        body = b" ".join(b"%s %d %d" % (n.encode("ascii"), used, limit) for n, used, limit in self.resources)
        return b"* QUOTA " + render_astring(self.root, utf8=utf8) + b" (" + body + b")" + CRLF


@dataclass(frozen=True, slots=True)
class QuotaRoot:
    """``* QUOTAROOT mailbox root...`` (RFC 9208 §5.2)."""

    mailbox: str
    roots: tuple[str, ...]

    def to_bytes(self, *, utf8: bool = False) -> bytes:
        out = b"* QUOTAROOT " + render_astring(encode_mailbox(self.mailbox, utf8=utf8), utf8=utf8)
        return out + b"".join(b" " + render_astring(r, utf8=utf8) for r in self.roots) + CRLF
