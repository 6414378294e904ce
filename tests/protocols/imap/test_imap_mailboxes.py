"""Folder commands: CREATE, DELETE, RENAME, SUBSCRIBE, LIST (extended, status, special-use), LSUB, STATUS."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.imap import ImapEnv, ImapTestClient, Result
from support.mailstore import make_message


def listed(result: Result) -> dict[str, list[str]]:
    """``{name: attributes}`` of the LIST/LSUB lines."""
    out: dict[str, list[str]] = {}
    for kind in ("LIST", "LSUB"):
        for attrs, _, name, *_ in result.data(kind):
            out[name.decode() if isinstance(name, bytes) else name] = attrs
    return out


async def test_list_star_shows_the_default_folders_with_special_use(actor: ImapTestClient) -> None:
    folders = listed(await actor.expect("OK", 'LIST "" *'))
    assert folders == {
        "INBOX": ["\\HasNoChildren"],
        "Drafts": ["\\HasNoChildren", "\\Drafts"],
        "Junk": ["\\HasNoChildren", "\\Junk"],
        "Sent": ["\\HasNoChildren", "\\Sent"],
        "Trash": ["\\HasNoChildren", "\\Trash"],
        "Virus": ["\\HasNoChildren"],
    }


async def test_list_empty_pattern_returns_the_delimiter(actor: ImapTestClient) -> None:
    result = await actor.expect("OK", 'LIST "" ""')
    assert result.data("LIST") == [[["\\Noselect"], b"/", b""]]


async def test_create_nested_folder_creates_its_parent(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE Projects/2026")
    folders = listed(await actor.expect("OK", 'LIST "" Projects*'))
    assert folders == {"Projects": ["\\HasChildren"], "Projects/2026": ["\\HasNoChildren"]}


async def test_percent_wildcard_stops_at_the_delimiter(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE Projects/2026")
    assert list(listed(await actor.expect("OK", 'LIST "" %'))) == [
        "INBOX",
        "Drafts",
        "Junk",
        "Projects",
        "Sent",
        "Trash",
        "Virus",
    ]


async def test_reference_is_prefixed_to_the_pattern(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE Projects/2026")
    assert list(listed(await actor.expect("OK", "LIST Projects/ %"))) == ["Projects/2026"]


async def test_inbox_pattern_is_case_insensitive(actor: ImapTestClient) -> None:
    assert list(listed(await actor.expect("OK", 'LIST "" inbox'))) == ["INBOX"]


async def test_create_existing_folder_answers_alreadyexists(actor: ImapTestClient) -> None:
    await actor.expect("NO", "CREATE Sent", code="ALREADYEXISTS")


async def test_create_with_special_use_is_refused_with_useattr(actor: ImapTestClient) -> None:
    await actor.expect("NO", "CREATE Archive (USE (\\Archive))", code="USEATTR")


async def test_chinese_folder_name_round_trips_in_modified_utf7(actor: ImapTestClient) -> None:
    await actor.expect("OK", 'CREATE "&i6JTVQ-"')  # 订单 ("orders")
    result = await actor.expect("OK", 'LIST "" "&i6JTVQ-"')
    assert result.data("LIST")[0][2] == b"&i6JTVQ-"


async def test_utf8_accept_lists_folder_names_in_utf8(actor: ImapTestClient) -> None:
    await actor.expect("OK", "ENABLE UTF8=ACCEPT")
    await actor.expect("OK", 'CREATE "订单"')
    result = await actor.expect("OK", 'LIST "" "订单"')
    assert result.data("LIST")[0][2] == "订单".encode()


async def test_delete_folder_removes_it(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE Old")
    await actor.expect("OK", "DELETE Old")
    assert listed(await actor.expect("OK", 'LIST "" Old')) == {}


async def test_delete_missing_folder_answers_nonexistent(actor: ImapTestClient) -> None:
    await actor.expect("NO", "DELETE Nowhere", code="NONEXISTENT")


async def test_delete_inbox_is_refused(actor: ImapTestClient) -> None:
    await actor.expect("NO", "DELETE INBOX", code="CANNOT")


async def test_delete_folder_with_children_answers_haschildren(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE A/B")
    await actor.expect("NO", "DELETE A", code="HASCHILDREN")


async def test_rename_moves_the_folder_and_its_children(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE A/B")
    await actor.expect("OK", "RENAME A Z")
    assert list(listed(await actor.expect("OK", 'LIST "" *'))) == [
        "INBOX",
        "Drafts",
        "Junk",
        "Sent",
        "Trash",
        "Virus",
        "Z",
        "Z/B",
    ]


async def test_rename_onto_existing_folder_answers_alreadyexists(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE A")
    await actor.expect("NO", "RENAME A Sent", code="ALREADYEXISTS")


async def test_subscribe_then_lsub_lists_the_folder(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE News")
    await actor.expect("OK", "SUBSCRIBE News")
    assert "News" in listed(await actor.expect("OK", 'LSUB "" *'))


async def test_unsubscribe_removes_the_folder_from_lsub(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE News")
    await actor.expect("OK", "SUBSCRIBE News")
    await actor.expect("OK", "UNSUBSCRIBE News")
    assert "News" not in listed(await actor.expect("OK", 'LSUB "" *'))


async def test_list_subscribed_selection_marks_subscribed(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE News")
    await actor.expect("OK", "SUBSCRIBE News")
    folders = listed(await actor.expect("OK", 'LIST (SUBSCRIBED) "" News'))
    assert folders == {"News": ["\\HasNoChildren", "\\Subscribed"]}


async def test_list_special_use_selection_lists_only_special_folders(actor: ImapTestClient) -> None:
    folders = listed(await actor.expect("OK", 'LIST (SPECIAL-USE) "" *'))
    assert sorted(folders) == ["Drafts", "Junk", "Sent", "Trash"]


async def test_list_return_status_adds_status_lines(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message())
    result = await actor.expect("OK", 'LIST "" INBOX RETURN (STATUS (MESSAGES UNSEEN))')
    assert result.data("STATUS") == [[b"INBOX", ["MESSAGES", "1", "UNSEEN", "1"]]]


async def test_status_reports_counts_and_uids(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message(), flags=("\\Seen", "\\Deleted"))
    await imap.deliver(make_message())
    result = await actor.expect("OK", "STATUS INBOX (MESSAGES UNSEEN UIDNEXT DELETED RECENT)")
    assert result.data("STATUS") == [
        [b"INBOX", ["MESSAGES", "2", "UNSEEN", "1", "UIDNEXT", "3", "DELETED", "1", "RECENT", "2"]]
    ]


async def test_status_of_missing_folder_answers_nonexistent(actor: ImapTestClient) -> None:
    await actor.expect("NO", "STATUS Nowhere (MESSAGES)", code="NONEXISTENT")


# --- subscriptions (RFC 3501 §6.3.6-7, §6.3.9; RFC 5258 §3) ---------------------------------------


async def test_create_does_not_subscribe(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE Projects")
    assert "Projects" not in listed(await actor.expect("OK", 'LSUB "" *'))


async def test_subscribing_a_name_without_a_folder_is_allowed(actor: ImapTestClient) -> None:
    await actor.expect("OK", "SUBSCRIBE Later/Plans")
    assert listed(await actor.expect("OK", 'LSUB "" Later/*')) == {"Later/Plans": []}


async def test_a_subscription_outlives_its_folder(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE Old")
    await actor.expect("OK", "SUBSCRIBE Old")
    await actor.expect("OK", "DELETE Old")
    assert listed(await actor.expect("OK", 'LSUB "" Old')) == {"Old": []}
    listing = listed(await actor.expect("OK", 'LIST (SUBSCRIBED) "" Old'))
    assert listing == {"Old": ["\\Subscribed", "\\NonExistent"]}


async def test_recreating_a_subscribed_name_keeps_it_subscribed_once(actor: ImapTestClient) -> None:
    await actor.expect("OK", "SUBSCRIBE Again")
    await actor.expect("OK", "CREATE Again")
    result = await actor.expect("OK", 'LSUB "" Again')
    assert len(result.data("LSUB")) == 1
    await actor.expect("OK", "UNSUBSCRIBE Again")
    assert listed(await actor.expect("OK", 'LSUB "" Again')) == {}


async def test_unsubscribing_a_name_without_a_subscription_or_folder_is_no(actor: ImapTestClient) -> None:
    await actor.expect("NO", "UNSUBSCRIBE Never")


async def test_lsub_percent_shows_a_parent_of_subscribed_children_as_noselect(actor: ImapTestClient) -> None:
    """RFC 3501 §6.3.9: ``%`` stops at the parent; when only its children are subscribed, the parent
    comes back with ``\\Noselect`` (whether or not the folder exists)."""
    await actor.expect("OK", "CREATE Box/Sub/Leaf")
    await actor.expect("OK", "CREATE Box/Own")
    await actor.expect("OK", "SUBSCRIBE Box/Sub/Leaf")
    await actor.expect("OK", "SUBSCRIBE Box/Own")
    await actor.expect("OK", "SUBSCRIBE Box/Gone/Child")
    assert listed(await actor.expect("OK", 'LSUB "" Box/%')) == {
        "Box/Gone": ["\\Noselect"],
        "Box/Own": [],
        "Box/Sub": ["\\Noselect"],
    }
    assert listed(await actor.expect("OK", 'LSUB "" Box/*')) == {
        "Box/Gone/Child": [],
        "Box/Own": [],
        "Box/Sub/Leaf": [],
    }


# --- names and options that must answer, not break the session ----------------------------------


async def test_invalid_modified_utf7_name_answers_no(actor: ImapTestClient) -> None:
    """RFC 3501 §5.1.3: a name that is not modified UTF-7 names no mailbox; the command is well formed."""
    await actor.expect("NO", "SELECT &Jjo")
    await actor.expect("NO", "CREATE a&AGE-b")


@pytest.mark.parametrize(
    "command",
    [
        'LIST (IMAPTEST) "" ""',
        'LIST (RECURSIVEMATCH) "" ""',
        'LIST (RECURSIVEMATCH REMOTE) "" ""',
        'LIST "" "" RETURN (IMAPTEST)',
    ],
)
async def test_list_extended_option_errors_answer_bad(actor: ImapTestClient, command: str) -> None:
    """RFC 5258 §3: unknown options and RECURSIVEMATCH without another selection option are BAD."""
    await actor.expect("BAD", command)


async def test_list_remote_selection_is_accepted(actor: ImapTestClient) -> None:
    assert "INBOX" in listed(await actor.expect("OK", 'LIST (REMOTE) "" %'))


_PRINTABLE = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="{"),
    min_size=1,
    max_size=16,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pattern=_PRINTABLE)
async def test_no_printable_list_or_select_argument_ends_the_session(
    actor: ImapTestClient, pattern: str
) -> None:
    """Whatever printable atom a client sends as a LIST pattern, reference or SELECT name, it gets a
    tagged answer and the session goes on (``{`` is left out: it would announce a literal)."""
    for command in (
        f'LIST "" {pattern}',
        f"LIST {pattern} %",
        f"SELECT {pattern}",
        f"STATUS {pattern} (UIDNEXT)",
    ):
        result = await actor.command(command)
        assert result.status in ("OK", "NO", "BAD"), (command, result)
        assert not any(line.upper().startswith(b"* BYE") for line in result.untagged), (command, result)
    await actor.expect("OK", "NOOP")


async def test_recursivematch_lists_a_parent_only_for_descendants_the_pattern_misses(
    actor: ImapTestClient,
) -> None:
    """RFC 5258 §3.5: CHILDINFO stands in for subscribed descendants that are not listed themselves."""
    for name in ("Tree/Leaf", "Tree/Other"):
        await actor.expect("OK", f"CREATE {name}")
        await actor.expect("OK", f"SUBSCRIBE {name}")
    both = await actor.expect("OK", 'LIST (SUBSCRIBED RECURSIVEMATCH) "" (Tree/Leaf Tree/Other Tree)')
    assert sorted(listed(both)) == ["Tree/Leaf", "Tree/Other"]
    one = await actor.expect("OK", 'LIST (SUBSCRIBED RECURSIVEMATCH) "" (Tree/Leaf Tree)')
    assert sorted(listed(one)) == ["Tree", "Tree/Leaf"]
    assert b'"CHILDINFO" ("SUBSCRIBED")' in next(line for line in one.untagged if b'"Tree" (' in line)
