"""Folders: provisioning, name rules, create/rename/delete, subscriptions, UIDVALIDITY, STATUS."""

from __future__ import annotations

import pytest

from support.mailstore import create_mailbox, make_message
from yunmail.clock import FakeClock
from yunmail.errors import (
    FolderExists,
    FolderHasChildren,
    FolderNameInvalid,
    FolderNotFound,
    FolderProtected,
    MailboxNotFound,
)
from yunmail.mailstore import FolderStatus, MailStore, SpecialUse
from yunmail.storage import Database, FileBlobStore


async def test_provision_creates_default_folders_with_roles(store: MailStore, mailbox: int) -> None:
    folders = await store.list_folders(mailbox)
    assert {(f.name, f.special_use) for f in folders} == {
        ("INBOX", SpecialUse.INBOX),
        ("Drafts", SpecialUse.DRAFTS),
        ("Sent", SpecialUse.SENT),
        ("Junk", SpecialUse.JUNK),
        ("Trash", SpecialUse.TRASH),
        ("Virus", SpecialUse.VIRUS),
    }
    assert all(f.uidnext == 1 and f.messages == 0 and f.subscribed for f in folders)


async def test_provision_gives_each_folder_a_distinct_uidvalidity(store: MailStore, mailbox: int) -> None:
    values = [f.uidvalidity for f in await store.list_folders(mailbox)]
    assert len(set(values)) == len(values)


async def test_provision_twice_changes_nothing(store: MailStore, mailbox: int) -> None:
    before = await store.list_folders(mailbox)
    await store.provision(mailbox)
    assert await store.list_folders(mailbox) == before


async def test_provision_of_unknown_mailbox_is_refused(store: MailStore, mailbox: int) -> None:
    with pytest.raises(MailboxNotFound):
        await store.provision(mailbox + 1000)


async def test_inbox_is_found_case_insensitively(store: MailStore, mailbox: int) -> None:
    assert (await store.get_folder(mailbox, "inBoX")).name == "INBOX"


async def test_create_folder_makes_missing_parents(store: MailStore, mailbox: int) -> None:
    created = await store.create_folder(mailbox, "Projects/2026/Q1")
    names = {f.name for f in await store.list_folders(mailbox)}
    assert created.name == "Projects/2026/Q1"
    assert {"Projects", "Projects/2026", "Projects/2026/Q1"} <= names


async def test_create_folder_accepts_chinese_names(store: MailStore, mailbox: int) -> None:
    created = await store.create_folder(mailbox, "客户/华东区")
    assert (await store.get_folder(mailbox, "客户/华东区")).id == created.id


async def test_create_folder_under_inbox_canonicalises_inbox(store: MailStore, mailbox: int) -> None:
    created = await store.create_folder(mailbox, "inbox/Receipts")
    assert created.name == "INBOX/Receipts"


async def test_create_existing_folder_is_refused(store: MailStore, mailbox: int) -> None:
    await store.create_folder(mailbox, "Work")
    with pytest.raises(FolderExists):
        await store.create_folder(mailbox, "Work")


async def test_create_inbox_again_is_refused(store: MailStore, mailbox: int) -> None:
    with pytest.raises(FolderExists):
        await store.create_folder(mailbox, "Inbox")


@pytest.mark.parametrize(
    "name",
    [
        "",
        "/",
        "a//b",
        "/lead",
        "trail/",
        "tab\there",
        "new\nline",
        "star*",
        "per%cent",
        " ",
        "a/ /b",
        "x" * 256,
    ],
)
async def test_invalid_folder_names_are_refused(store: MailStore, mailbox: int, name: str) -> None:
    with pytest.raises(FolderNameInvalid):
        await store.create_folder(mailbox, name)


async def test_recreated_folder_gets_a_new_larger_uidvalidity(store: MailStore, mailbox: int) -> None:
    first = await store.create_folder(mailbox, "Temp")
    await store.delete_folder(mailbox, "Temp")
    second = await store.create_folder(mailbox, "Temp")
    assert second.uidvalidity > first.uidvalidity


async def test_uidvalidity_follows_the_clock(store: MailStore, db: Database, clock: FakeClock) -> None:
    mailbox = await create_mailbox(db)
    clock.advance(days=400)
    await store.provision(mailbox)
    inbox = await store.get_folder(mailbox, "INBOX")
    assert inbox.uidvalidity >= int(clock.now().timestamp())


async def test_rename_folder_moves_children_and_keeps_uidvalidity(store: MailStore, mailbox: int) -> None:
    parent = await store.create_folder(mailbox, "Old")
    await store.create_folder(mailbox, "Old/Child")
    renamed = await store.rename_folder(mailbox, "Old", "New")
    names = {f.name for f in await store.list_folders(mailbox)}
    assert (renamed.id, renamed.uidvalidity) == (parent.id, parent.uidvalidity)
    assert {"New", "New/Child"} <= names
    assert not {"Old", "Old/Child"} & names


async def test_rename_keeps_messages(store: MailStore, mailbox: int) -> None:
    await store.create_folder(mailbox, "A")
    await store.ingest(mailbox, make_message(), folder="A")
    await store.rename_folder(mailbox, "A", "B")
    assert [m.uid for m in await store.list_messages(mailbox, "B")] == [1]


async def test_rename_onto_existing_folder_is_refused(store: MailStore, mailbox: int) -> None:
    await store.create_folder(mailbox, "A")
    await store.create_folder(mailbox, "B")
    with pytest.raises(FolderExists):
        await store.rename_folder(mailbox, "A", "B")


async def test_rename_under_itself_is_refused(store: MailStore, mailbox: int) -> None:
    await store.create_folder(mailbox, "A")
    with pytest.raises(FolderNameInvalid):
        await store.rename_folder(mailbox, "A", "A/B")


async def test_rename_special_use_folder_is_refused(store: MailStore, mailbox: int) -> None:
    with pytest.raises(FolderProtected):
        await store.rename_folder(mailbox, "Sent", "Sent Items")


async def test_rename_inbox_moves_messages_to_new_folder_and_leaves_inbox_empty(
    store: MailStore, mailbox: int
) -> None:
    inbox = await store.get_folder(mailbox, "INBOX")
    for i in range(3):
        await store.ingest(mailbox, make_message(f"m{i}"))
    await store.create_folder(mailbox, "INBOX/Kept")
    archive = await store.rename_folder(mailbox, "INBOX", "Old Inbox")
    after = await store.get_folder(mailbox, "INBOX")
    assert (after.id, after.uidvalidity, after.messages, after.uidnext) == (inbox.id, inbox.uidvalidity, 0, 4)
    assert [m.uid for m in await store.list_messages(mailbox, archive.id)] == [1, 2, 3]
    assert (await store.get_folder(mailbox, "INBOX/Kept")).name == "INBOX/Kept"


async def test_rename_inbox_leaves_vanished_uids_in_inbox(store: MailStore, mailbox: int) -> None:
    await store.ingest(mailbox, make_message())
    before = (await store.status(mailbox, "INBOX")).highestmodseq
    await store.rename_folder(mailbox, "INBOX", "Moved")
    assert (await store.changes_since(mailbox, "INBOX", before)).vanished == (1,)


async def test_delete_folder_removes_it_and_its_messages(store: MailStore, mailbox: int) -> None:
    await store.create_folder(mailbox, "Scratch")
    await store.ingest(mailbox, make_message(), folder="Scratch")
    await store.delete_folder(mailbox, "Scratch")
    with pytest.raises(FolderNotFound):
        await store.get_folder(mailbox, "Scratch")
    assert (await store.usage(mailbox)).used_bytes == 0


async def test_delete_folder_deletes_blob_no_longer_referenced(
    store: MailStore, mailbox: int, blobs: FileBlobStore
) -> None:
    await store.create_folder(mailbox, "Scratch")
    await store.ingest(mailbox, make_message(), folder="Scratch")
    await store.delete_folder(mailbox, "Scratch")
    assert await blobs.keys() == []


@pytest.mark.parametrize("name", ["INBOX", "Drafts", "Sent", "Junk", "Trash", "Virus"])
async def test_delete_special_use_folder_is_refused(store: MailStore, mailbox: int, name: str) -> None:
    with pytest.raises(FolderProtected):
        await store.delete_folder(mailbox, name)


async def test_delete_folder_with_children_is_refused(store: MailStore, mailbox: int) -> None:
    await store.create_folder(mailbox, "P/C")
    with pytest.raises(FolderHasChildren):
        await store.delete_folder(mailbox, "P")


async def test_delete_missing_folder_is_refused(store: MailStore, mailbox: int) -> None:
    with pytest.raises(FolderNotFound):
        await store.delete_folder(mailbox, "Ghost")


async def test_unsubscribed_folder_is_left_out_of_subscribed_list(store: MailStore, mailbox: int) -> None:
    await store.unsubscribe_folder(mailbox, "Junk")
    subscribed = {f.name for f in await store.list_folders(mailbox, subscribed_only=True)}
    assert "Junk" not in subscribed
    await store.subscribe_folder(mailbox, "Junk")
    assert "Junk" in {f.name for f in await store.list_folders(mailbox, subscribed_only=True)}


async def test_status_reports_counts_and_sync_values(store: MailStore, mailbox: int) -> None:
    a = make_message("a")
    b = make_message("b")
    await store.ingest(mailbox, a)
    last = await store.ingest(mailbox, b, flags=["\\Seen"])
    inbox = await store.get_folder(mailbox, "INBOX")
    assert await store.status(mailbox, "INBOX") == FolderStatus(
        folder_id=inbox.id,
        name="INBOX",
        messages=2,
        unseen=1,
        uidnext=3,
        uidvalidity=inbox.uidvalidity,
        highestmodseq=last.modseq,
        size=len(a) + len(b),
    )


async def test_folders_of_another_mailbox_are_invisible(store: MailStore, db: Database, mailbox: int) -> None:
    other = await create_mailbox(db)
    await store.provision(other)
    theirs = await store.create_folder(other, "Private")
    with pytest.raises(FolderNotFound):
        await store.get_folder(mailbox, theirs.id)


# --- IMAP4rev1 \Recent bookkeeping and subscriptions without folders ------------------------------


async def test_status_with_recent_counts_messages_no_session_claimed(store: MailStore, mailbox: int) -> None:
    await store.ingest(mailbox, make_message("a"))
    await store.ingest(mailbox, make_message("b"))
    assert (await store.status(mailbox, "INBOX", recent=True)).recent == 2
    assert (await store.status(mailbox, "INBOX")).recent == 0  # not asked, not counted


async def test_claim_recent_gives_each_uid_to_one_claimer(store: MailStore, mailbox: int) -> None:
    """RFC 3501 §2.3.2: the first claim returns where recent UIDs start; later claims start after it."""
    first = await store.ingest(mailbox, make_message("a"))
    assert await store.claim_recent(mailbox, first.folder_id, first.uid + 1) == 1
    assert await store.claim_recent(mailbox, first.folder_id, first.uid + 1) == first.uid + 1
    second = await store.ingest(mailbox, make_message("b"))
    assert await store.claim_recent(mailbox, first.folder_id, second.uid + 1, claim=False) == second.uid
    assert await store.claim_recent(mailbox, first.folder_id, second.uid + 1) == second.uid
    assert (await store.status(mailbox, "INBOX", recent=True)).recent == 0


async def test_create_folder_without_subscribing(store: MailStore, mailbox: int) -> None:
    await store.create_folder(mailbox, "Quiet/Child", subscribe=False)
    names = await store.list_subscriptions(mailbox)
    assert "Quiet" not in names and "Quiet/Child" not in names


async def test_subscription_of_a_deleted_folder_stays(store: MailStore, mailbox: int) -> None:
    await store.create_folder(mailbox, "Gone")
    await store.delete_folder(mailbox, "Gone")
    assert "Gone" in await store.list_subscriptions(mailbox)
    await store.unsubscribe_folder(mailbox, "Gone")
    assert "Gone" not in await store.list_subscriptions(mailbox)


async def test_a_name_subscribed_before_its_folder_exists_carries_over(
    store: MailStore, mailbox: int
) -> None:
    await store.subscribe_folder(mailbox, "Future")
    folder = await store.create_folder(mailbox, "Future", subscribe=False)
    assert folder.subscribed
    assert (await store.list_subscriptions(mailbox)).count("Future") == 1


async def test_unsubscribing_an_unknown_name_is_folder_not_found(store: MailStore, mailbox: int) -> None:
    with pytest.raises(FolderNotFound):
        await store.unsubscribe_folder(mailbox, "Nowhere")
