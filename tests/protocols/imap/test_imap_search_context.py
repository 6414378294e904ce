"""ESORT and CONTEXT=SEARCH/SORT (RFC 5267) and PARTIAL (RFC 9394): result options for SEARCH and
SORT, and search contexts kept up to date with ADDTO/REMOVEFROM while the mailbox changes."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message
from yunmail.protocols.imap.commands.search_context import MAX_CONTEXTS


@pytest.fixture
async def five(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    for n, subject in enumerate(("e", "c", "a", "d", "b"), start=1):
        await imap.deliver(make_message(subject, "x" * n * 100 + "\r\n"))
    await actor.select()
    return actor


def esearch(lines: list[bytes]) -> list[bytes]:
    return [line.split(b") ", 1)[1] if b") " in line else b"" for line in lines if b"ESEARCH" in line]


async def test_capabilities_announce_esort_context_and_partial(five: ImapTestClient) -> None:
    caps = (await five.expect("OK", "CAPABILITY")).data("CAPABILITY")[0]
    assert {"ESORT", "CONTEXT=SEARCH", "CONTEXT=SORT", "PARTIAL"} <= set(caps)


async def test_esort_all_lists_numbers_in_sort_order(five: ImapTestClient) -> None:
    """RFC 5267 §3: ALL keeps the sort order."""
    result = await five.expect("OK", "SORT RETURN (ALL) (SUBJECT) UTF-8 ALL")
    assert esearch(result.untagged) == [b"ALL 3,5,2,4,1"]


async def test_esort_min_and_max_are_the_first_and_last_in_order(five: ImapTestClient) -> None:
    result = await five.expect("OK", "SORT RETURN (MIN MAX COUNT) (SUBJECT) UTF-8 ALL")
    assert esearch(result.untagged) == [b"MIN 3 MAX 1 COUNT 5"]


async def test_partial_search_returns_the_range_of_the_result(five: ImapTestClient) -> None:
    """RFC 9394 §3.1: positions in the result, the range echoed (normalised)."""
    result = await five.expect("OK", "SEARCH RETURN (PARTIAL 4:2) ALL")
    assert esearch(result.untagged) == [b"PARTIAL (2:4 2:4)"]


async def test_partial_with_negative_range_counts_from_the_end(five: ImapTestClient) -> None:
    result = await five.expect("OK", "UID SEARCH RETURN (PARTIAL -1:-2) ALL")
    assert esearch(result.untagged) == [b"UID PARTIAL (-1:-2 4:5)"]


async def test_partial_sort_keeps_the_sort_order(five: ImapTestClient) -> None:
    result = await five.expect("OK", "SORT RETURN (PARTIAL 1:3) (REVERSE SUBJECT) UTF-8 ALL")
    assert esearch(result.untagged) == [b"PARTIAL (1:3 1,4,2)"]


async def test_partial_beyond_the_result_is_nil(five: ImapTestClient) -> None:
    result = await five.expect("OK", "SEARCH RETURN (PARTIAL 10:20 COUNT) ALL")
    assert esearch(result.untagged) == [b"PARTIAL (10:20 NIL) COUNT 5"]


async def test_update_reports_messages_entering_and_leaving(five: ImapTestClient) -> None:
    """RFC 5267 §4.3: ADDTO/REMOVEFROM follow flag changes (position 0 for SEARCH, as Dovecot)."""
    first = await five.expect("OK", "SEARCH RETURN (UPDATE ALL) SEEN")
    tag = first.untagged[0].split(b'"')[1]
    added = await five.expect("OK", "STORE 1,2,5 +FLAGS (\\Seen)")
    assert [line for line in added.untagged if b"ESEARCH" in line] == [
        b'* ESEARCH (TAG "' + tag + b'") ADDTO (0 1:2,5)'
    ]
    removed = await five.expect("OK", "STORE 2 -FLAGS (\\Seen)")
    assert esearch(removed.untagged) == [b"REMOVEFROM (0 2)"]


async def test_removefrom_comes_before_the_expunge_with_the_old_number(five: ImapTestClient) -> None:
    await five.expect("OK", "STORE 4 +FLAGS (\\Seen)")
    await five.expect("OK", "SEARCH RETURN (UPDATE) SEEN")
    await five.expect("OK", "STORE 4 +FLAGS (\\Deleted)")
    result = await five.expect("OK", "EXPUNGE")
    assert result.untagged[0].endswith(b"REMOVEFROM (0 4)")
    assert b"* 4 EXPUNGE" in result.untagged[1:]


async def test_uid_context_reports_uids(five: ImapTestClient) -> None:
    await five.expect("OK", "UID SEARCH RETURN (UPDATE) FLAGGED")
    result = await five.expect("OK", "STORE 3 +FLAGS (\\Flagged)")
    assert esearch(result.untagged) == [b"UID ADDTO (0 3)"]


async def test_another_sessions_change_updates_the_context(
    five: ImapTestClient, observer: ImapTestClient
) -> None:
    await five.expect("OK", "SEARCH RETURN (UPDATE) FLAGGED")
    await observer.select()
    await observer.expect("OK", "STORE 2 +FLAGS (\\Flagged)")
    result = await five.expect("OK", "NOOP")
    assert esearch(result.untagged) == [b"ADDTO (0 2)"]


async def test_new_message_is_added_after_exists(imap: ImapEnv, five: ImapTestClient) -> None:
    await five.expect("OK", "SEARCH RETURN (UPDATE) SUBJECT fresh")
    await imap.deliver(make_message("fresh"))
    result = await five.expect("OK", "NOOP")
    exists = result.untagged.index(b"* 6 EXISTS")
    # RFC 5267 §4.2: ADDTO after the EXISTS (a rev1 session's RECENT may come between them).
    following = [line for line in result.untagged[exists + 1 :] if not line.endswith(b"RECENT")]
    assert following[0].endswith(b"ADDTO (0 6)")


async def test_sort_context_reports_positions(five: ImapTestClient) -> None:
    """RFC 5267 §4.3: in a SORT context each change carries its position in the sort order."""
    await five.expect("OK", "SORT RETURN (UPDATE) (SUBJECT) UTF-8 UNSEEN")
    result = await five.expect("OK", "STORE 2 +FLAGS (\\Seen)")  # "c": third of a b c d e
    assert esearch(result.untagged) == [b"REMOVEFROM (3 2)"]
    result = await five.expect("OK", "STORE 2 -FLAGS (\\Seen)")
    assert esearch(result.untagged) == [b"ADDTO (3 2)"]


async def test_cancelupdate_stops_the_updates(five: ImapTestClient) -> None:
    first = await five.expect("OK", "SEARCH RETURN (UPDATE) SEEN")
    tag = first.untagged[0].split(b'"')[1].decode()
    await five.expect("OK", f'CANCELUPDATE "{tag}"')
    result = await five.expect("OK", "STORE 1 +FLAGS (\\Seen)")
    assert esearch(result.untagged) == []


async def test_cancelupdate_of_an_unknown_tag_is_refused(five: ImapTestClient) -> None:
    await five.expect("NO", 'CANCELUPDATE "nope"')


async def test_modseq_with_min_is_the_min_messages_modseq(imap: ImapEnv, five: ImapTestClient) -> None:
    """RFC 7162 §3.1.5 / RFC 4731 §3.2: with only MIN, MODSEQ belongs to the message returned."""
    await five.expect("OK", "STORE 1 +FLAGS (\\Seen)")
    await five.expect("OK", "STORE 3 +FLAGS (\\Seen)")  # the higher MODSEQ, not the one returned
    summaries = {m.uid: m.modseq for m in await imap.store.list_messages(imap.mailbox_id, "INBOX")}
    result = await five.expect("OK", "SEARCH RETURN (MIN) MODSEQ 1 SEEN")
    assert esearch(result.untagged) == [b"MIN 1 MODSEQ %d" % summaries[1]]


async def test_too_many_contexts_answers_noupdate(five: ImapTestClient) -> None:
    """RFC 5267 §4.2: a context the server will not keep is named in ``NO [NOUPDATE "tag"]``."""
    for _ in range(MAX_CONTEXTS):
        await five.expect("OK", "SEARCH RETURN (UPDATE) SEEN")
    result = await five.expect("OK", "SEARCH RETURN (UPDATE COUNT) SEEN")
    assert any(line.startswith(b'* NO [NOUPDATE "') for line in result.untagged)
    assert esearch(result.untagged) == [b"COUNT 0"]


async def test_save_with_partial_keeps_only_the_range(five: ImapTestClient) -> None:
    """RFC 9394 §3.2 with SEARCHRES (RFC 5182): ``$`` holds the messages PARTIAL returned."""
    await five.expect("OK", "SEARCH RETURN (SAVE PARTIAL 2:3) ALL")
    fetched = await five.expect("OK", "FETCH $ UID")
    assert sorted(fetched.fetch()) == [2, 3]
