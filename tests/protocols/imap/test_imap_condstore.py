"""CONDSTORE switched on by use (RFC 7162 §3.1): the first CONDSTORE-enabling command in the selected state
(FETCH MODSEQ, STORE UNCHANGEDSINCE, SEARCH MODSEQ, STATUS HIGHESTMODSEQ) announces
``* OK [HIGHESTMODSEQ n]`` at once, and every later FETCH response carries MODSEQ."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient, Result
from support.mailstore import make_message


@pytest.fixture
async def selected(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    await imap.deliver(make_message("a"))
    await imap.deliver(make_message("b"))
    await actor.select()
    return actor


def highestmodseq(result: Result) -> list[str]:
    return [line.decode() for line in result.untagged if b"[HIGHESTMODSEQ " in line.upper()]


async def test_fetch_modseq_announces_highestmodseq(imap: ImapEnv, selected: ImapTestClient) -> None:
    folder = await imap.store.get_folder(imap.mailbox_id, "INBOX")
    result = await selected.expect("OK", "FETCH 1 (MODSEQ)")
    assert highestmodseq(result) == [f"* OK [HIGHESTMODSEQ {folder.highestmodseq}] highest modseq"]
    assert result.untagged[0].startswith(b"* OK [HIGHESTMODSEQ")  # before the FETCH it enables


async def test_highestmodseq_is_announced_only_once(selected: ImapTestClient) -> None:
    await selected.expect("OK", "FETCH 1 (MODSEQ)")
    assert highestmodseq(await selected.expect("OK", "FETCH 2 (MODSEQ)")) == []


async def test_store_unchangedsince_announces_highestmodseq(selected: ImapTestClient) -> None:
    result = await selected.expect("OK", "STORE 1 (UNCHANGEDSINCE 1000) +FLAGS (\\Seen)")
    assert len(highestmodseq(result)) == 1


async def test_search_modseq_announces_highestmodseq(selected: ImapTestClient) -> None:
    result = await selected.expect("OK", "SEARCH MODSEQ 1")
    assert len(highestmodseq(result)) == 1


async def test_status_highestmodseq_while_selected_announces_it(selected: ImapTestClient) -> None:
    result = await selected.expect("OK", "STATUS Drafts (HIGHESTMODSEQ)")
    assert len(highestmodseq(result)) == 1


async def test_after_implicit_enable_flag_changes_by_others_carry_modseq(
    imap: ImapEnv, selected: ImapTestClient, observer: ImapTestClient
) -> None:
    await selected.expect("OK", "FETCH 1 (MODSEQ)")
    await observer.select()
    await observer.expect("OK", "STORE 2 +FLAGS (\\Flagged)")
    fetched = (await selected.expect("OK", "NOOP")).fetch()
    assert "MODSEQ" in fetched[2]


async def test_after_implicit_enable_an_implicit_seen_carries_modseq(selected: ImapTestClient) -> None:
    await selected.expect("OK", "FETCH 1 (MODSEQ)")
    fetched = (await selected.expect("OK", "FETCH 2 BODY[TEXT]")).fetch()
    assert "MODSEQ" in fetched[2] and "\\Seen" in fetched[2]["FLAGS"]  # type: ignore[operator]
