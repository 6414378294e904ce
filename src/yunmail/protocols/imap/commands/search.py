"""SEARCH and UID SEARCH with ESEARCH (RFC 4731), SEARCHRES (RFC 5182), CONDSTORE MODSEQ and CHARSET.

The codec's search AST is translated into the store's (one SQL condition per key). Keys the store
cannot evaluate from its columns (BCC, ``HEADER`` with other fields or an empty value) become a
``UidIn`` leaf computed by reading the headers, so that NOT/OR around them still compose in SQL.
Text keys are case-insensitive substring matches, which also finds Chinese words.
"""

from __future__ import annotations

import datetime as dt
import email.header
from collections.abc import Sequence
from typing import TYPE_CHECKING

from yunmail import mailstore as ms
from yunmail.errors import MessageNotFound
from yunmail.mime import iter_header_fields
from yunmail.protocols.imap.commands import Outcome, ok
from yunmail.protocols.imap.wire import commands, responses
from yunmail.protocols.imap.wire import search_keys as k
from yunmail.protocols.imap.wire.sequence_set import SequenceSet

if TYPE_CHECKING:
    from yunmail.protocols.imap.selected import SelectedView
    from yunmail.protocols.imap.session import Session

_HEADER_COLUMNS = {"subject", "from", "to", "cc", "message-id"}
_FIELD_COLUMNS = {"FROM": "from", "TO": "to", "CC": "cc", "SUBJECT": "subject"}
_NOTHING: ms.SearchKey = ms.Not(ms.AllMessages())
MAX_HEADER_SCAN = 256 * 1024


def _day(value: dt.date) -> dt.datetime:
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def _date_key(key: k.DateKey) -> ms.SearchKey:
    start = _day(key.date)
    end = start + dt.timedelta(days=1)
    since, before = {"BEFORE": (None, start), "ON": (start, end), "SINCE": (start, None)}[key.op]
    if key.field == "SENT":
        return ms.Sent(since=since, before=before)
    return ms.Received(since=since, before=before)  # SAVED*: the save date is the arrival date here


def _decoded(value: bytes) -> str:
    text = value.decode("utf-8", "replace")
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (ValueError, LookupError, UnicodeError):
        return text


class _Translator:
    """One SEARCH's translation; header scans are shared between the keys that need them."""

    def __init__(self, session: Session, view: SelectedView) -> None:
        self.session = session
        self.view = view
        self.uses_modseq = False
        self._headers: dict[int, list[tuple[str, str]]] | None = None

    async def key(self, key: k.SearchKey) -> ms.SearchKey:
        match key:
            case k.All():
                return ms.AllMessages()
            case k.HasFlag(flag):
                if flag.lower() == "\\recent":  # a session flag (RFC 3501 §2.3.2), IMAP4rev1 only
                    return ms.UidIn(tuple(sorted(self.view.recent)))
                return ms.HasFlag(flag)
            case k.Contains(field, value):
                if field == "BODY":
                    return ms.BodyContains(value)
                if field == "TEXT":
                    return ms.TextContains(value)
                if field == "BCC":
                    return await self._scan("bcc", value)
                return ms.HeaderContains(_FIELD_COLUMNS[field], value)
            case k.Header(name, value):
                if name.lower() in _HEADER_COLUMNS and value:
                    return ms.HeaderContains(name.lower(), value)
                return await self._scan(name.lower(), value)
            case k.DateKey():
                return _date_key(key)
            case k.Size(op, size):
                return ms.Size(larger_than=size) if op == "LARGER" else ms.Size(smaller_than=size)
            case k.SeqSet(numbers):
                return ms.UidIn(tuple(self._seq_uids(numbers)))
            case k.Uid(uids):
                return ms.UidIn(tuple(u for _, u in self.view.resolve(uids, uid=True)))
            case k.ModSeq(modseq):
                self.uses_modseq = True
                return ms.ModSeqAtLeast(modseq)
            case k.Within(op, seconds):
                edge = self.session.deps.clock.now() - dt.timedelta(seconds=seconds)
                return ms.Received(before=edge) if op == "OLDER" else ms.Received(since=edge)
            case k.SaveDateSupported():
                return _NOTHING
            case k.Not(inner):
                return ms.Not(await self.key(inner))
            case k.Or(left, right):
                return ms.Or((await self.key(left), await self.key(right)))
            case k.And(keys):
                return ms.And(tuple([await self.key(part) for part in keys]))
        raise TypeError(f"not a search key: {key!r}")

    def _seq_uids(self, numbers: SequenceSet) -> list[int]:
        view = self.view
        if numbers.saved:
            return list(view.saved)
        if not view.uids:
            return []
        return [view.uids[s - 1] for s in numbers.iter_numbers(len(view.uids))]

    async def _scan(self, name: str, value: str) -> ms.SearchKey:
        """Messages whose header ``name`` contains ``value`` (any such header when empty)."""
        headers = await self._all_headers()
        needle = value.casefold()
        found = tuple(
            uid
            for uid, fields in headers.items()
            if any(field == name and needle in text.casefold() for field, text in fields)
        )
        return ms.UidIn(found)

    async def _all_headers(self) -> dict[int, list[tuple[str, str]]]:
        if self._headers is None:
            session, view = self.session, self.view
            self._headers = {}
            for uid in view.uids:
                if uid in view.expunged:
                    continue
                try:
                    raw = await session.store.read_message(
                        session.mailbox_id, view.folder_id, uid, end=MAX_HEADER_SCAN
                    )
                except MessageNotFound:
                    continue
                end = raw.find(b"\r\n\r\n")
                block = raw if end < 0 else raw[: end + 2]
                self._headers[uid] = [
                    (f.name.strip().lower(), _decoded(f.value)) for f in iter_header_fields(block)
                ]
        return self._headers


async def matching_uids(session: Session, criteria: k.SearchKey) -> tuple[list[int], bool]:
    """UIDs (ascending, live in the view) matching ``criteria``, and whether MODSEQ was a criterion."""
    view = session.view
    assert view is not None
    translator = _Translator(session, view)
    key = await translator.key(criteria)
    if translator.uses_modseq:
        session.enable_condstore()
    found = await session.store.search(session.mailbox_id, view.folder_id, key)
    return [u for u in found if view.live(u)], translator.uses_modseq


async def highest_modseq(session: Session, uids: Sequence[int]) -> int | None:
    view = session.view
    if view is None or not uids:
        return None
    summaries = await session.store.list_messages(session.mailbox_id, view.folder_id, list(uids))
    return max((m.modseq for m in summaries), default=None)


async def search(session: Session, command: commands.Search) -> Outcome:
    view = session.view
    assert view is not None
    returns = command.returns
    try:
        uids, modseq_used = await matching_uids(session, command.criteria)
    except BaseException:
        if returns is not None and "SAVE" in returns:
            view.saved = ()  # RFC 5182 §2.1: a failed SEARCH ... SAVE empties $
        raise
    numbers = uids if command.uid else [s for u in uids if (s := view.seq_of(u)) is not None]
    modseq = await highest_modseq(session, uids) if modseq_used else None
    if returns is None and not session.rev2:
        session.send(responses.SearchData(tuple(numbers), modseq))
        return ok("SEARCH completed")
    options = set(returns or ()) or {"ALL"}
    if "SAVE" in options:
        chosen = uids
        if uids and not options & {"ALL", "COUNT"} and options & {"MIN", "MAX"}:
            # RFC 5182 §2.4: with only MIN/MAX, $ holds just those messages.
            ends = {uids[0] if "MIN" in options else uids[-1], uids[-1] if "MAX" in options else uids[0]}
            chosen = sorted(ends)
        view.saved = tuple(chosen)
        if options == {"SAVE"}:
            return ok("SEARCH completed, result saved")
    session.send(
        responses.ESearch(
            tag=command.tag,
            uid=command.uid,
            min=numbers[0] if numbers and "MIN" in options else None,
            max=numbers[-1] if numbers and "MAX" in options else None,
            count=len(numbers) if "COUNT" in options else None,
            all=SequenceSet.of(numbers) if numbers and "ALL" in options else None,
            modseq=modseq,
        )
    )
    return ok("SEARCH completed")
