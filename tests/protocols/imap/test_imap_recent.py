"""``\\Recent`` for IMAP4rev1 sessions (RFC 3501 §2.3.2, §6.3.1-2, §6.3.10, §6.4.4, §7.3.2).

A message is recent in exactly one session: the first to select the folder after it arrived (or,
while selected, the first to notice it). EXAMINE shows recent messages without taking them.
Sessions that ENABLE IMAP4rev2 neither see nor take ``\\Recent`` (RFC 9051 removed it).
"""

from __future__ import annotations

from support.imap import ImapEnv, ImapTestClient, Lit
from support.mailstore import make_message


async def test_select_reports_delivered_messages_as_recent(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message("a"))
    await imap.deliver(make_message("b"))
    result = await actor.select()
    assert result.numbers("RECENT") == [2]


async def test_only_the_first_session_to_select_gets_the_messages_as_recent(
    imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient
) -> None:
    await imap.deliver(make_message("a"))
    assert (await actor.select()).numbers("RECENT") == [1]
    assert (await observer.select()).numbers("RECENT") == [0]
    assert (await observer.expect("OK", "FETCH 1 FLAGS")).fetch()[1]["FLAGS"] == []
    assert (await actor.expect("OK", "FETCH 1 FLAGS")).fetch()[1]["FLAGS"] == ["\\Recent"]


async def test_examine_shows_recent_without_taking_it(
    imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient
) -> None:
    await imap.deliver(make_message("a"))
    assert (await observer.expect("OK", "EXAMINE INBOX")).numbers("RECENT") == [1]
    assert (await actor.select()).numbers("RECENT") == [1]


async def test_status_counts_messages_no_session_has_taken(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message("a"))
    await imap.deliver(make_message("b"))
    before = await actor.expect("OK", "STATUS INBOX (RECENT)")
    await actor.select()
    after = await actor.expect("OK", "STATUS INBOX (RECENT)")
    assert before.data("STATUS") == [[b"INBOX", ["RECENT", "2"]]]
    assert after.data("STATUS") == [[b"INBOX", ["RECENT", "0"]]]


async def test_search_recent_new_and_old(
    imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient
) -> None:
    await imap.deliver(make_message("old"))
    await observer.select()  # takes message 1
    await imap.deliver(make_message("new"))
    await imap.deliver(make_message("seen"), flags=("\\Seen",))
    await actor.select()  # takes messages 2 and 3
    assert (await actor.expect("OK", "SEARCH RECENT")).search() == [2, 3]
    assert (await actor.expect("OK", "SEARCH NEW")).search() == [2]
    assert (await actor.expect("OK", "SEARCH OLD")).search() == [1]
    assert (await actor.expect("OK", "SEARCH UNSEEN NOT RECENT")).search() == [1]


async def test_append_to_the_selected_mailbox_reports_exists_and_recent(actor: ImapTestClient) -> None:
    await actor.select()
    result = await actor.expect("OK", "APPEND INBOX ", Lit(make_message()))
    assert (result.numbers("EXISTS"), result.numbers("RECENT")) == ([1], [1])


async def test_copy_into_a_mailbox_another_session_selected_is_recent_there(
    imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient
) -> None:
    await imap.deliver(make_message("a"), flags=("\\Seen",))
    await imap.deliver(make_message("b"))
    await actor.select()
    await observer.select("Drafts")
    await actor.expect("OK", "COPY 1:2 Drafts")
    result = await observer.expect("OK", "NOOP")
    assert (result.numbers("EXISTS"), result.numbers("RECENT")) == ([2], [2])
    flags = (await observer.expect("OK", "FETCH 1:2 FLAGS")).fetch()
    assert flags == {1: {"FLAGS": ["\\Recent", "\\Seen"]}, 2: {"FLAGS": ["\\Recent"]}}


async def test_message_arriving_while_two_sessions_idle_is_recent_in_one_only(
    imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient
) -> None:
    await actor.select()
    await observer.select()
    await imap.deliver(make_message("a"))
    first = await actor.expect("OK", "NOOP")
    second = await observer.expect("OK", "NOOP")
    assert sorted(first.numbers("RECENT") + second.numbers("RECENT")) == [0, 1]


async def test_recent_cannot_be_stored_or_removed(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message("a"))
    await actor.select()
    await actor.expect("OK", "STORE 1 -FLAGS (\\Recent)")
    assert (await actor.expect("OK", "FETCH 1 FLAGS")).fetch()[1]["FLAGS"] == ["\\Recent"]


async def test_imap4rev2_session_neither_sees_nor_takes_recent(
    imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient
) -> None:
    await imap.deliver(make_message("a"))
    await observer.expect("OK", "ENABLE IMAP4rev2")
    selected = await observer.select()
    assert selected.data("RECENT") == []
    assert (await observer.expect("OK", "FETCH 1 FLAGS")).fetch()[1]["FLAGS"] == []
    assert (await actor.select()).numbers("RECENT") == [1]
