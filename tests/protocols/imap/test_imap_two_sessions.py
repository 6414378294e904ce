"""Two sessions on one mailbox (actor and observer): untagged EXISTS/EXPUNGE/FETCH at the right moments."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message


@pytest.fixture
async def both(
    imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient
) -> tuple[ImapTestClient, ImapTestClient]:
    await imap.deliver(make_message("a"))
    await imap.deliver(make_message("b"))
    await actor.select()
    await observer.select()
    return actor, observer


async def test_observer_sees_new_message_as_exists_on_noop(
    both: tuple[ImapTestClient, ImapTestClient],
) -> None:
    actor, observer = both
    await actor.append("INBOX", make_message("c"))
    result = await observer.expect("OK", "NOOP")
    assert result.numbers("EXISTS") == [3]


async def test_observer_sees_flag_change_as_fetch(both: tuple[ImapTestClient, ImapTestClient]) -> None:
    actor, observer = both
    await actor.expect("OK", "STORE 2 +FLAGS (\\Flagged)")
    result = await observer.expect("OK", "NOOP")
    assert result.fetch() == {2: {"UID": "2", "FLAGS": ["\\Flagged"]}}


async def test_actor_does_not_hear_its_own_store_twice(both: tuple[ImapTestClient, ImapTestClient]) -> None:
    actor, _ = both
    await actor.expect("OK", "STORE 2 +FLAGS (\\Flagged)")
    result = await actor.expect("OK", "NOOP")
    assert result.untagged == []


async def test_observer_sees_expunge_on_noop(both: tuple[ImapTestClient, ImapTestClient]) -> None:
    actor, observer = both
    await actor.expect("OK", "STORE 1 +FLAGS.SILENT (\\Deleted)")
    await actor.expect("OK", "EXPUNGE")
    result = await observer.expect("OK", "NOOP")
    assert result.numbers("EXPUNGE") == [1]


async def test_expunge_is_withheld_during_fetch_and_sequence_numbers_stay(
    both: tuple[ImapTestClient, ImapTestClient],
) -> None:
    actor, observer = both
    await actor.expect("OK", "STORE 1 +FLAGS.SILENT (\\Deleted)")
    await actor.expect("OK", "EXPUNGE")
    during = await observer.expect("OK", "FETCH 2 UID")
    assert during.numbers("EXPUNGE") == []
    assert during.fetch()[2]["UID"] == "2"
    after = await observer.expect("OK", "NOOP")
    assert after.numbers("EXPUNGE") == [1]


async def test_expunge_is_sent_during_uid_fetch(both: tuple[ImapTestClient, ImapTestClient]) -> None:
    actor, observer = both
    await actor.expect("OK", "STORE 1 +FLAGS.SILENT (\\Deleted)")
    await actor.expect("OK", "EXPUNGE")
    result = await observer.expect("OK", "UID FETCH 2 FLAGS")
    assert result.numbers("EXPUNGE") == [1]


async def test_fetch_of_message_expunged_elsewhere_leaves_it_out(
    both: tuple[ImapTestClient, ImapTestClient],
) -> None:
    actor, observer = both
    await actor.expect("OK", "STORE 1 +FLAGS.SILENT (\\Deleted)")
    await actor.expect("OK", "EXPUNGE")
    result = await observer.expect("OK", "FETCH 1:2 UID")
    assert [item["UID"] for item in result.fetch().values()] == ["2"]


async def test_observer_sees_move_as_expunge(both: tuple[ImapTestClient, ImapTestClient]) -> None:
    actor, observer = both
    await actor.expect("OK", "MOVE 1 Trash")
    result = await observer.expect("OK", "NOOP")
    assert result.numbers("EXPUNGE") == [1]


async def test_delivery_shows_up_as_exists(
    imap: ImapEnv, both: tuple[ImapTestClient, ImapTestClient]
) -> None:
    _, observer = both
    await imap.deliver(make_message("delivered"))
    result = await observer.expect("OK", "NOOP")
    assert result.numbers("EXISTS") == [3]


async def test_qresync_observer_gets_vanished_instead_of_expunge(
    imap: ImapEnv, both: tuple[ImapTestClient, ImapTestClient]
) -> None:
    actor, observer = both
    await observer.expect("OK", "ENABLE QRESYNC")
    await observer.select()
    await actor.expect("OK", "STORE 2 +FLAGS.SILENT (\\Deleted)")
    await actor.expect("OK", "EXPUNGE")
    result = await observer.expect("OK", "NOOP")
    assert result.data("VANISHED") == [["2"]]
