"""FETCH and UID FETCH: every fetch attribute, partials, BINARY, CONDSTORE CHANGEDSINCE (RFC 9051 §6.4.5).

Work per chunk of messages: one metadata query (summaries, or full infos with the cached parse when
ENVELOPE/BODYSTRUCTURE/sections are asked), message bytes only for byte-range items, one flag
update for the implicit ``\\Seen``. Answers stream out as they are built (``Session.maybe_flush``).
A message expunged by another session meanwhile is simply left out (RFC 9051 §7.4.1 lets the
server omit it; its EXPUNGE follows later).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from yunmail import errors
from yunmail.mailstore import SEEN, FlagMode, MessageInfo, MessageSummary, parsed_message
from yunmail.mime import ParsedMessage, parse_message
from yunmail.protocols.imap import render
from yunmail.protocols.imap.commands import Outcome, bad, no, ok
from yunmail.protocols.imap.selected import sorted_flags
from yunmail.protocols.imap.wire import codes, commands, responses
from yunmail.protocols.imap.wire.fetch_items import (
    BinarySection,
    BinarySize,
    BodySection,
    FetchAttr,
    FetchItem,
)
from yunmail.protocols.imap.wire.responses import format_date_time
from yunmail.protocols.imap.wire.sequence_set import SequenceSet
from yunmail.protocols.imap.wire.values import LiteralValue, Raw, RawAtom, RenderValue

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session

CHUNK = 200
THREAD_PARSE_BYTES = 256 * 1024
_INFO_ATTRS = frozenset({"ENVELOPE", "BODY", "BODYSTRUCTURE", "PREVIEW"})
_RAW_ATTRS = frozenset({"RFC822", "RFC822.HEADER", "RFC822.TEXT"})

Record = MessageSummary | MessageInfo


def cached_parse(info: MessageInfo) -> ParsedMessage | None:
    """The store's cached parse, if it holds one in the current format."""
    return parsed_message(info)


async def parse_raw(raw: bytes) -> ParsedMessage:
    if len(raw) >= THREAD_PARSE_BYTES:
        return await asyncio.to_thread(parse_message, raw, with_text=False)
    return parse_message(raw, with_text=False)


def _whole(item: FetchItem) -> bool:
    """``BODY[]`` / ``BODY.PEEK[]``: the message bytes as stored, no structure needed."""
    return isinstance(item, BodySection) and not item.section.part and item.section.text is None


def _needs(items: Sequence[FetchItem]) -> tuple[bool, bool]:
    """(needs the cached parse, needs the message bytes)."""
    info = raw = False
    for item in items:
        if isinstance(item, FetchAttr):
            info |= item.name in _INFO_ATTRS
            raw |= item.name in _RAW_ATTRS
        elif _whole(item):
            raw = True
        else:
            info = raw = True
    return info, raw


def internal_date(value: dt.datetime) -> str:
    return format_date_time(value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC))


class _Message:
    """One message's material for rendering, loaded lazily."""

    def __init__(self, session: Session, folder_id: int, record: Record, raw: bytes | None = None) -> None:
        self.session = session
        self.folder_id = folder_id
        self.record = record
        self._raw = raw  # usually prefetched for the whole chunk in one query
        self._parsed: ParsedMessage | None = None

    async def raw(self) -> bytes:
        if self._raw is None:
            self._raw = await self.session.store.read_message(
                self.session.mailbox_id, self.folder_id, self.record.uid
            )
        return self._raw

    async def parsed(self) -> ParsedMessage:
        if self._parsed is None:
            if isinstance(self.record, MessageInfo):
                self._parsed = cached_parse(self.record)
            if self._parsed is None:
                self._parsed = await parse_raw(await self.raw())
        return self._parsed


def _partial(data: bytes, partial: tuple[int, int] | None) -> bytes:
    if partial is None:
        return data
    offset, length = partial
    return data[offset : offset + length]


async def _value(item: FetchItem, msg: _Message, flags: frozenset[str], modseq: int) -> RenderValue:
    record = msg.record
    if isinstance(item, FetchAttr):
        name = item.name
        if name == "FLAGS":
            return tuple(RawAtom(f) for f in sorted_flags(flags))
        if name == "UID":
            return record.uid
        if name == "INTERNALDATE":
            return internal_date(record.internal_date)
        if name == "RFC822.SIZE":
            return record.size
        if name == "MODSEQ":
            return (modseq,)
        if name == "ENVELOPE":
            return Raw(render.envelope((await msg.parsed()).envelope))
        if name in ("BODY", "BODYSTRUCTURE"):
            return Raw(render.body_structure((await msg.parsed()).root, extensible=name == "BODYSTRUCTURE"))
        if name == "RFC822":
            return LiteralValue(await msg.raw())
        if name == "RFC822.HEADER":
            return LiteralValue((await msg.raw())[: (await msg.parsed()).root.header_end])
        if name == "RFC822.TEXT":
            return LiteralValue((await msg.raw())[(await msg.parsed()).root.header_end :])
        if name == "EMAILID":
            return (RawAtom(f"M{record.message_id}"),)
        if name == "PREVIEW":
            return record.preview if isinstance(record, MessageInfo) else None
        return None  # THREADID, SAVEDATE: not kept (RFC 8474 §5.2 / RFC 8514 allow NIL)
    if isinstance(item, BodySection):
        if _whole(item):
            return LiteralValue(_partial(await msg.raw(), item.partial))
        data = render.section_bytes(await msg.raw(), await msg.parsed(), item.section)
        if data is None:
            return b""  # a part that does not exist reads as empty, as Dovecot answers
        return LiteralValue(_partial(data, item.partial))
    if isinstance(item, BinarySection):
        decoded, known = render.binary_bytes(await msg.raw(), await msg.parsed(), item.part)
        if not known:
            raise _UnknownCte()
        if decoded is None:
            return b""  # as for BODY[]: a missing part reads as empty
        data = _partial(decoded, item.partial)
        return LiteralValue(data, binary=b"\x00" in data)
    assert isinstance(item, BinarySize)
    decoded, known = render.binary_bytes(await msg.raw(), await msg.parsed(), item.part)
    if not known:
        raise _UnknownCte()
    return len(decoded or b"")


class _UnknownCte(Exception):
    """BINARY of a part whose transfer encoding we cannot undo."""


async def fetch(session: Session, command: commands.Fetch) -> Outcome:
    view = session.view
    assert view is not None
    items = list(command.items)
    uses_modseq = command.changedsince is not None or any(
        isinstance(i, FetchAttr) and i.name == "MODSEQ" for i in items
    )
    if uses_modseq:
        session.enabled.add("CONDSTORE")  # RFC 7162 §3.1: a CONDSTORE-enabling command
    # Response order: UID first for UID FETCH (RFC 9051 §6.4.9), MODSEQ with CHANGEDSINCE.
    names = {i.name for i in items if isinstance(i, FetchAttr)}
    if command.uid and "UID" not in names:
        items.insert(0, FetchAttr("UID"))
    if command.changedsince is not None and "MODSEQ" not in names:
        items.append(FetchAttr("MODSEQ"))
    if command.vanished:
        # RFC 7162 §3.2.6: only UID FETCH with CHANGEDSINCE, once QRESYNC is enabled.
        if not (command.uid and command.changedsince is not None and session.qresync):
            return bad("VANISHED needs UID FETCH, CHANGEDSINCE and QRESYNC enabled")
        await _vanished_earlier(session, command.sequence_set, command.changedsince)
    targets = view.resolve(command.sequence_set, uid=command.uid)
    needs_info, needs_raw = _needs(items)
    sets_seen = not view.readonly and any(i.sets_seen for i in items)
    unknown_cte = False
    for start in range(0, len(targets), CHUNK):
        chunk = targets[start : start + CHUNK]
        uids = [u for _, u in chunk]
        records: Sequence[Record]
        if needs_info:
            records = await session.store.fetch_messages(session.mailbox_id, view.folder_id, uids)
        else:
            records = await session.store.list_messages(session.mailbox_id, view.folder_id, uids)
        by_uid: dict[int, Record] = {r.uid: r for r in records}
        if command.changedsince is not None:
            by_uid = {u: r for u, r in by_uid.items() if r.modseq > command.changedsince}
        state = {u: (r.flags, r.modseq) for u, r in by_uid.items()}
        seen_set = await _mark_seen(session, by_uid) if sets_seen else {}
        # One query and concurrent blob reads for the chunk instead of a round trip per message.
        raws = (
            await session.store.read_messages(session.mailbox_id, view.folder_id, list(by_uid))
            if needs_raw and by_uid
            else {}
        )
        state.update(seen_set)
        for seq, uid in chunk:
            record = by_uid.get(uid)
            if record is None:
                continue
            flags, modseq = state[uid]
            msg = _Message(session, view.folder_id, record, raws.get(uid))
            out: list[tuple[Any, RenderValue]] = []
            try:
                for item in items:
                    out.append((item, await _value(item, msg, flags, modseq)))
            except _UnknownCte:
                unknown_cte = True
                continue
            except errors.MessageNotFound:
                continue  # expunged and reclaimed while we were reading it
            if uid in seen_set and "FLAGS" not in names:
                # RFC 9051 §6.4.5: flags changed by the implicit \Seen go with the answer.
                out.append(("FLAGS", tuple(RawAtom(f) for f in sorted_flags(flags))))
            session.send(responses.Fetch(seq, tuple(out)))
            await session.maybe_flush()
    if unknown_cte:
        return no("cannot decode a part's content transfer encoding", codes.UNKNOWN_CTE)
    return ok("FETCH completed")


async def _vanished_earlier(session: Session, uids: SequenceSet, modseq: int) -> None:
    view = session.view
    assert view is not None
    changes = await session.store.changes_since(session.mailbox_id, view.folder_id, modseq)
    top = view.uids[-1] if view.uids else 0
    gone = [u for u in changes.vanished if uids.contains(u, max(top, u))]
    if gone:
        session.send(responses.Vanished(SequenceSet.of(gone), earlier=True))


async def _mark_seen(
    session: Session, records: Mapping[int, Record]
) -> dict[int, tuple[frozenset[str], int]]:
    """Set the implicit ``\\Seen``; the new (flags, modseq) of the messages it changed."""
    view = session.view
    assert view is not None
    unseen = [u for u, r in records.items() if SEEN not in r.flags]
    if not unseen:
        return {}
    update = await session.store.set_flags(
        session.mailbox_id, view.folder_id, sorted(unseen), [SEEN], mode=FlagMode.ADD
    )
    view.remember_own(update.modseq)
    return {m.uid: (m.flags, m.modseq) for m in update.updated}
