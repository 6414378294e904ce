"""STORE / UID STORE: flag changes, .SILENT, CONDSTORE UNCHANGEDSINCE and MODIFIED."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message


@pytest.fixture
async def two(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    """Two delivered messages, selected by an IMAP4rev1 session: both are \\Recent in it."""
    await imap.deliver(make_message("one"))
    await imap.deliver(make_message("two"), flags=("\\Seen",))
    await actor.select()
    return actor


async def test_add_flags_reports_the_new_flags(two: ImapTestClient) -> None:
    result = await two.expect("OK", "STORE 1:2 +FLAGS (\\Flagged)")
    assert {seq: item["FLAGS"] for seq, item in result.fetch().items()} == {
        1: ["\\Recent", "\\Flagged"],
        2: ["\\Recent", "\\Flagged", "\\Seen"],
    }


async def test_remove_flags(two: ImapTestClient) -> None:
    result = await two.expect("OK", "STORE 2 -FLAGS (\\Seen)")
    assert result.fetch()[2]["FLAGS"] == ["\\Recent"]


async def test_replace_flags_with_a_keyword(two: ImapTestClient) -> None:
    result = await two.expect("OK", "STORE 2 FLAGS ($Label1)")
    assert result.fetch()[2]["FLAGS"] == ["\\Recent", "$Label1"]


async def test_silent_store_sends_no_fetch(two: ImapTestClient) -> None:
    result = await two.expect("OK", "STORE 1 +FLAGS.SILENT (\\Seen)")
    assert result.untagged == []


async def test_unchanged_flags_are_still_reported(two: ImapTestClient) -> None:
    result = await two.expect("OK", "STORE 2 +FLAGS (\\Seen)")
    assert result.fetch()[2]["FLAGS"] == ["\\Recent", "\\Seen"]


async def test_recent_flag_is_ignored(two: ImapTestClient) -> None:
    result = await two.expect("OK", "STORE 1 +FLAGS (\\Recent \\Answered)")
    assert result.fetch()[1]["FLAGS"] == ["\\Recent", "\\Answered"]
    await two.expect("OK", "STORE 1 -FLAGS (\\Recent)")
    assert (await two.expect("OK", "FETCH 1 FLAGS")).fetch()[1]["FLAGS"] == ["\\Recent", "\\Answered"]


async def test_uid_store_addresses_uids(two: ImapTestClient) -> None:
    result = await two.expect("OK", "UID STORE 2 +FLAGS (\\Answered)")
    assert list(result.fetch()) == [2]


async def test_invalid_keyword_answers_bad(two: ImapTestClient) -> None:
    await two.expect("BAD", "STORE 1 +FLAGS (\\Bogus)")


async def test_unchangedsince_refuses_changed_messages_with_modified(
    imap: ImapEnv, two: ImapTestClient
) -> None:
    first, _ = await imap.store.list_messages(imap.mailbox_id, "INBOX")
    await two.expect("OK", "STORE 2 +FLAGS (\\Flagged)")  # message 2 now has a higher MODSEQ
    result = await two.expect("OK", f"STORE 1:2 (UNCHANGEDSINCE {first.modseq}) +FLAGS (\\Answered)")
    assert result.code == "MODIFIED 2"
    assert result.fetch()[1]["FLAGS"] == ["\\Recent", "\\Answered"]


async def test_condstore_store_reports_modseq(two: ImapTestClient) -> None:
    await two.expect("OK", "ENABLE CONDSTORE")
    result = await two.expect("OK", "STORE 1 +FLAGS (\\Flagged)")
    assert "MODSEQ" in result.fetch()[1]
