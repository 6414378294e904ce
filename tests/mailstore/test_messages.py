"""Messages in the store: flags (incl. UNCHANGEDSINCE), copy, move, expunge, listing and blob reclaim."""

from __future__ import annotations

import pytest

from support.mailstore import create_mailbox, make_message
from yunmail.errors import FolderNotFound, InvalidInput, MessageNotFound, QuotaExceeded
from yunmail.mailstore import (
    DELETED,
    FLAGGED,
    SEEN,
    CopyResult,
    FlagMode,
    MailStore,
    MessageFlags,
)
from yunmail.storage import Database, FileBlobStore


async def _fill(store: MailStore, mailbox: int, n: int, folder: str = "INBOX") -> list[int]:
    return [(await store.ingest(mailbox, make_message(f"m{i}"), folder=folder)).uid for i in range(n)]


# --- flags -------------------------------------------------------------------------------------------


async def test_add_flags_sets_system_flags_and_keywords(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 2)
    update = await store.set_flags(mailbox, "INBOX", [1], [SEEN, "$Important"])
    assert update.updated == (MessageFlags(1, update.modseq, frozenset({SEEN, "$Important"})),)
    assert (await store.status(mailbox, "INBOX")).unseen == 1


async def test_remove_flags_clears_only_the_given_ones(store: MailStore, mailbox: int) -> None:
    await store.ingest(mailbox, make_message(), flags=[SEEN, FLAGGED, "$A", "$B"])
    await store.set_flags(mailbox, "INBOX", [1], [FLAGGED, "$a"], mode=FlagMode.REMOVE)
    (msg,) = await store.list_messages(mailbox, "INBOX")
    assert msg.flags == frozenset({SEEN, "$B"})


async def test_replace_flags_sets_exactly_the_given_ones(store: MailStore, mailbox: int) -> None:
    await store.ingest(mailbox, make_message(), flags=[SEEN, "$A"])
    await store.set_flags(mailbox, "INBOX", [1], [DELETED, "$C"], mode=FlagMode.REPLACE)
    (msg,) = await store.list_messages(mailbox, "INBOX")
    assert msg.flags == frozenset({DELETED, "$C"})
    assert (await store.status(mailbox, "INBOX")).unseen == 1


async def test_keywords_compare_case_insensitively_and_keep_first_spelling(
    store: MailStore, mailbox: int
) -> None:
    await store.ingest(mailbox, make_message(), flags=["$Forwarded"])
    update = await store.set_flags(mailbox, "INBOX", [1], ["$FORWARDED"])
    assert update.updated == ()
    (msg,) = await store.list_messages(mailbox, "INBOX")
    assert msg.flags == frozenset({"$Forwarded"})


async def test_each_flag_change_gets_a_higher_modseq(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 1)
    first = await store.set_flags(mailbox, "INBOX", [1], [SEEN])
    second = await store.set_flags(mailbox, "INBOX", [1], [FLAGGED])
    (msg,) = await store.list_messages(mailbox, "INBOX")
    assert first.modseq < second.modseq == msg.modseq
    assert (await store.status(mailbox, "INBOX")).highestmodseq == second.modseq


async def test_flag_change_that_changes_nothing_keeps_modseq(store: MailStore, mailbox: int) -> None:
    await store.ingest(mailbox, make_message(), flags=[SEEN])
    before = await store.status(mailbox, "INBOX")
    update = await store.set_flags(mailbox, "INBOX", [1], [SEEN])
    assert (update.updated, update.modseq) == ((), before.highestmodseq)


async def test_unchanged_since_refuses_messages_modified_later(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 2)
    base = (await store.status(mailbox, "INBOX")).highestmodseq
    await store.set_flags(mailbox, "INBOX", [2], ["$Other"])
    update = await store.set_flags(mailbox, "INBOX", [1, 2], [FLAGGED], unchanged_since=base)
    assert ([m.uid for m in update.updated], update.modified) == ([1], (2,))


async def test_set_flags_with_invalid_keyword_is_refused(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 1)
    with pytest.raises(InvalidInput):
        await store.set_flags(mailbox, "INBOX", [1], ["bad keyword"])


async def test_set_flags_on_a_uid_range(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 5)
    update = await store.set_flags(mailbox, "INBOX", range(2, 5), [SEEN])
    assert [m.uid for m in update.updated] == [2, 3, 4]


# --- copy and move -----------------------------------------------------------------------------------


async def test_copy_gives_new_uids_in_target_and_keeps_source(store: MailStore, mailbox: int) -> None:
    await store.create_folder(mailbox, "Archive")
    await _fill(store, mailbox, 3)
    archive = await store.get_folder(mailbox, "Archive")
    result = await store.copy_messages(mailbox, "INBOX", [1, 3], "Archive")
    assert (result.uidvalidity, result.uid_map) == (archive.uidvalidity, ((1, 1), (3, 2)))
    assert [m.uid for m in await store.list_messages(mailbox, "INBOX")] == [1, 2, 3]


async def test_copy_keeps_flags_bytes_and_shares_the_blob(
    store: MailStore, mailbox: int, blobs: FileBlobStore
) -> None:
    data = make_message("copied")
    await store.ingest(mailbox, data, flags=[SEEN, "$X"], prefix=b"X-P: 1\r\n")
    await store.copy_messages(mailbox, "INBOX", [1], "Trash")
    (copy,) = await store.list_messages(mailbox, "Trash")
    assert copy.flags == frozenset({SEEN, "$X"})
    assert await store.read_message(mailbox, "Trash", copy.uid) == b"X-P: 1\r\n" + data
    assert len(await blobs.keys()) == 1


async def test_copy_counts_against_quota(store: MailStore, db: Database) -> None:
    data = make_message()
    mailbox = await create_mailbox(db, quota_bytes=len(data) * 2 - 1)
    await store.provision(mailbox)
    await store.ingest(mailbox, data)
    with pytest.raises(QuotaExceeded):
        await store.copy_messages(mailbox, "INBOX", [1], "Trash")


async def test_copy_to_missing_folder_is_refused(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 1)
    with pytest.raises(FolderNotFound):
        await store.copy_messages(mailbox, "INBOX", [1], "Nope")


async def test_copy_of_no_existing_uids_is_a_no_op(store: MailStore, mailbox: int) -> None:
    trash = await store.get_folder(mailbox, "Trash")
    result = await store.copy_messages(mailbox, "INBOX", [7, 8], "Trash")
    assert result == CopyResult(trash.uidvalidity, (), result.modseq)


async def test_copied_message_is_searchable_in_target(store: MailStore, mailbox: int) -> None:
    from yunmail.mailstore import BodyContains

    await store.ingest(mailbox, make_message(body="needle in a haystack"))
    await store.copy_messages(mailbox, "INBOX", [1], "Trash")
    assert await store.search(mailbox, "Trash", BodyContains("NEEDLE")) == [1]


async def test_move_is_atomic_copy_and_expunge(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 3)
    before = (await store.status(mailbox, "INBOX")).highestmodseq
    result = await store.move_messages(mailbox, "INBOX", [2], "Trash")
    assert result.uid_map == ((2, 1),)
    assert [m.uid for m in await store.list_messages(mailbox, "INBOX")] == [1, 3]
    assert [m.uid for m in await store.list_messages(mailbox, "Trash")] == [1]
    assert (await store.changes_since(mailbox, "INBOX", before)).vanished == (2,)


async def test_move_keeps_bytes_and_updates_counters(store: MailStore, mailbox: int) -> None:
    data = make_message("moving")
    await store.ingest(mailbox, data)
    await store.move_messages(mailbox, "INBOX", [1], "Junk")
    inbox, junk = await store.status(mailbox, "INBOX"), await store.status(mailbox, "Junk")
    assert ((inbox.messages, inbox.size), (junk.messages, junk.size, junk.unseen)) == (
        (0, 0),
        (1, len(data), 1),
    )
    assert await store.read_message(mailbox, "Junk", 1) == data


async def test_move_within_the_same_folder_assigns_new_uids(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 2)
    result = await store.move_messages(mailbox, "INBOX", [1], "INBOX")
    assert result.uid_map == ((1, 3),)
    assert [m.uid for m in await store.list_messages(mailbox, "INBOX")] == [2, 3]


# --- expunge -----------------------------------------------------------------------------------------


async def test_expunge_removes_only_deleted_messages(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 4)
    await store.set_flags(mailbox, "INBOX", [2, 4], [DELETED])
    result = await store.expunge(mailbox, "INBOX")
    assert result.uids == (2, 4)
    assert [m.uid for m in await store.list_messages(mailbox, "INBOX")] == [1, 3]


async def test_uid_expunge_limits_to_the_given_uids(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 3)
    await store.set_flags(mailbox, "INBOX", [1, 2], [DELETED])
    assert (await store.expunge(mailbox, "INBOX", [2, 3])).uids == (2,)


async def test_expunge_without_deleted_requirement_removes_given_uids(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 2)
    assert (await store.expunge(mailbox, "INBOX", [1], only_deleted=False)).uids == (1,)


async def test_expunged_uids_are_never_reused(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 3)
    await store.expunge(mailbox, "INBOX", [3], only_deleted=False)
    assert (await store.ingest(mailbox, make_message())).uid == 4


async def test_expunge_deletes_blob_after_last_reference(
    store: MailStore, mailbox: int, blobs: FileBlobStore
) -> None:
    await _fill(store, mailbox, 1)
    await store.expunge(mailbox, "INBOX", [1], only_deleted=False)
    assert await blobs.keys() == []


async def test_expunge_keeps_blob_still_referenced_by_a_copy(
    store: MailStore, mailbox: int, blobs: FileBlobStore
) -> None:
    await _fill(store, mailbox, 1)
    await store.copy_messages(mailbox, "INBOX", [1], "Trash")
    await store.expunge(mailbox, "INBOX", [1], only_deleted=False)
    assert len(await blobs.keys()) == 1
    assert await store.read_message(mailbox, "Trash", 1)


async def test_expunge_releases_quota(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 2)
    await store.expunge(mailbox, "INBOX", [1, 2], only_deleted=False)
    assert (await store.usage(mailbox)).used_bytes == 0


async def test_reading_an_expunged_message_is_refused(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 1)
    await store.expunge(mailbox, "INBOX", [1], only_deleted=False)
    with pytest.raises(MessageNotFound):
        await store.read_message(mailbox, "INBOX", 1)


# --- listing -----------------------------------------------------------------------------------------


async def test_list_messages_by_uid_set_returns_only_existing_in_order(
    store: MailStore, mailbox: int
) -> None:
    await _fill(store, mailbox, 6)
    listed = await store.list_messages(mailbox, "INBOX", [6, 2, 3, 99])
    assert [m.uid for m in listed] == [2, 3, 6]


async def test_list_messages_handles_long_scattered_uid_sets(store: MailStore, mailbox: int) -> None:
    await _fill(store, mailbox, 3)
    wanted = list(range(1, 3000, 2))
    assert [m.uid for m in await store.list_messages(mailbox, "INBOX", wanted)] == [1, 3]


async def test_purge_mailbox_deletes_everything_and_is_idempotent(
    store: MailStore, db: Database, mailbox: int, blobs: FileBlobStore
) -> None:
    await _fill(store, mailbox, 3)
    await store.create_folder(mailbox, "Extra")
    await store.purge_mailbox(mailbox)
    await store.purge_mailbox(mailbox)
    assert await store.list_folders(mailbox) == []
    assert (await store.usage(mailbox)).used_bytes == 0
    assert await blobs.keys() == []


async def test_purge_keeps_blobs_shared_with_other_mailboxes(
    store: MailStore, db: Database, mailbox: int, blobs: FileBlobStore
) -> None:
    other = await create_mailbox(db)
    await store.provision(other)
    data = make_message("shared")
    await store.ingest(mailbox, data)
    await store.ingest(other, data)
    await store.purge_mailbox(mailbox)
    assert await store.read_message(other, "INBOX", 1) == data


async def test_purge_of_unknown_mailbox_is_a_no_op(store: MailStore, mailbox: int) -> None:
    await store.purge_mailbox(mailbox + 1000)


async def test_usage_of_unknown_mailbox_is_refused(store: MailStore, mailbox: int) -> None:
    from yunmail.errors import MailboxNotFound

    with pytest.raises(MailboxNotFound):
        await store.usage(mailbox + 1000)
