"""The single write path: ingest and ingest_many (sizes, quota, dedupe, prefix, flags, batching)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

import pytest

from support.mailstore import create_mailbox, make_message
from yunmail.clock import FakeClock
from yunmail.errors import (
    FolderNotFound,
    InvalidInput,
    MailboxNotFound,
    MessageTooLarge,
    QuotaExceeded,
)
from yunmail.events import InProcessBus
from yunmail.mailstore import DRAFT, SEEN, IngestItem, IngestResult, MailStore, SpecialUse
from yunmail.mime import ParsedMessage
from yunmail.storage import Database, FileBlobStore


async def test_ingest_returns_first_uid_and_stores_exact_bytes(store: MailStore, mailbox: int) -> None:
    data = make_message("First")
    result = await store.ingest(mailbox, data)
    inbox = await store.get_folder(mailbox, "INBOX")
    assert (result.folder_id, result.uid, result.uidvalidity, result.size, result.duplicate) == (
        inbox.id,
        1,
        inbox.uidvalidity,
        len(data),
        False,
    )
    assert await store.read_message(mailbox, "INBOX", 1) == data


async def test_uids_increase_by_one_per_message(store: MailStore, mailbox: int) -> None:
    uids = [(await store.ingest(mailbox, make_message(f"m{i}"))).uid for i in range(3)]
    assert uids == [1, 2, 3]


async def test_ingest_bumps_modseq_and_folder_counters(store: MailStore, mailbox: int) -> None:
    before = await store.status(mailbox, "INBOX")
    data = make_message("Counted")
    result = await store.ingest(mailbox, data)
    after = await store.status(mailbox, "INBOX")
    assert result.modseq > before.highestmodseq
    assert (after.messages, after.unseen, after.size, after.uidnext, after.highestmodseq) == (
        1,
        1,
        len(data),
        2,
        result.modseq,
    )


async def test_ingest_into_named_folder_and_by_role(store: MailStore, mailbox: int) -> None:
    sent = await store.ingest(mailbox, make_message("sent"), folder="Sent")
    junk = await store.ingest(mailbox, make_message("spam"), folder=SpecialUse.JUNK)
    assert sent.folder_id == (await store.get_folder(mailbox, "Sent")).id
    assert junk.folder_id == (await store.get_folder(mailbox, "Junk")).id


async def test_ingest_into_missing_folder_is_refused(store: MailStore, mailbox: int) -> None:
    with pytest.raises(FolderNotFound):
        await store.ingest(mailbox, make_message(), folder="Nowhere")


async def test_ingest_into_unknown_mailbox_is_refused(store: MailStore, mailbox: int) -> None:
    with pytest.raises(MailboxNotFound):
        await store.ingest(mailbox + 1000, make_message())


async def test_too_large_message_is_refused_before_storing(
    db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock, mailbox: int
) -> None:
    small = MailStore(db, blobs, bus, clock, max_message_bytes=100)
    with pytest.raises(MessageTooLarge) as caught:
        await small.ingest(mailbox, b"x" * 101)
    assert caught.value.params == {"limit": 100}
    assert await blobs.keys() == []


async def test_ingest_keeps_flags_and_internal_date(store: MailStore, mailbox: int) -> None:
    when = dt.datetime(2025, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
    await store.ingest(mailbox, make_message(), flags=["\\seen", "$Work"], internal_date=when)
    (summary,) = await store.list_messages(mailbox, "INBOX")
    assert (summary.flags, summary.internal_date) == (frozenset({SEEN, "$Work"}), when)
    assert (await store.status(mailbox, "INBOX")).unseen == 0


async def test_ingest_with_unknown_system_flag_is_refused(store: MailStore, mailbox: int) -> None:
    with pytest.raises(InvalidInput):
        await store.ingest(mailbox, make_message(), flags=["\\Recent"])


async def test_prefix_is_stored_outside_blob_and_returned_first(
    store: MailStore, mailbox: int, blobs: FileBlobStore
) -> None:
    data = make_message("With prefix")
    prefix = b"Received: from mx.example.org by us; Thu, 1 Jan 2026 08:00:00 +0000\r\n"
    result = await store.ingest(mailbox, data, prefix=prefix)
    assert result.size == len(prefix) + len(data)
    assert await store.read_message(mailbox, "INBOX", result.uid) == prefix + data
    assert await blobs.keys() == [hashlib.sha256(data).hexdigest()]


async def test_identical_bodies_for_two_mailboxes_share_one_blob(
    store: MailStore, db: Database, blobs: FileBlobStore, mailbox: int
) -> None:
    other = await create_mailbox(db)
    await store.provision(other)
    data = make_message("To both")
    await store.ingest(mailbox, data, prefix=b"X-For: one\r\n")
    await store.ingest(other, data, prefix=b"X-For: two\r\n")
    assert len(await blobs.keys()) == 1
    assert await store.read_message(other, "INBOX", 1) == b"X-For: two\r\n" + data


async def test_read_message_range_spans_prefix_and_body(store: MailStore, mailbox: int) -> None:
    data = b"Subject: r\r\n\r\n0123456789"
    prefix = b"X-P: ab\r\n"
    await store.ingest(mailbox, data, prefix=prefix)
    whole = prefix + data
    for start, end in [(0, 4), (5, 15), (len(prefix), len(prefix) + 3), (20, None), (3, 1000)]:
        assert await store.read_message(mailbox, "INBOX", 1, start=start, end=end) == whole[start:end]


async def test_dedupe_key_skips_second_ingest_and_reports_original(store: MailStore, mailbox: int) -> None:
    first = await store.ingest(mailbox, make_message("once"), dedupe_key="src:1:42")
    again = await store.ingest(mailbox, make_message("once, again"), dedupe_key="src:1:42")
    assert (again.duplicate, again.uid, again.message_id, again.folder_id) == (
        True,
        first.uid,
        first.message_id,
        first.folder_id,
    )
    assert (await store.status(mailbox, "INBOX")).messages == 1


async def test_dedupe_key_is_per_mailbox(store: MailStore, db: Database, mailbox: int) -> None:
    other = await create_mailbox(db)
    await store.provision(other)
    await store.ingest(mailbox, make_message(), dedupe_key="k")
    result = await store.ingest(other, make_message(), dedupe_key="k")
    assert result.duplicate is False


async def test_quota_exceeded_leaves_nothing_behind(
    store: MailStore, db: Database, blobs: FileBlobStore
) -> None:
    mailbox = await create_mailbox(db, quota_bytes=1000)
    await store.provision(mailbox)
    before = await store.status(mailbox, "INBOX")
    with pytest.raises(QuotaExceeded):
        await store.ingest(mailbox, make_message(body="x" * 2000))
    assert await store.status(mailbox, "INBOX") == before
    assert (await store.usage(mailbox)).used_bytes == 0
    assert await blobs.keys() == []


async def test_message_exactly_filling_quota_is_accepted(store: MailStore, db: Database) -> None:
    data = make_message()
    mailbox = await create_mailbox(db, quota_bytes=len(data))
    await store.provision(mailbox)
    await store.ingest(mailbox, data)
    usage = await store.usage(mailbox)
    assert (usage.used_bytes, usage.quota_bytes, usage.message_count) == (len(data), len(data), 1)


async def test_ingest_many_commits_all_items_with_consecutive_uids(store: MailStore, mailbox: int) -> None:
    items = [IngestItem(mailbox, make_message(f"batch {i}")) for i in range(5)]
    results = await store.ingest_many(items)
    assert [r.uid for r in results if isinstance(r, IngestResult)] == [1, 2, 3, 4, 5]
    assert len({r.modseq for r in results if isinstance(r, IngestResult)}) == 1


async def test_ingest_many_reports_errors_per_item(store: MailStore, db: Database, mailbox: int) -> None:
    full = await create_mailbox(db, quota_bytes=10)
    await store.provision(full)
    items = [
        IngestItem(mailbox, make_message("ok")),
        IngestItem(full, make_message("over quota")),
        IngestItem(mailbox, make_message("bad folder"), folder="Missing"),
        IngestItem(mailbox, make_message("ok too"), flags=[DRAFT]),
    ]
    results = await store.ingest_many(items)
    assert [type(r) for r in results] == [IngestResult, QuotaExceeded, FolderNotFound, IngestResult]
    assert [r.uid for r in results if isinstance(r, IngestResult)] == [1, 2]


async def test_ingest_many_dedupes_within_the_batch(store: MailStore, mailbox: int) -> None:
    items = [IngestItem(mailbox, make_message("a"), dedupe_key="same") for _ in range(3)]
    results = await store.ingest_many(items)
    assert [(r.uid, r.duplicate) for r in results if isinstance(r, IngestResult)] == [
        (1, False),
        (1, True),
        (1, True),
    ]


async def test_same_body_to_many_recipients_in_one_batch_counts_every_reference(
    store: MailStore, db: Database, blobs: FileBlobStore
) -> None:
    mailboxes = [await create_mailbox(db) for _ in range(4)]
    for m in mailboxes:
        await store.provision(m)
    data = make_message("to all")
    results = await store.ingest_many(
        [IngestItem(m, data, prefix=f"X-Rcpt: {m}\r\n".encode()) for m in mailboxes]
    )
    assert all(isinstance(r, IngestResult) and r.uid == 1 for r in results)
    assert len(await blobs.keys()) == 1


async def test_concurrent_ingests_all_commit_with_distinct_uids(store: MailStore, mailbox: int) -> None:
    results = await asyncio.gather(*(store.ingest(mailbox, make_message(f"c{i}")) for i in range(20)))
    assert sorted(r.uid for r in results) == list(range(1, 21))
    assert (await store.status(mailbox, "INBOX")).messages == 20


async def test_concurrent_ingest_failure_does_not_fail_the_others(store: MailStore, mailbox: int) -> None:
    results = await asyncio.gather(
        store.ingest(mailbox, make_message("good")),
        store.ingest(mailbox, make_message("bad"), folder="Missing"),
        store.ingest(mailbox, make_message("good too")),
        return_exceptions=True,
    )
    assert [type(r) for r in results] == [IngestResult, FolderNotFound, IngestResult]


async def test_cached_parse_fields_are_returned_by_fetch(store: MailStore, mailbox: int) -> None:
    data = make_message("Quarterly report", sender="Carol <carol@example.org>", message_id="<q1@example.org>")
    await store.ingest(mailbox, data)
    (info,) = await store.fetch_messages(mailbox, "INBOX", [1])
    assert (info.subject, info.from_addr, info.header_message_id) == (
        "Quarterly report",
        "Carol <carol@example.org>",
        "q1@example.org",
    )
    assert info.sent_date == dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)


async def test_cached_structure_offsets_address_the_bytes_read_back(store: MailStore, mailbox: int) -> None:
    prefix = b"Received: from mx.example.org by us\r\n"
    result = await store.ingest(mailbox, make_message(body="the body\r\n"), prefix=prefix)
    (info,) = await store.fetch_messages(mailbox, "INBOX", [result.uid])
    parsed = ParsedMessage.from_dict(dict(info.parsed))
    raw = await store.read_message(mailbox, "INBOX", result.uid)
    assert parsed.size == len(raw) == result.size
    assert raw[parsed.root.header_end : parsed.root.body_end] == b"the body\r\n"


async def test_naive_internal_date_is_refused(store: MailStore, mailbox: int) -> None:
    with pytest.raises(InvalidInput):
        await store.ingest(mailbox, make_message(), internal_date=dt.datetime(2026, 1, 1))


class _LosingBlobStore(FileBlobStore):
    """Removes the file after the first put of each key: what a concurrent reclaim of that content does."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.lost: set[str] = set()

    async def put(self, data: bytes) -> str:
        return (await self.put_many([data]))[0]

    async def put_many(self, blobs: Sequence[bytes]) -> list[str]:
        keys = await super().put_many(blobs)
        for key in keys:
            if key not in self.lost:
                self.lost.add(key)
                await self.delete(key)
        return keys


async def test_ingest_rewrites_a_blob_removed_between_put_and_commit(
    db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock, mailbox: int
) -> None:
    store = MailStore(db, _LosingBlobStore(blobs.root), bus, clock)
    data = make_message("raced")
    await store.ingest(mailbox, data)
    assert await blobs.get(hashlib.sha256(data).hexdigest()) == data


class _BrokenBus(InProcessBus):
    async def publish(self, event: object) -> None:
        raise ConnectionError("bus down")


async def test_committed_ingest_is_reported_even_if_the_change_notice_fails(
    db: Database, blobs: FileBlobStore, clock: FakeClock, mailbox: int
) -> None:
    store = MailStore(db, blobs, _BrokenBus(), clock)
    result = await store.ingest(mailbox, make_message())
    assert (await store.list_messages(mailbox, "INBOX"))[0].uid == result.uid


async def test_two_stores_ingesting_the_same_dedupe_key_store_it_once(
    store: MailStore, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock, mailbox: int
) -> None:
    other = MailStore(db, blobs, bus, clock)
    results = await asyncio.gather(
        store.ingest(mailbox, make_message("one"), dedupe_key="race"),
        other.ingest(mailbox, make_message("two"), dedupe_key="race"),
    )
    assert sorted(r.duplicate for r in results) == [False, True]
    assert len({r.message_id for r in results}) == 1
    assert (await store.status(mailbox, "INBOX")).messages == 1
