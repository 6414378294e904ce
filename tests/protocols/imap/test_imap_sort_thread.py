"""SORT (RFC 5256, RFC 5957) and THREAD=REFERENCES / ORDEREDSUBJECT."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message


@pytest.fixture
async def conversation(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    await imap.deliver(
        make_message(
            "Plan",
            "a\r\n",
            sender="zed@example.org",
            message_id="<a@x>",
            date="Mon, 05 Jan 2026 08:00:00 +0000",
        )
    )
    await imap.deliver(
        make_message(
            "Other",
            "b" * 300 + "\r\n",
            sender="amy@example.org",
            message_id="<b@x>",
            date="Sun, 04 Jan 2026 08:00:00 +0000",
        )
    )
    await imap.deliver(
        make_message(
            "Re: Plan",
            "c\r\n",
            sender="bob@example.org",
            message_id="<c@x>",
            date="Tue, 06 Jan 2026 08:00:00 +0000",
            extra=b"References: <a@x>\r\n",
        )
    )
    await actor.select()
    return actor


async def sort(client: ImapTestClient, criteria: str) -> list[int]:
    result = await client.expect("OK", f"SORT ({criteria}) UTF-8 ALL")
    return [int(n) for n in result.data("SORT")[0]]


async def test_sort_by_date(conversation: ImapTestClient) -> None:
    assert await sort(conversation, "DATE") == [2, 1, 3]


async def test_sort_by_reverse_size(conversation: ImapTestClient) -> None:
    assert (await sort(conversation, "REVERSE SIZE"))[0] == 2


async def test_sort_by_from_mailbox(conversation: ImapTestClient) -> None:
    assert await sort(conversation, "FROM") == [2, 3, 1]


async def test_sort_by_base_subject_then_date(conversation: ImapTestClient) -> None:
    assert await sort(conversation, "SUBJECT DATE") == [2, 1, 3]


async def test_uid_sort_returns_uids(conversation: ImapTestClient) -> None:
    result = await conversation.expect("OK", "UID SORT (ARRIVAL) UTF-8 ALL")
    assert result.data("SORT") == [["1", "2", "3"]]


async def test_thread_references_links_replies(conversation: ImapTestClient) -> None:
    result = await conversation.expect("OK", "THREAD REFERENCES UTF-8 ALL")
    assert result.untagged == [b"* THREAD (2)(1 3)"]


async def test_thread_orderedsubject_groups_by_base_subject(conversation: ImapTestClient) -> None:
    result = await conversation.expect("OK", "THREAD ORDEREDSUBJECT UTF-8 ALL")
    assert result.untagged == [b"* THREAD (2)(1 3)"]
