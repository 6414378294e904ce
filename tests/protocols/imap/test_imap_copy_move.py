"""COPY / MOVE (and UID forms): COPYUID, TRYCREATE, expunge reporting of MOVE."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message


@pytest.fixture
async def three(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    for subject in ("a", "b", "c"):
        await imap.deliver(make_message(subject))
    await actor.select()
    return actor


async def test_copy_answers_copyuid(imap: ImapEnv, three: ImapTestClient) -> None:
    trash = await imap.store.get_folder(imap.mailbox_id, "Trash")
    result = await three.expect("OK", "COPY 1:2 Trash")
    assert result.code == f"COPYUID {trash.uidvalidity} 1:2 1:2"


async def test_copy_keeps_the_source_messages(imap: ImapEnv, three: ImapTestClient) -> None:
    await three.expect("OK", "COPY 1 Trash")
    assert (await imap.store.status(imap.mailbox_id, "INBOX")).messages == 3
    assert (await imap.store.status(imap.mailbox_id, "Trash")).messages == 1


async def test_copy_to_missing_folder_answers_trycreate(three: ImapTestClient) -> None:
    await three.expect("NO", "COPY 1 nonexistent", code="TRYCREATE")


async def test_copy_without_arguments_answers_bad(three: ImapTestClient) -> None:
    await three.expect("BAD", "COPY")


async def test_copy_into_the_selected_folder_reports_exists(three: ImapTestClient) -> None:
    result = await three.expect("OK", "COPY 1 INBOX")
    assert result.numbers("EXISTS") == [4]


async def test_move_sends_copyuid_then_expunge(imap: ImapEnv, three: ImapTestClient) -> None:
    trash = await imap.store.get_folder(imap.mailbox_id, "Trash")
    result = await three.expect("OK", "MOVE 2:3 Trash")
    assert result.untagged == [
        f"* OK [COPYUID {trash.uidvalidity} 2:3 1:2] moved".encode(),
        b"* 3 EXPUNGE",
        b"* 2 EXPUNGE",
    ]


async def test_uid_move_removes_from_source(imap: ImapEnv, three: ImapTestClient) -> None:
    await three.expect("OK", "UID MOVE 1 Junk")
    assert (await imap.store.status(imap.mailbox_id, "INBOX")).messages == 2


async def test_move_with_qresync_reports_vanished(three: ImapTestClient) -> None:
    await three.expect("OK", "ENABLE QRESYNC")
    await three.select()
    result = await three.expect("OK", "MOVE 1 Trash")
    assert result.data("VANISHED") == [["1"]]


async def test_move_to_missing_folder_answers_trycreate(three: ImapTestClient) -> None:
    await three.expect("NO", "MOVE 1 Nowhere", code="TRYCREATE")
