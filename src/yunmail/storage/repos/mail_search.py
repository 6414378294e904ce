"""Message search in one folder: a small query AST (the mail store's search keys) and its compilation to SQL.

The AST is defined here, beside its compiler, because only ``storage`` may build SQL; the mail store
re-exports it. Each key compiles to one boolean SQL condition on ``messages`` so keys nest freely
under ``Not``/``And``/``Or`` (IMAP SEARCH, RFC 9051 §6.4.4, maps onto it one to one).

Text matching is case-insensitive substring search, which also finds Chinese: header fields use
``ILIKE`` (``lower() LIKE lower()`` on SQLite, ASCII folding only), the body text is stored
case-folded at ingest and matched with ``LIKE`` on the case-folded needle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.messages import uid_ranges
from yunmail.storage.sql.schema import message_texts, messages

SYSTEM_FLAG_COLUMNS = {
    "\\seen": messages.c.seen,
    "\\answered": messages.c.answered,
    "\\flagged": messages.c.flagged,
    "\\deleted": messages.c.deleted,
    "\\draft": messages.c.draft,
}
HEADER_COLUMNS = {
    "subject": messages.c.subject,
    "from": messages.c.from_addr,
    "to": messages.c.to_addr,
    "cc": messages.c.cc_addr,
    "message-id": messages.c.message_id,
}


@dataclass(frozen=True, slots=True)
class AllMessages:
    """Every message (IMAP ALL)."""


@dataclass(frozen=True, slots=True)
class HasFlag:
    """The message has this system flag (``\\Seen``) or keyword (``$Forwarded``); case-insensitive."""

    flag: str


@dataclass(frozen=True, slots=True)
class UidIn:
    uids: tuple[int, ...] | range


@dataclass(frozen=True, slots=True)
class Received:
    """Internal date in ``[since, before)``; either bound may be open (IMAP SINCE/BEFORE/ON)."""

    since: dt.datetime | None = None
    before: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """``Date:`` header in ``[since, before)`` (IMAP SENTSINCE/SENTBEFORE/SENTON)."""

    since: dt.datetime | None = None
    before: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Size:
    """Size strictly between the bounds (IMAP LARGER / SMALLER)."""

    larger_than: int | None = None
    smaller_than: int | None = None


@dataclass(frozen=True, slots=True)
class HeaderContains:
    """A cached header field (``subject``, ``from``, ``to``, ``cc``, ``message-id``) contains ``text``."""

    field: str
    text: str


@dataclass(frozen=True, slots=True)
class HeaderLike:
    """A pre-filter for `HeaderContains` with non-ASCII letters: the same match with every such letter
    a one-character wildcard (SQL ``lower()`` folds ASCII only). Matches a superset: the caller
    checks the candidates' values itself."""

    field: str
    text: str


@dataclass(frozen=True, slots=True)
class BodyContains:
    text: str


@dataclass(frozen=True, slots=True)
class TextContains:
    """Header fields or body contain ``text`` (IMAP TEXT)."""

    text: str


@dataclass(frozen=True, slots=True)
class ModSeqAtLeast:
    """CONDSTORE ``MODSEQ n`` (RFC 7162 §3.1.5): the message's MODSEQ is at least ``modseq``."""

    modseq: int


@dataclass(frozen=True, slots=True)
class Not:
    key: SearchKey


@dataclass(frozen=True, slots=True)
class And:
    keys: tuple[SearchKey, ...]


@dataclass(frozen=True, slots=True)
class Or:
    keys: tuple[SearchKey, ...]


SearchKey: TypeAlias = (
    AllMessages
    | HasFlag
    | UidIn
    | Received
    | Sent
    | Size
    | HeaderContains
    | HeaderLike
    | BodyContains
    | TextContains
    | ModSeqAtLeast
    | Not
    | And
    | Or
)


def _escape(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _between(column: Any, since: dt.datetime | None, before: dt.datetime | None) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if since is not None:
        parts.append(column >= since)
    if before is not None:
        parts.append(column < before)
    return and_(true(), *parts)


def _body_contains(text: str) -> ColumnElement[bool]:
    pattern = _escape(text.casefold())
    return exists(
        select(message_texts.c.message_id).where(
            message_texts.c.message_id == messages.c.id, message_texts.c.body.like(pattern, escape="\\")
        )
    )


def _header_contains(field: str, text: str) -> ColumnElement[bool]:
    column = HEADER_COLUMNS.get(field.lower())
    if column is None:
        raise ValueError(f"unsearchable header field {field!r}")
    if field.lower() == "message-id":
        # The column keeps the id without its angle brackets; the header has them.
        return (literal("<") + column + literal(">")).ilike(_escape(text), escape="\\")
    return column.ilike(_escape(text), escape="\\")


def _has_flag(flag: str) -> ColumnElement[bool]:
    column = SYSTEM_FLAG_COLUMNS.get(flag.lower())
    if column is not None:
        return column.is_(True)
    if flag.startswith("\\"):
        return false()  # \Recent and unknown system flags: never set in the store
    # Keywords are atoms (no quotes or backslashes), so the quoted form matches exactly one element.
    pattern = _escape(f'"{flag.lower()}"')
    return func.lower(cast(messages.c.keywords, String)).like(pattern, escape="\\")


def condition(key: SearchKey) -> ColumnElement[bool]:
    """The SQL condition on ``messages`` selecting what ``key`` matches."""
    match key:
        case AllMessages():
            return true()
        case HasFlag(flag):
            return _has_flag(flag)
        case UidIn(uids):
            runs = uid_ranges(uids)
            if not runs:
                return false()
            return or_(*(messages.c.uid.between(a, b) for a, b in runs))
        case Received(since, before):
            return _between(messages.c.internal_date, since, before)
        case Sent(since, before):
            return and_(messages.c.sent_date.isnot(None), _between(messages.c.sent_date, since, before))
        case Size(larger, smaller):
            parts: list[ColumnElement[bool]] = []
            if larger is not None:
                parts.append(messages.c.size > larger)
            if smaller is not None:
                parts.append(messages.c.size < smaller)
            return and_(true(), *parts)
        case HeaderContains(field, text):
            return _header_contains(field, text)
        case HeaderLike(field, text):
            column = HEADER_COLUMNS.get(field.lower())
            if column is None:
                raise ValueError(f"unsearchable header field {field!r}")
            escaped = _escape(text)
            pattern = "".join("_" if not c.isascii() and c.lower() != c.upper() else c for c in escaped)
            return column.ilike(pattern, escape="\\")
        case BodyContains(text):
            return _body_contains(text)
        case TextContains(text):
            return or_(*(_header_contains(f, text) for f in HEADER_COLUMNS), _body_contains(text))
        case ModSeqAtLeast(modseq):
            return messages.c.modseq >= modseq
        case Not(inner):
            return not_(condition(inner))
        case And(keys):
            return and_(true(), *(condition(k) for k in keys))
        case Or(keys):
            return or_(false(), *(condition(k) for k in keys))
    raise TypeError(f"not a search key: {key!r}")


async def search_uids(conn: AsyncConnection, folder_id: int, key: SearchKey) -> list[int]:
    """UIDs of the folder's messages matching ``key``, ascending."""
    stmt = (
        select(messages.c.uid)
        .where(messages.c.folder_id == folder_id, condition(key))
        .order_by(messages.c.uid)
    )
    return list((await conn.execute(stmt)).scalars())
