"""SEARCH and UID SEARCH with ESEARCH (RFC 4731), SEARCHRES (RFC 5182), CONDSTORE MODSEQ and CHARSET.

The codec's search AST is translated into the store's (one SQL condition per key). Keys the store
cannot decide from its columns become a ``UidIn`` leaf computed here, so that NOT/OR around them
still compose in SQL:

* header keys the columns do not hold (``HEADER`` with other fields, BCC, the header half of
  TEXT) read the header blocks once per command and match the decoded, normalised values
  (`yunmail.mime.header_search`), as Dovecot does; FROM/TO/CC use the cached columns, which
  keep display names, addresses and group names;
* SENTBEFORE/SENTON/SENTSINCE compare the calendar date of the Date: header in its own zone
  (RFC 3501 §6.4.4 "disregarding time and timezone"): SQL settles every message more than a day
  away from the edge, the few near it are checked against their parsed Date:.

Text keys are case-insensitive substring matches, which also finds Chinese words.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from yunmail import mailstore as ms
from yunmail.errors import MessageNotFound
from yunmail.mailstore.search import HeaderLike
from yunmail.mime.header_search import ADDRESS_FIELDS, searchable_fields
from yunmail.protocols.imap.commands import Outcome, ok
from yunmail.protocols.imap.commands.fetch import cached_parse, parse_raw
from yunmail.protocols.imap.commands.search_context import remember
from yunmail.protocols.imap.wire import commands, responses
from yunmail.protocols.imap.wire import search_keys as k
from yunmail.protocols.imap.wire.codes import ResponseCode
from yunmail.protocols.imap.wire.sequence_set import SequenceSet
from yunmail.protocols.imap.wire.values import render_quoted

if TYPE_CHECKING:
    from yunmail.protocols.imap.selected import SelectedView
    from yunmail.protocols.imap.session import Session

_FIELD_COLUMNS = {"FROM": "from", "TO": "to", "CC": "cc", "SUBJECT": "subject"}
_INFO_FIELDS = {"subject": "subject", "from": "from_addr", "to": "to_addr", "cc": "cc_addr"}
_NOTHING: ms.SearchKey = ms.Not(ms.AllMessages())
MAX_HEADER_SCAN = 256 * 1024
_CONTAINERS = ("multipart/", "message/")  # only these have part headers below the message header
_SCAN_BATCH = 64  # messages read per query by a header scan (whole messages: keep memory bounded)
# A Date: zone is within a day of UTC, so a message more than a day from a date edge is settled in SQL.
_ZONE_MARGIN = dt.timedelta(days=1)
# Dovecot dates a message without a usable Date: at the epoch (so SENTBEFORE finds it).
_NO_DATE = dt.date(1970, 1, 1)


def _day(value: dt.date) -> dt.datetime:
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def _bounds(key: k.DateKey) -> tuple[dt.date | None, dt.date | None]:
    """``[since, before)`` in calendar days."""
    nxt = key.date + dt.timedelta(days=1)
    return {"BEFORE": (None, key.date), "ON": (key.date, nxt), "SINCE": (key.date, None)}[key.op]


def _in(day: dt.date, since: dt.date | None, before: dt.date | None) -> bool:
    return (since is None or day >= since) and (before is None or day < before)


def _local_midnight(value: dt.date) -> dt.datetime:
    """Midnight starting ``value`` in the server's own time zone (``TZ``), daylight saving included."""
    try:
        stamp = time.mktime((value.year, value.month, value.day, 0, 0, 0, 0, 0, -1))
        return dt.datetime.fromtimestamp(stamp, dt.UTC)
    except (OverflowError, ValueError, OSError):  # years the C library cannot place
        return _day(value)


def _internal_date_key(key: k.DateKey) -> ms.SearchKey:
    # BEFORE/ON/SINCE: the internal date's calendar day in the server's time zone, as Dovecot
    # does (UTC on our hosts); the zone an APPEND gave is not kept (RFC 3501 leaves this open).
    since, before = _bounds(key)
    return ms.Received(
        since=_local_midnight(since) if since is not None else None,
        before=_local_midnight(before) if before is not None else None,
    )


class _Translator:
    """One SEARCH's translation; header scans are shared between the keys that need them."""

    def __init__(self, session: Session, view: SelectedView) -> None:
        self.session = session
        self.view = view
        self.uses_modseq = False
        self._headers: dict[int, list[tuple[str, str]]] | None = None
        self._nested: dict[int, list[tuple[str, str]]] | None = None

    async def key(self, key: k.SearchKey) -> ms.SearchKey:
        match key:
            case k.All():
                return ms.AllMessages()
            case k.HasFlag(flag):
                if flag.lower() == "\\recent":  # a session flag (RFC 3501 §2.3.2), IMAP4rev1 only
                    return ms.UidIn(tuple(sorted(self.view.recent)))
                return ms.HasFlag(flag)
            case k.Contains(field, value):
                return await self._contains(field, value)
            case k.Header(name, value):
                return await self._header(name.lower(), value)
            case k.DateKey(field="SENT"):
                return await self._sent(key)
            case k.DateKey():
                return _internal_date_key(key)  # SAVED*: the save date is the arrival date here
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

    async def _contains(self, field: str, value: str) -> ms.SearchKey:
        if field == "BODY":
            return ms.BodyContains(value)
        if field == "TEXT":
            # RFC 3501 §6.4.4 TEXT: the header or the body; every header field counts.
            return ms.Or((ms.TextContains(value), await self._scan(None, value)))
        if field == "BCC":
            return await self._scan("bcc", value)
        # SUBJECT/FROM/TO/CC: the cached columns hold the decoded subject, display names, addresses
        # and group names (indexing).
        return await self._column(_FIELD_COLUMNS[field], value)

    async def _column(self, column: str, value: str) -> ms.SearchKey:
        if all(c.isascii() or c.lower() == c.upper() for c in value):
            return ms.HeaderContains(column, value)
        # SQL folds ASCII case only: let it find candidates, then compare case-folded here.
        session, view = self.session, self.view
        candidates = await session.store.search(session.mailbox_id, view.folder_id, HeaderLike(column, value))
        needle = value.casefold()
        exact: list[int] = []
        for start in range(0, len(candidates), 200):
            chunk = candidates[start : start + 200]
            for info in await session.store.fetch_messages(session.mailbox_id, view.folder_id, chunk):
                if needle in str(getattr(info, _INFO_FIELDS[column])).casefold():
                    exact.append(info.uid)
        return ms.UidIn(tuple(exact))

    async def _header(self, name: str, value: str) -> ms.SearchKey:
        if not value:
            return await self._scan(name, value)  # RFC 3501 §6.4.4: empty string = field present
        if name == "message-id":
            return ms.HeaderContains(name, value)
        if name in ("subject", "from", "to", "cc"):
            return await self._contains(name.upper(), value)
        return await self._scan(name, value)

    async def _sent(self, key: k.DateKey) -> ms.SearchKey:
        """SENT*: the Date: header's calendar date in its own zone (RFC 3501 §6.4.4)."""
        since, before = _bounds(key)
        lo = _day(since) + _ZONE_MARGIN if since is not None else None
        hi = _day(before) - _ZONE_MARGIN if before is not None else None
        settled: list[ms.SearchKey] = []
        if lo is None or hi is None or lo < hi:
            settled.append(ms.Sent(since=lo, before=hi))
        if _in(_NO_DATE, since, before):
            settled.append(ms.Not(ms.Sent()))
        edges = [_day(d) for d in (since, before) if d is not None]
        near = ms.Or(tuple(ms.Sent(since=e - _ZONE_MARGIN, before=e + _ZONE_MARGIN) for e in edges))
        view, session = self.view, self.session
        candidates = await session.store.search(session.mailbox_id, view.folder_id, near)
        exact = [uid for uid, day in (await self._sent_days(candidates)).items() if _in(day, since, before)]
        return ms.Or((*settled, ms.UidIn(tuple(exact))))

    async def _sent_days(self, uids: Sequence[int]) -> dict[int, dt.date]:
        session, view = self.session, self.view
        out: dict[int, dt.date] = {}
        for start in range(0, len(uids), 200):
            chunk = list(uids[start : start + 200])
            for info in await session.store.fetch_messages(session.mailbox_id, view.folder_id, chunk):
                parsed = cached_parse(info)
                if parsed is None:
                    try:
                        raw = await session.store.read_message(session.mailbox_id, view.folder_id, info.uid)
                    except MessageNotFound:
                        continue
                    parsed = await parse_raw(raw)
                out[info.uid] = parsed.date.date() if parsed.date is not None else _NO_DATE
        return out

    def _seq_uids(self, numbers: SequenceSet) -> list[int]:
        view = self.view
        if numbers.saved:
            return list(view.saved)
        if not view.uids:
            return []
        return [view.uids[s - 1] for s in numbers.iter_numbers(len(view.uids))]

    async def _scan(self, name: str | None, value: str) -> ms.SearchKey:
        """Messages with a header ``name`` containing ``value``; with ``name`` None any field of
        any header, MIME part headers and embedded messages' headers included (TEXT, as Dovecot)."""
        headers = await self._all_headers(nested=name is None)
        needle = " ".join(value.split()).casefold() if name in ADDRESS_FIELDS else value.casefold()
        found = tuple(
            uid
            for uid, fields in headers.items()
            if any((name is None or field == name) and needle in text for field, text in fields)
        )
        return ms.UidIn(found)

    async def _all_headers(self, *, nested: bool = False) -> dict[int, list[tuple[str, str]]]:
        """Searchable header fields per live message: the message header, and with ``nested`` also
        every MIME part header below it (one read of the folder per command and kind)."""
        cached = self._nested if nested else self._headers
        if cached is not None:
            return cached
        session, view = self.session, self.view
        out: dict[int, list[tuple[str, str]]] = {}
        live = [u for u in view.uids if u not in view.expunged]
        for start in range(0, len(live), _SCAN_BATCH):
            chunk = live[start : start + _SCAN_BATCH]
            found = await session.store.read_messages(session.mailbox_id, view.folder_id, chunk)
            for uid, raw in found.items():
                end = raw.find(b"\r\n\r\n", 0, MAX_HEADER_SCAN)
                fields = searchable_fields(raw[:MAX_HEADER_SCAN] if end < 0 else raw[: end + 2])
                if nested and any(n == "content-type" and v.startswith(_CONTAINERS) for n, v in fields):
                    root = (await parse_raw(raw)).root
                    for part in root.walk():
                        if part is not root and part.header_end > part.header_start:
                            fields += searchable_fields(raw[part.header_start : part.header_end])
                out[uid] = fields
        if nested:
            self._nested = out
        else:
            self._headers = out
        return out


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


def _reported(options: set[str], uids: Sequence[int], by_position: Sequence[int]) -> list[int]:
    """The messages an ESEARCH answer names: with only MIN/MAX just those two (RFC 4731 §3.2,
    RFC 5182 §2.4, RFC 7162 §3.1.5), else all matches."""
    if by_position and not options & {"ALL", "COUNT", "PARTIAL", "UPDATE"} and options & {"MIN", "MAX"}:
        ends = {by_position[0] if "MIN" in options else by_position[-1]}
        ends.add(by_position[-1] if "MAX" in options else by_position[0])
        return [u for u in uids if u in ends]
    return list(uids)


async def answer(
    session: Session,
    command: commands.Search | commands.Sort,
    uids: list[int],
    *,
    modseq_used: bool,
) -> None:
    """Send the result (``uids`` in result order) as ``* SEARCH``/``* SORT`` or ``* ESEARCH``."""
    view = session.view
    assert view is not None
    sorting = isinstance(command, commands.Sort)
    returns = command.returns
    numbers = uids if command.uid else [s for u in uids if (s := view.seq_of(u)) is not None]
    if returns is None and not (session.rev2 and not sorting):
        modseq = await highest_modseq(session, uids) if modseq_used and not sorting else None
        session.send(
            responses.SortData(tuple(numbers)) if sorting else responses.SearchData(tuple(numbers), modseq)
        )
        return
    options: set[str] = set(returns or ()) or {"ALL"}
    ascending = sorted(uids)
    if "SAVE" in options:
        # RFC 5182 §2.4: with only MIN/MAX, $ holds just those messages; with PARTIAL (RFC 9394
        # §3.2, as Dovecot) the messages of the range.
        if command.partial is not None:
            view.saved = tuple(sorted(command.partial.pick(uids)))
        else:
            view.saved = tuple(_reported(options - {"SAVE"}, ascending, uids))
    if "UPDATE" in options:
        if isinstance(command, commands.Sort):
            kept = remember(session, command.tag, command.uid, command.search, command, uids)
        else:
            kept = remember(session, command.tag, command.uid, command.criteria, None, uids)
        if not kept:
            # RFC 5267 §4.2: the result is still answered; the client learns no updates will follow.
            code = ResponseCode("NOUPDATE", render_quoted(command.tag.encode()).decode())
            session.send(responses.Untagged("NO", "too many search contexts", code))
    if options == {"SAVE"}:
        return
    # MIN/MAX are the lowest and highest numbers for SEARCH, the first and last in order for SORT.
    first, last = (numbers[0], numbers[-1]) if numbers else (None, None)
    if not sorting and numbers:
        first, last = min(numbers), max(numbers)
    partial = None
    if command.partial is not None:
        partial = (command.partial.render(), tuple(command.partial.pick(numbers)))
    modseq = None
    if modseq_used:
        modseq = await highest_modseq(session, _reported(options, ascending, ascending))
    found: SequenceSet | tuple[int, ...] | None = None
    if numbers and "ALL" in options:
        found = tuple(numbers) if sorting else SequenceSet.of(numbers)
    session.send(
        responses.ESearch(
            tag=command.tag,
            uid=command.uid,
            min=first if "MIN" in options else None,
            max=last if "MAX" in options else None,
            count=len(numbers) if "COUNT" in options else None,
            all=found,
            modseq=modseq,
            partial=partial,
        )
    )


async def search(session: Session, command: commands.Search) -> Outcome:
    view = session.view
    assert view is not None
    try:
        uids, modseq_used = await matching_uids(session, command.criteria)
    except BaseException:
        if command.returns is not None and "SAVE" in command.returns:
            view.saved = ()  # RFC 5182 §2.1: a failed SEARCH ... SAVE empties $
        raise
    await answer(session, command, uids, modseq_used=modseq_used)
    if command.returns is not None and set(command.returns) == {"SAVE"}:
        return ok("SEARCH completed, result saved")
    return ok("SEARCH completed")
