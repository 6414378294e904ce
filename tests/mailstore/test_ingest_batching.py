"""Ingest batching: blobs stored with ``put_many``, checks only inside the transaction, calls coalesced.

Dedupe and quota are decided in the write transaction (no read pre-check), so a refused or duplicate
message's blob is written and then discarded after the commit; these tests pin that nothing is
left behind and that a blob lost between ``put_many`` and the commit is written again.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from pathlib import Path

from support.mailstore import make_message
from yunmail.clock import FakeClock
from yunmail.events import InProcessBus
from yunmail.mailstore import IngestItem, IngestResult, MailStore
from yunmail.storage import Database, FileBlobStore


class _LosingBlobStore(FileBlobStore):
    """Removes each key's file after its first ``put_many``, as a concurrent reclaim of it would."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.lost: set[str] = set()

    async def put_many(self, blobs: Sequence[bytes]) -> list[str]:
        keys = await super().put_many(blobs)
        for key in keys:
            if key not in self.lost:
                self.lost.add(key)
                await self.delete(key)
        return keys


async def test_ingest_many_rewrites_blobs_removed_between_put_many_and_commit(
    db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock, mailbox: int
) -> None:
    store = MailStore(db, _LosingBlobStore(blobs.root), bus, clock)
    data = [make_message(f"raced {n}") for n in range(3)]
    await store.ingest_many([IngestItem(mailbox, d) for d in data])
    assert [await blobs.get(hashlib.sha256(d).hexdigest()) for d in data] == data


async def test_duplicate_with_other_bytes_leaves_only_the_original_blob(
    store: MailStore, blobs: FileBlobStore, mailbox: int
) -> None:
    original = make_message("first attempt")
    await store.ingest(mailbox, original, dedupe_key="retry")
    again = await store.ingest(mailbox, make_message("second attempt"), dedupe_key="retry")
    assert (again.duplicate, await blobs.keys()) == (True, [hashlib.sha256(original).hexdigest()])


async def test_duplicate_with_the_same_bytes_keeps_the_shared_blob(
    store: MailStore, blobs: FileBlobStore, mailbox: int
) -> None:
    data = make_message("retried")
    first = await store.ingest(mailbox, data, dedupe_key="retry")
    await store.ingest(mailbox, data, dedupe_key="retry")
    assert await store.read_message(mailbox, "INBOX", first.uid) == data


async def test_concurrent_ingest_many_calls_are_each_committed_whole(store: MailStore, mailbox: int) -> None:
    calls = [[IngestItem(mailbox, make_message(f"call {c} item {i}")) for i in range(4)] for c in range(3)]
    outcomes = await asyncio.gather(*(store.ingest_many(items) for items in calls))
    per_call = []
    for results in outcomes:
        assert all(isinstance(r, IngestResult) for r in results)
        uids = [r.uid for r in results if isinstance(r, IngestResult)]
        per_call.append(
            (len({r.modseq for r in results if isinstance(r, IngestResult)}), uids == sorted(uids))
        )
    assert per_call == [(1, True)] * 3


async def test_concurrent_ingest_many_calls_get_distinct_uids(store: MailStore, mailbox: int) -> None:
    calls = [[IngestItem(mailbox, make_message(f"call {c} item {i}")) for i in range(5)] for c in range(4)]
    outcomes = await asyncio.gather(*(store.ingest_many(items) for items in calls))
    uids = [r.uid for results in outcomes for r in results if isinstance(r, IngestResult)]
    assert sorted(uids) == list(range(1, 21))
