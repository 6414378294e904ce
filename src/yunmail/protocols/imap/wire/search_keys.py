"""The SEARCH criteria grammar as an AST, parsed and rendered (RFC 9051 §6.4.4, RFC 3501 §6.4.4).

The AST is normalised so that the evaluator (``mailstore.search``) has few cases:

* flag keys become `HasFlag` / ``Not(HasFlag)``: ``SEEN`` -> ``HasFlag("\\Seen")``, ``UNSEEN`` ->
  ``Not(HasFlag("\\Seen"))``, ``KEYWORD $Junk`` -> ``HasFlag("$Junk")``, ``NEW`` ->
  ``And((HasFlag("\\Recent"), Not(HasFlag("\\Seen"))))``, ``OLD`` -> ``Not(HasFlag("\\Recent"))``;
* several keys in a row (top level or in parentheses) become `And` with at least two children;
  a parenthesised single key is just that key;
* string arguments are decoded to ``str`` with the command's CHARSET.

Rendering gives back wire syntax that parses to the same AST (``parse(render(k)) == k``).
Extensions: MODSEQ (RFC 7162 §3.1.5), OLDER/YOUNGER (RFC 5032 WITHIN), SAVEDBEFORE/SAVEDON/
SAVEDSINCE/SAVEDATESUPPORTED (RFC 8514), ``$`` as a sequence set (RFC 5182 SEARCHRES).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, TypeAlias

from yunmail.protocols.imap.wire.codes import ResponseCode
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.sequence_set import SequenceSet
from yunmail.protocols.imap.wire.tokenizer import MAX_U63, Reader
from yunmail.protocols.imap.wire.values import is_atom, render_astring, render_quoted

SYSTEM_FLAGS = ("\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen", "\\Recent")
_SYSTEM_BY_UPPER = {f.upper(): f for f in SYSTEM_FLAGS}
# keyword -> system flag (ANSWERED ... SEEN, RECENT); the UN- forms negate
_FLAG_KEYS = {f[1:].upper(): f for f in SYSTEM_FLAGS}

TextField = Literal["BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO"]
TEXT_FIELDS: tuple[TextField, ...] = ("BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO")
DateField = Literal["INTERNAL", "SENT", "SAVED"]
DateOp = Literal["BEFORE", "ON", "SINCE"]
EntryType = Literal["priv", "shared", "all"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBER = {m.upper(): i for i, m in enumerate(MONTHS, start=1)}
_DATE_RE = re.compile(rb'("?)([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})\1')

DEFAULT_CHARSETS = ("UTF-8", "US-ASCII")
_SET_START = frozenset(b"0123456789*$")


# --- the AST ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class All:
    """``ALL``."""


@dataclass(frozen=True, slots=True)
class HasFlag:
    """The message has this system flag (canonical case, e.g. ``\\Seen``) or keyword."""

    flag: str


@dataclass(frozen=True, slots=True)
class Contains:
    """``BCC``/``BODY``/``CC``/``FROM``/``SUBJECT``/``TEXT``/``TO`` substring match."""

    field: TextField
    value: str


@dataclass(frozen=True, slots=True)
class Header:
    """``HEADER name value``; an empty value matches every message with that field."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class DateKey:
    """``BEFORE/ON/SINCE`` (INTERNAL), ``SENT*`` (Date: header), ``SAVED*`` (RFC 8514)."""

    field: DateField
    op: DateOp
    date: dt.date


@dataclass(frozen=True, slots=True)
class Size:
    """``LARGER n`` / ``SMALLER n`` (RFC822.SIZE)."""

    op: Literal["LARGER", "SMALLER"]
    size: int


@dataclass(frozen=True, slots=True)
class SeqSet:
    """A bare sequence set (message sequence numbers), possibly ``$``."""

    numbers: SequenceSet


@dataclass(frozen=True, slots=True)
class Uid:
    """``UID set``, possibly ``$``."""

    uids: SequenceSet


@dataclass(frozen=True, slots=True)
class ModSeq:
    """``MODSEQ ["/flags/<flag>" priv|shared|all] n`` (RFC 7162 §3.1.5)."""

    modseq: int
    entry_flag: str | None = None
    entry_type: EntryType | None = None

    def __post_init__(self) -> None:
        if (self.entry_flag is None) != (self.entry_type is None):
            raise ValueError("MODSEQ entry flag and entry type go together")


@dataclass(frozen=True, slots=True)
class Within:
    """``OLDER n`` / ``YOUNGER n``: internal date relative to now, in seconds (RFC 5032)."""

    op: Literal["OLDER", "YOUNGER"]
    seconds: int


@dataclass(frozen=True, slots=True)
class SaveDateSupported:
    """``SAVEDATESUPPORTED`` (RFC 8514 §4.2)."""


@dataclass(frozen=True, slots=True)
class Not:
    key: SearchKey


@dataclass(frozen=True, slots=True)
class Or:
    left: SearchKey
    right: SearchKey


@dataclass(frozen=True, slots=True)
class And:
    """All of ``keys`` (two or more)."""

    keys: tuple[SearchKey, ...]

    def __post_init__(self) -> None:
        if len(self.keys) < 2:
            raise ValueError("And needs at least two keys")


SearchKey: TypeAlias = (
    "All | HasFlag | Contains | Header | DateKey | Size | SeqSet | Uid | ModSeq | Within"
    " | SaveDateSupported | Not | Or | And"
)


# --- parsing ------------------------------------------------------------------------------------

Decoder: TypeAlias = Callable[[bytes], str]


def charset_decoder(charset: str | None, supported: Iterable[str] = DEFAULT_CHARSETS) -> Decoder:
    """Return a decoder for search strings, or raise ``NO [BADCHARSET (...)]`` (RFC 9051 §6.4.4).

    No CHARSET and US-ASCII decode as UTF-8 (a superset; clients routinely send UTF-8 anyway,
    and IMAP4rev2/UTF8=ACCEPT make it the default). Other supported names use Python codecs.
    """
    names = [n.upper() for n in supported]
    if charset is not None and charset.upper() not in names:
        raise WireError(
            f"charset {charset[:40]} is not supported",
            status="NO",
            response_code=ResponseCode.badcharset(supported),
        )
    codec = "utf-8" if charset is None or charset.upper() in ("UTF-8", "US-ASCII") else charset

    def decode(data: bytes) -> str:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            raise WireError(f"search string is not valid {charset or 'UTF-8'}") from None

    return decode


def parse_date(r: Reader) -> dt.date:
    """``date = date-text / DQUOTE date-text DQUOTE``, e.g. ``1-Feb-1994`` (RFC 9051 §9)."""
    m = _DATE_RE.match(r.data, r.pos)
    if m is None:
        raise r.error("expected a date like 1-Feb-1994")
    month = _MONTH_NUMBER.get(m.group(3).decode("ascii").upper())
    try:
        if month is None:
            raise ValueError("month")
        value = dt.date(int(m.group(4)), month, int(m.group(2)))
    except ValueError:
        raise r.error("invalid date") from None
    r.pos = m.end()
    return value


def _string(r: Reader, decode: Decoder) -> str:
    raw = r.astring()
    try:
        return decode(raw)
    except WireError as err:
        raise r.error(err.message) from None


def parse_key(r: Reader, decode: Decoder) -> SearchKey:
    """One ``search-key`` at the reader's position."""
    c = r.peek()
    if c == 0x28:  # "(" search-key *(SP search-key) ")"
        keys = r.paren_list(lambda: parse_key(r, decode), allow_empty=False)
        return keys[0] if len(keys) == 1 else And(tuple(keys))
    if c in _SET_START:
        return SeqSet(r.sequence_set())
    word = r.atom().upper()
    simple = _parse_simple(word)
    if simple is not None:
        return simple
    if word == "NOT":
        r.sp()
        return Not(r.nested(lambda: parse_key(r, decode)))
    if word == "OR":

        def both() -> Or:
            r.sp()
            left = parse_key(r, decode)
            r.sp()
            return Or(left, parse_key(r, decode))

        return r.nested(both)
    r.sp()
    if word in TEXT_FIELDS:
        return Contains(word, _string(r, decode))
    if word == "HEADER":
        name = r.text(r.astring(), "header field name")
        r.sp()
        return Header(name, _string(r, decode))
    if word in ("KEYWORD", "UNKEYWORD"):
        flag = HasFlag(r.atom())
        return flag if word == "KEYWORD" else Not(flag)
    date_key = _DATE_WORDS.get(word)
    if date_key is not None:
        return DateKey(date_key[0], date_key[1], parse_date(r))
    if word in ("LARGER", "SMALLER"):
        return Size(word, r.number(high=MAX_U63))  # type: ignore[arg-type]
    if word == "UID":
        return Uid(r.sequence_set())
    if word in ("OLDER", "YOUNGER"):
        return Within(word, r.nz_number())  # type: ignore[arg-type]
    if word == "MODSEQ":
        return _parse_modseq(r)
    raise r.error(f"unknown search key {word[:30]}")


def _parse_simple(word: str) -> SearchKey | None:
    if word == "ALL":
        return All()
    if word in _FLAG_KEYS:
        return HasFlag(_FLAG_KEYS[word])
    if word.startswith("UN") and word[2:] in _FLAG_KEYS and word != "UNRECENT":
        return Not(HasFlag(_FLAG_KEYS[word[2:]]))
    if word == "NEW":
        return And((HasFlag("\\Recent"), Not(HasFlag("\\Seen"))))
    if word == "OLD":
        return Not(HasFlag("\\Recent"))
    if word == "SAVEDATESUPPORTED":
        return SaveDateSupported()
    return None


_DATE_WORDS: dict[str, tuple[DateField, DateOp]] = {
    "BEFORE": ("INTERNAL", "BEFORE"),
    "ON": ("INTERNAL", "ON"),
    "SINCE": ("INTERNAL", "SINCE"),
    "SENTBEFORE": ("SENT", "BEFORE"),
    "SENTON": ("SENT", "ON"),
    "SENTSINCE": ("SENT", "SINCE"),
    "SAVEDBEFORE": ("SAVED", "BEFORE"),
    "SAVEDON": ("SAVED", "ON"),
    "SAVEDSINCE": ("SAVED", "SINCE"),
}


def _parse_modseq(r: Reader) -> ModSeq:
    # RFC 7162 §3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer
    if r.peek() == 0x22:
        name = r.text(r.quoted(), "entry name")
        if not name.lower().startswith("/flags/") or len(name) <= len("/flags/"):
            raise r.error("MODSEQ entry name must be /flags/<flag>")
        r.sp()
        kind = r.atom().lower()
        if kind not in ("priv", "shared", "all"):
            raise r.error("MODSEQ entry type must be priv, shared or all")
        r.sp()
        flag = _canonical_flag(name[len("/flags/") :])
        return ModSeq(r.number(high=MAX_U63), flag, kind)  # type: ignore[arg-type]
    return ModSeq(r.number(high=MAX_U63))


def _canonical_flag(flag: str) -> str:
    return _SYSTEM_BY_UPPER.get(flag.upper(), flag)


def parse_keys(r: Reader, decode: Decoder) -> SearchKey:
    """``search-key *(SP search-key)`` up to the end of the command (or a ``)``)."""
    keys = [parse_key(r, decode)]
    while r.peek() == 0x20:
        r.pos += 1
        keys.append(parse_key(r, decode))
    return keys[0] if len(keys) == 1 else And(tuple(keys))


def parse_search(
    data: bytes | str, *, charset: str | None = None, supported: Iterable[str] = DEFAULT_CHARSETS
) -> SearchKey:
    """Parse criteria text alone (no tag, no CHARSET), e.g. ``b'OR SEEN FLAGGED'``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    r = Reader(raw)
    key = parse_keys(r, charset_decoder(charset, supported))
    r.end()
    return key


# --- rendering ----------------------------------------------------------------------------------


def render_date(value: dt.date) -> bytes:
    """``d-Mon-yyyy`` (RFC 9051 §9 date-text)."""
    return f"{value.day}-{MONTHS[value.month - 1]}-{value.year:04d}".encode("ascii")


def _render_flag_key(flag: str, negated: bool) -> bytes:
    canonical = _SYSTEM_BY_UPPER.get(flag.upper())
    if canonical is not None and flag.startswith("\\"):
        word = canonical[1:].upper()
        if negated:
            return b"OLD" if word == "RECENT" else b"UN" + word.encode("ascii")
        return word.encode("ascii")
    data = flag.encode("utf-8")
    if not is_atom(data):
        raise ValueError(f"{flag!r} cannot be searched as a keyword")
    return (b"UNKEYWORD " if negated else b"KEYWORD ") + data


def _render(key: SearchKey, *, top: bool, utf8: bool) -> bytes:
    def s(value: str) -> bytes:
        return render_astring(value, utf8=utf8)

    match key:
        case All():
            return b"ALL"
        case HasFlag(flag):
            return _render_flag_key(flag, negated=False)
        case Not(HasFlag(flag)):
            return _render_flag_key(flag, negated=True)
        case Not(inner):
            return b"NOT " + _render(inner, top=False, utf8=utf8)
        case Or(left, right):
            return b"OR " + _render(left, top=False, utf8=utf8) + b" " + _render(right, top=False, utf8=utf8)
        case And(keys):
            body = b" ".join(_render(k, top=False, utf8=utf8) for k in keys)
            return body if top else b"(" + body + b")"
        case Contains(field, value):
            return field.encode("ascii") + b" " + s(value)
        case Header(name, value):
            return b"HEADER " + s(name) + b" " + s(value)
        case DateKey(field, op, date):
            prefix = b"" if field == "INTERNAL" else field.encode("ascii")
            return prefix + op.encode("ascii") + b" " + render_date(date)
        case Size(op, size):
            return b"%s %d" % (op.encode("ascii"), size)
        case SeqSet(numbers):
            return numbers.render().encode("ascii")
        case Uid(uids):
            return b"UID " + uids.render().encode("ascii")
        case ModSeq(modseq, None, _):
            return b"MODSEQ %d" % modseq
        case ModSeq(modseq, flag, kind):
            entry = render_quoted(f"/flags/{flag}".encode())
            return b"MODSEQ %s %s %d" % (entry, (kind or "all").encode("ascii"), modseq)
        case Within(op, seconds):
            return b"%s %d" % (op.encode("ascii"), seconds)
        case SaveDateSupported():
            return b"SAVEDATESUPPORTED"
    raise TypeError(f"not a search key: {key!r}")


def render_search(key: SearchKey, *, utf8: bool = False) -> bytes:
    """Criteria as wire text (strings as atom/quoted/literal); `And` at the top is unbracketed."""
    return _render(key, top=True, utf8=utf8)
