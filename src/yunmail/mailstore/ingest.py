"""THE write path into the store: bytes -> checks -> blob fsync -> parse -> one commit -> change event.

SMTP delivery, IMAP APPEND, migration and API import all come through here. Steps per message:

1. size limit (``MessageTooLarge``) and flag syntax;
2. blob ``put_many`` (fsync'd, content-addressed: identical bodies for many recipients are stored
   once, their per-recipient delivery headers go to the row's ``prefix``; one directory sync per
   touched directory for the whole call) and parse (in a worker thread for large messages);
3. one transaction for a whole group: lock the mailbox rows, resolve folders, check dedupe and
   quota, add blob references, allocate UIDs and one new MODSEQ per mailbox, insert rows and search
   text, update folder and mailbox counters; commit;
4. publish ``MailboxChanged`` per mailbox, then return. Nothing is acknowledged before step 3
   commits (durability rule, DESIGN §5).

Dedupe and quota are checked only inside the transaction (there is no read pre-check): a refused or
duplicate message costs a blob write that is discarded after the commit, which is rare, while the
pre-check cost a database round trip on every ingest.

Group commit: concurrent ``ingest`` and ``ingest_many`` calls of one ``Ingestor`` are coalesced;
whoever finishes step 2 while a commit is running joins the next one, so N callers share one fsync
without any timer, and the blob writes of the next group overlap the current commit. An
``ingest_many`` call is never split across transactions.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from yunmail.errors import (
    InvalidInput,
    MailboxNotFound,
    MessageTooLarge,
    QuotaExceeded,
    Unavailable,
    YunmailError,
)
from yunmail.mailstore.context import StoreContext
from yunmail.mailstore.flags import SEEN, SYSTEM_FLAGS, FlagSet, parse_flags
from yunmail.mailstore.folders import find_folder
from yunmail.mailstore.indexing import CachedParse, index_message
from yunmail.mailstore.model import IngestItem, IngestResult
from yunmail.mailstore.quota import exceeds
from yunmail.storage.repos import blobrefs, mail_state
from yunmail.storage.repos import folders as folder_rows
from yunmail.storage.repos import messages as message_rows
from yunmail.storage.repos.blobrefs import BlobRef
from yunmail.storage.repos.folders import FolderAdvance, FolderRow
from yunmail.storage.repos.mail_state import MailboxAdvance, MailboxCounters
from yunmail.storage.repos.messages import DedupeConflict

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.ext.asyncio import AsyncConnection

Outcome = IngestResult | YunmailError

# Parsing below this size is cheaper inline than a thread hop.
THREAD_PARSE_BYTES = 256 * 1024
MAX_DEDUPE_KEY = 128
MAX_GROUP = 256
_DEDUPE_RETRIES = 3


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A message that passed the pre-checks, with its blob stored and its parse cached."""

    item: IngestItem
    flags: FlagSet
    internal_date: dt.datetime
    sha256: str
    size: int
    cached: CachedParse


def _validate(ctx: StoreContext, item: IngestItem) -> FlagSet:
    if len(item.data) > ctx.max_message_bytes:
        raise MessageTooLarge(limit=ctx.max_message_bytes)
    if item.dedupe_key is not None and not 0 < len(item.dedupe_key) <= MAX_DEDUPE_KEY:
        raise InvalidInput(detail=f"dedupe key must be 1-{MAX_DEDUPE_KEY} characters")
    if item.internal_date is not None and item.internal_date.tzinfo is None:
        raise InvalidInput(detail="internal date needs a time zone")
    return parse_flags(item.flags)


@dataclass(frozen=True, slots=True)
class _Unit:
    """One caller's prepared items, committed together, and where their outcomes go."""

    items: list[_Prepared]
    future: asyncio.Future[list[Outcome]]


def _fail(group: Sequence[_Unit], exc: Exception) -> None:
    for unit in group:
        if not unit.future.done():
            unit.future.set_exception(exc)


def _duplicate(mailbox_id: int, row: Any) -> IngestResult:
    return IngestResult(
        mailbox_id=mailbox_id,
        folder_id=row.folder_id,
        uid=row.uid,
        uidvalidity=row.uidvalidity,
        modseq=row.modseq,
        message_id=row.id,
        size=row.size,
        duplicate=True,
    )


class Ingestor:
    """Runs ingests for one ``MailStore``; holds the group-commit queue (per instance, never global)."""

    def __init__(self, ctx: StoreContext) -> None:
        self._ctx = ctx
        self._waiting: list[_Unit] = []
        self._committer: asyncio.Task[None] | None = None

    async def ingest(self, item: IngestItem) -> IngestResult:
        (outcome,) = await self.ingest_many([item])
        if isinstance(outcome, YunmailError):
            raise outcome
        return outcome

    async def ingest_many(self, items: Sequence[IngestItem]) -> list[Outcome]:
        """All items in one transaction; each position holds its result or its catalogue error."""
        prepared = await self._prepare(items)
        ready = [p for p in prepared if isinstance(p, _Prepared)]
        committed = iter(await self._join_group(ready)) if ready else iter(())
        return [next(committed) if isinstance(p, _Prepared) else p for p in prepared]

    # --- step 1 and 2: outside any transaction --------------------------------------------------

    async def _prepare(self, items: Sequence[IngestItem]) -> list[_Prepared | Outcome]:
        ctx = self._ctx
        results: list[_Prepared | Outcome | None] = [None] * len(items)
        flagsets: dict[int, FlagSet] = {}
        for i, item in enumerate(items):
            try:
                flagsets[i] = _validate(ctx, item)
            except YunmailError as exc:
                results[i] = exc
        pending = [i for i in range(len(items)) if results[i] is None]
        keys = await self._put_blobs([items[i].data for i in pending])
        parses: dict[tuple[str, bytes], CachedParse] = {}
        for i in pending:
            item = items[i]
            sha256 = keys[item.data]
            cache_key = (sha256, item.prefix)
            if cache_key not in parses:
                parses[cache_key] = await self._parse(item.prefix + item.data)
            results[i] = _Prepared(
                item=item,
                flags=flagsets[i],
                internal_date=item.internal_date or ctx.now(),
                sha256=sha256,
                size=len(item.prefix) + len(item.data),
                cached=parses[cache_key],
            )
        return [r for r in results if r is not None]

    async def _put_blobs(self, bodies: Sequence[bytes]) -> dict[bytes, str]:
        if not bodies:
            return {}
        ordered = list(dict.fromkeys(bodies))
        keys = await self._ctx.blobs.put_many(ordered)
        return dict(zip(ordered, keys, strict=True))

    @staticmethod
    async def _parse(data: bytes) -> CachedParse:
        if len(data) >= THREAD_PARSE_BYTES:
            return await asyncio.to_thread(index_message, data)
        return index_message(data)

    # --- group commit ---------------------------------------------------------------------------

    async def _join_group(self, items: list[_Prepared]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        unit = _Unit(items, loop.create_future())
        self._waiting.append(unit)
        # The commit runs in a task of its own, so that a cancelled caller cannot abort a commit
        # others wait for; whoever arrives while it runs joins its next round.
        if self._committer is None or self._committer.done() or self._committer.get_loop() is not loop:
            self._committer = loop.create_task(self._drain())
        return await unit.future

    def _take_group(self) -> list[_Unit]:
        """Waiting units up to ``MAX_GROUP`` items (at least one unit: a call is never split)."""
        group: list[_Unit] = []
        count = 0
        while self._waiting and (not group or count + len(self._waiting[0].items) <= MAX_GROUP):
            unit = self._waiting.pop(0)
            group.append(unit)
            count += len(unit.items)
        return group

    async def _drain(self) -> None:
        group: list[_Unit] = []
        try:
            while self._waiting:
                group = self._take_group()
                try:
                    outcomes = await self._commit([item for unit in group for item in unit.items])
                except Exception as exc:
                    _fail(group, exc)
                    continue
                start = 0
                for unit in group:
                    end = start + len(unit.items)
                    if not unit.future.done():
                        unit.future.set_result(outcomes[start:end])
                    start = end
        except BaseException:
            # The committer itself was cancelled (shutdown): nobody may wait forever.
            _fail([*group, *self._waiting], Unavailable())
            self._waiting.clear()
            raise

    # --- step 3 and 4: the transaction ----------------------------------------------------------

    async def _commit(self, batch: Sequence[_Prepared]) -> list[Outcome]:
        for attempt in range(_DEDUPE_RETRIES):
            try:
                outcomes, touched = await self._commit_once(batch)
                break
            except DedupeConflict:
                # A concurrent transaction (another node) committed the same dedupe key first;
                # the retry sees it and answers "duplicate".
                if attempt == _DEDUPE_RETRIES - 1:
                    raise
        await self._after_commit(batch, outcomes, touched)
        return outcomes

    async def _commit_once(
        self, batch: Sequence[_Prepared]
    ) -> tuple[list[Outcome], dict[int, tuple[int, set[int]]]]:
        async with self._ctx.db.transaction() as conn:
            return await _write_batch(self._ctx, conn, batch)

    async def _after_commit(
        self,
        batch: Sequence[_Prepared],
        outcomes: Sequence[Outcome],
        touched: Mapping[int, tuple[int, set[int]]],
    ) -> None:
        # A duplicate's result is the original's row, not a reference to this blob.
        stored = {
            p.sha256
            for p, o in zip(batch, outcomes, strict=True)
            if isinstance(o, IngestResult) and not o.duplicate
        }
        for p, outcome in zip(batch, outcomes, strict=True):
            orphan = not isinstance(outcome, IngestResult) or outcome.duplicate
            if orphan and p.sha256 not in stored:
                stored.add(p.sha256)  # discard each orphan once
                await self._ctx.discard_blob(p.sha256, len(p.item.data))
        for mailbox_id, (modseq, folder_ids) in sorted(touched.items()):
            await self._ctx.publish(mailbox_id, modseq, folder_ids)


async def _write_batch(
    ctx: StoreContext, conn: AsyncConnection, batch: Sequence[_Prepared]
) -> tuple[list[Outcome], dict[int, tuple[int, set[int]]]]:
    """Everything of step 3 for the batch inside ``conn``'s transaction; per-item refusals are outcomes."""
    counters = await mail_state.lock_mailboxes(conn, {p.item.mailbox_id for p in batch})
    folders_of: dict[int, list[FolderRow]] = defaultdict(list)
    for row in await folder_rows.list_for_mailboxes(conn, list(counters)):
        folders_of[row.mailbox_id].append(row)
    keys_by_mailbox: dict[int, list[str]] = defaultdict(list)
    for p in batch:
        if p.item.dedupe_key is not None:
            keys_by_mailbox[p.item.mailbox_id].append(p.item.dedupe_key)
    known = {
        mid: await message_rows.find_dedupe_keys(conn, mid, keys) for mid, keys in keys_by_mailbox.items()
    }

    outcomes: list[Outcome | None] = [None] * len(batch)
    plan = _Plan(counters)
    first_with_key: dict[tuple[int, str], int] = {}
    for i, p in enumerate(batch):
        mailbox_id = p.item.mailbox_id
        if mailbox_id not in counters:
            outcomes[i] = MailboxNotFound()
            continue
        key = p.item.dedupe_key
        if key is not None:
            if key in known.get(mailbox_id, {}):
                outcomes[i] = _duplicate(mailbox_id, known[mailbox_id][key])
                continue
            if (mailbox_id, key) in first_with_key:
                continue  # answered after insert, as a duplicate of the first
        try:
            folder = find_folder(folders_of[mailbox_id], p.item.folder)
            plan.accept(i, p, folder)
        except YunmailError as exc:
            outcomes[i] = exc
            continue
        if key is not None:
            first_with_key[(mailbox_id, key)] = i

    if plan.accepted:
        await _store_rows(ctx, conn, batch, plan)
    for i, p in enumerate(batch):
        if outcomes[i] is not None:
            continue
        if i in plan.results:
            outcomes[i] = plan.results[i]
        else:  # a later item with a dedupe key already in this batch
            first = plan.results[first_with_key[(p.item.mailbox_id, p.item.dedupe_key or "")]]
            outcomes[i] = IngestResult(**{**_fields(first), "duplicate": True})
    touched = {mid: (plan.modseq[mid], folder_ids) for mid, folder_ids in plan.folder_ids.items()}
    return [o for o in outcomes if o is not None], touched


def _fields(result: IngestResult) -> dict[str, Any]:
    return {name: getattr(result, name) for name in IngestResult.__dataclass_fields__}


class _Plan:
    """UIDs, MODSEQs and counter deltas for the accepted items of one batch."""

    def __init__(self, counters: Mapping[int, MailboxCounters]) -> None:
        self.counters = counters
        self.used = {mid: c.used_bytes for mid, c in counters.items()}
        self.modseq: dict[int, int] = {}
        self.folder_ids: dict[int, set[int]] = defaultdict(set)
        self.folders: dict[int, FolderRow] = {}
        self.uidnext: dict[int, int] = {}
        self.accepted: list[tuple[int, _Prepared, FolderRow, int]] = []
        self.results: dict[int, IngestResult] = {}

    def accept(self, index: int, p: _Prepared, folder: FolderRow) -> None:
        mailbox_id = p.item.mailbox_id
        if exceeds(self.used[mailbox_id], self.counters[mailbox_id].quota_bytes, p.size):
            raise QuotaExceeded()
        self.used[mailbox_id] += p.size
        self.modseq.setdefault(mailbox_id, self.counters[mailbox_id].modseq + 1)
        self.folders[folder.id] = folder
        uid = self.uidnext.get(folder.id, folder.uidnext)
        self.uidnext[folder.id] = uid + 1
        self.folder_ids[mailbox_id].add(folder.id)
        self.accepted.append((index, p, folder, uid))


async def _store_rows(
    ctx: StoreContext, conn: AsyncConnection, batch: Sequence[_Prepared], plan: _Plan
) -> None:
    refs = [BlobRef(p.sha256, len(p.item.data), 1) for _, p, _, _ in plan.accepted]
    fresh = set(await blobrefs.add_refs(conn, refs))
    if fresh:
        # Revived or new rows: a concurrent reclaim may have removed the file after our put.
        bodies = {p.sha256: p.item.data for _, p, _, _ in plan.accepted if p.sha256 in fresh}
        present = await asyncio.gather(*(ctx.blobs.exists(key) for key in bodies))
        lost = [body for body, ok in zip(bodies.values(), present, strict=True) if not ok]
        if lost:
            await ctx.blobs.put_many(lost)
    rows = [
        _message_row(p, folder, uid, plan.modseq[p.item.mailbox_id]) for _, p, folder, uid in plan.accepted
    ]
    ids = await message_rows.insert_messages(conn, rows)
    await message_rows.insert_texts(
        conn, [(mid, p.cached.search_text) for mid, (_, p, _, _) in zip(ids, plan.accepted, strict=True)]
    )
    deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for mid, (index, p, folder, uid) in zip(ids, plan.accepted, strict=True):
        delta = deltas[folder.id]
        delta[0] += 1
        delta[1] += 0 if SEEN in p.flags.system else 1
        delta[2] += p.size
        modseq = plan.modseq[p.item.mailbox_id]
        plan.results[index] = IngestResult(
            mailbox_id=p.item.mailbox_id,
            folder_id=folder.id,
            uid=uid,
            uidvalidity=folder.uidvalidity,
            modseq=modseq,
            message_id=mid,
            size=p.size,
        )
    await folder_rows.advance_folders(
        conn,
        [
            FolderAdvance(fid, plan.uidnext[fid], plan.modseq[plan.folders[fid].mailbox_id], *deltas[fid])
            for fid in sorted(deltas)
        ],
    )
    await mail_state.advance_mailboxes(
        conn,
        [
            MailboxAdvance(mid, modseq, plan.used[mid] - plan.counters[mid].used_bytes)
            for mid, modseq in sorted(plan.modseq.items())
        ],
    )


def _message_row(p: _Prepared, folder: FolderRow, uid: int, modseq: int) -> dict[str, Any]:
    cached = p.cached
    row: dict[str, Any] = {
        "mailbox_id": p.item.mailbox_id,
        "folder_id": folder.id,
        "uid": uid,
        "modseq": modseq,
        "keywords": list(p.flags.keywords),
        "internal_date": p.internal_date,
        "size": p.size,
        "blob_sha256": p.sha256,
        "prefix": p.item.prefix or None,
        "parsed": dict(cached.parsed),
        "subject": cached.subject,
        "from_addr": cached.from_addr,
        "to_addr": cached.to_addr,
        "cc_addr": cached.cc_addr,
        "message_id": cached.message_id,
        "sent_date": cached.sent_date,
        "preview": cached.preview,
        "has_attachments": cached.has_attachments,
        "dedupe_key": p.item.dedupe_key,
        "meta": dict(p.item.meta),
    }
    for name, column in SYSTEM_FLAGS.items():
        row[column] = name in p.flags.system
    return row
