"""Folder commands: CREATE, DELETE, RENAME, SUBSCRIBE, LIST (extended, status, special-use), LSUB, STATUS."""

from __future__ import annotations

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
