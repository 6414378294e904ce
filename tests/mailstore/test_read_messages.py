"""``MailStore.read_messages``: many whole messages by UID in one query (FETCH prefetches a chunk)."""

from __future__ import annotations

from support.mailstore import make_message
from yunmail.mailstore import MailStore


async def test_read_messages_returns_each_message_with_its_prefix_by_uid(
    store: MailStore, mailbox: int
) -> None:
    first, second = make_message("one"), make_message("two")
    await store.ingest(mailbox, first, prefix=b"X-P: 1\r\n")
    await store.ingest(mailbox, second)
    folder = await store.get_folder(mailbox, "INBOX")
    assert await store.read_messages(mailbox, folder.id, [1, 2]) == {1: b"X-P: 1\r\n" + first, 2: second}


async def test_read_messages_leaves_out_expunged_and_unknown_uids(store: MailStore, mailbox: int) -> None:
    data = make_message("kept")
    await store.ingest(mailbox, make_message("gone"))
    await store.ingest(mailbox, data)
    await store.expunge(mailbox, "INBOX", [1], only_deleted=False)
    assert await store.read_messages(mailbox, "INBOX", [1, 2, 99]) == {2: data}
