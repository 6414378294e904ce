"""POP3 TRANSACTION and UPDATE: STAT, LIST, UIDL, RETR, TOP, DELE, RSET, QUIT, and the keep/delete setting."""

from __future__ import annotations

import asyncio
import poplib

import pytest

from support.imap import PASSWORD
from support.mailstore import make_message

FIRST = b"Subject: one\r\n\r\n.leading dot\r\nline 2\r\nline 3\r\n"
SECOND = make_message("two", "第二封邮件\r\n")


@pytest.fixture
async def filled(pop3):
    await pop3.deliver(FIRST)
    await pop3.deliver(SECOND)
    return pop3


async def test_stat_counts_messages_and_octets(filled) -> None:
    client = await filled.client()
    assert await client.command("STAT") == f"+OK 2 {len(FIRST) + len(SECOND)}".encode()
    await client.close()


async def test_list_gives_sizes(filled) -> None:
    client = await filled.client()
    _, lines = await client.multi("LIST")
    assert lines == [f"1 {len(FIRST)}".encode(), f"2 {len(SECOND)}".encode()]
    await client.close()


async def test_list_of_missing_message_is_refused(filled) -> None:
    client = await filled.client()
    assert (await client.command("LIST 9")).startswith(b"-ERR")
    await client.close()


async def test_uidl_is_stable_across_sessions(filled) -> None:
    first = await filled.client()
    _, before = await first.multi("UIDL")
    await first.command("QUIT")
    second = await filled.client()
    _, after = await second.multi("UIDL")
    assert before == after and len(before) == 2
    await second.close()


async def test_retr_returns_the_message_dot_stuffed(filled) -> None:
    client = await filled.client()
    status, lines = await client.multi("RETR 1")
    assert status == f"+OK {len(FIRST)} octets".encode()
    assert b"\r\n".join(lines) + b"\r\n" == FIRST
    await client.close()


async def test_top_returns_header_and_n_body_lines(filled) -> None:
    client = await filled.client()
    _, lines = await client.multi("TOP 1 1")
    assert lines == [b"Subject: one", b"", b".leading dot"]
    await client.close()


async def test_dele_hides_the_message_for_the_rest_of_the_session(filled) -> None:
    client = await filled.client()
    await client.command("DELE 1")
    assert (await client.command("RETR 1")).startswith(b"-ERR")
    assert await client.command("STAT") == f"+OK 1 {len(SECOND)}".encode()
    await client.close()


async def test_rset_undoes_deletions(filled) -> None:
    client = await filled.client()
    await client.command("DELE 1")
    await client.command("RSET")
    assert (await client.command("STAT")).startswith(b"+OK 2 ")
    await client.close()


async def test_deletions_without_quit_are_not_applied(filled) -> None:
    client = await filled.client()
    await client.command("DELE 1")
    await client.close()
    again = await filled.client()
    assert (await again.command("STAT")).startswith(b"+OK 2 ")
    await again.close()


async def test_keep_setting_hides_deleted_mail_from_pop3_but_keeps_it(filled) -> None:
    client = await filled.client()
    await client.command("DELE 1")
    await client.command("QUIT")
    assert (await filled.store.status(filled.mailbox_id, "INBOX")).messages == 2
    again = await filled.client()
    assert (await again.command("STAT")).startswith(b"+OK 1 ")
    await again.close()


async def test_delete_setting_removes_deleted_mail_at_quit(pop3_deleting) -> None:
    await pop3_deleting.deliver(FIRST)
    client = await pop3_deleting.client()
    await client.command("DELE 1")
    assert (await client.command("QUIT")).startswith(b"+OK")
    assert (await pop3_deleting.store.status(pop3_deleting.mailbox_id, "INBOX")).messages == 0


async def test_retrieved_messages_are_marked_seen_at_quit(filled) -> None:
    client = await filled.client()
    await client.multi("RETR 2")
    await client.command("QUIT")
    summaries = await filled.store.list_messages(filled.mailbox_id, "INBOX")
    assert ["\\Seen" in s.flags for s in summaries] == [False, True]


async def test_only_the_inbox_is_shown(filled) -> None:
    await filled.store.ingest(filled.mailbox_id, make_message("sent"), folder="Sent")
    client = await filled.client()
    assert (await client.command("STAT")).startswith(b"+OK 2 ")
    await client.close()


def poplib_session(host: str, port: int) -> tuple[int, list[bytes], bytes]:
    conn = poplib.POP3(host, port)
    try:
        conn.user("alice@example.test")
        conn.pass_(PASSWORD)
        count, _ = conn.stat()
        _, lines, _ = conn.retr(2)
        conn.dele(1)
        return count, lines, conn.quit()
    except BaseException:
        conn.close()
        raise


async def test_poplib_downloads_and_deletes(filled) -> None:
    count, lines, bye = await asyncio.to_thread(poplib_session, *filled.address())
    assert count == 2
    assert b"\r\n".join(lines) + b"\r\n" == SECOND
    assert bye.startswith(b"+OK")
