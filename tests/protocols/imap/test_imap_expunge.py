"""EXPUNGE and UID EXPUNGE (UIDPLUS)."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message


@pytest.fixture
async def three(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    await imap.deliver(make_message("a"), flags=("\\Deleted",))
    await imap.deliver(make_message("b"))
    await imap.deliver(make_message("c"), flags=("\\Deleted",))
    await actor.select()
    return actor


async def test_expunge_reports_each_removed_message_highest_first(three: ImapTestClient) -> None:
    result = await three.expect("OK", "EXPUNGE")
    assert result.numbers("EXPUNGE") == [3, 1]


async def test_expunge_renumbers_the_remaining_messages(three: ImapTestClient) -> None:
    await three.expect("OK", "EXPUNGE")
    result = await three.expect("OK", "FETCH 1 UID")
    assert result.fetch()[1]["UID"] == "2"


async def test_uid_expunge_removes_only_the_given_uids(imap: ImapEnv, three: ImapTestClient) -> None:
    result = await three.expect("OK", "UID EXPUNGE 3")
    assert result.numbers("EXPUNGE") == [3]
    assert (await imap.store.status(imap.mailbox_id, "INBOX")).messages == 2


async def test_expunge_in_examined_mailbox_is_refused(three: ImapTestClient) -> None:
    await three.expect("OK", "EXAMINE INBOX")
    await three.expect("NO", "EXPUNGE")


async def test_expunge_with_qresync_reports_vanished(three: ImapTestClient) -> None:
    await three.expect("OK", "ENABLE QRESYNC")
    await three.select()
    result = await three.expect("OK", "EXPUNGE")
    assert result.data("VANISHED") == [["1,3"]]
