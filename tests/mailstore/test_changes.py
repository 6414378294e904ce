"""The change feed: changes_since (CONDSTORE/QRESYNC material) and live subscriptions."""

from __future__ import annotations

import asyncio

from support.mailstore import create_mailbox, make_message
from yunmail.events import SubscriptionClosed
from yunmail.mailstore import SEEN, Changed, MailStore, MessageFlags, Resync
from yunmail.storage import Database


async def test_changes_since_lists_new_and_changed_messages(store: MailStore, mailbox: int) -> None:
    await store.ingest(mailbox, make_message("a"))
    base = (await store.status(mailbox, "INBOX")).highestmodseq
    new = await store.ingest(mailbox, make_message("b"))
    flagged = await store.set_flags(mailbox, "INBOX", [1], [SEEN])
    changes = await store.changes_since(mailbox, "INBOX", base)
    assert changes.changed == (
        MessageFlags(1, flagged.modseq, frozenset({SEEN})),
        MessageFlags(2, new.modseq, frozenset()),
    )
    assert (changes.vanished, changes.highestmodseq) == ((), flagged.modseq)


async def test_changes_since_after_expunge_shows_vanished_uids(store: MailStore, mailbox: int) -> None:
    for i in range(3):
        await store.ingest(mailbox, make_message(f"m{i}"))
    base = (await store.status(mailbox, "INBOX")).highestmodseq
    await store.expunge(mailbox, "INBOX", [1, 3], only_deleted=False)
    changes = await store.changes_since(mailbox, "INBOX", base)
    assert (changes.changed, changes.vanished) == ((), (1, 3))


async def test_changes_since_current_highestmodseq_is_empty(store: MailStore, mailbox: int) -> None:
    await store.ingest(mailbox, make_message())
    status = await store.status(mailbox, "INBOX")
    changes = await store.changes_since(mailbox, "INBOX", status.highestmodseq)
    assert (changes.changed, changes.vanished, changes.uidvalidity) == ((), (), status.uidvalidity)


async def test_subscriber_hears_ingest_from_another_task(store: MailStore, mailbox: int) -> None:
    inbox = await store.get_folder(mailbox, "INBOX")
    async with await store.subscribe(mailbox) as changes:
        task = asyncio.create_task(store.ingest(mailbox, make_message()))
        change = await changes.get()
        result = await task
    assert change == Changed(mailbox, result.modseq, (inbox.id,))


async def test_subscriber_hears_flag_changes_and_expunges_in_order(store: MailStore, mailbox: int) -> None:
    await store.ingest(mailbox, make_message())
    async with await store.subscribe(mailbox) as changes:
        flagged = await store.set_flags(mailbox, "INBOX", [1], [SEEN])
        expunged = await store.expunge(mailbox, "INBOX", [1], only_deleted=False)
        heard = [await changes.get(), await changes.get()]
    assert [c.modseq for c in heard if isinstance(c, Changed)] == [flagged.modseq, expunged.modseq]


async def test_subscribe_since_old_modseq_reports_a_change_at_once(store: MailStore, mailbox: int) -> None:
    seen = (await store.status(mailbox, "INBOX")).highestmodseq
    result = await store.ingest(mailbox, make_message())
    async with await store.subscribe(mailbox, since_modseq=seen) as changes:
        change = await changes.get()
    assert change == Changed(mailbox, result.modseq, ())


async def test_subscriber_that_falls_behind_gets_resync(store: MailStore, mailbox: int) -> None:
    changes = await store.subscribe(mailbox, queue_size=1)
    await store.ingest(mailbox, make_message("1"))
    await store.ingest(mailbox, make_message("2"))
    heard = [await changes.get(), await changes.get()]
    await changes.close()
    assert isinstance(heard[0], Changed) and heard[1] == Resync(mailbox)


async def test_closed_subscription_ends_iteration(store: MailStore, mailbox: int) -> None:
    changes = await store.subscribe(mailbox)
    await changes.close()
    assert [c async for c in changes] == []
    try:
        await changes.get()
    except SubscriptionClosed:
        pass
    else:
        raise AssertionError("get() after close must raise SubscriptionClosed")


async def test_other_mailboxes_changes_are_not_heard(store: MailStore, mailbox: int, db: Database) -> None:
    other = await create_mailbox(db)
    await store.provision(other)
    async with await store.subscribe(mailbox) as changes:
        await store.ingest(other, make_message())
        mine = await store.ingest(mailbox, make_message())
        change = await changes.get()
    assert isinstance(change, Changed) and change.mailbox_id == mailbox and change.modseq == mine.modseq
