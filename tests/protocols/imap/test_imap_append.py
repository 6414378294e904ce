"""APPEND: APPENDUID, flags and date, TRYCREATE, OVERQUOTA, TOOBIG, MULTIAPPEND, line-end repair."""

from __future__ import annotations

from support.imap import ImapEnv, ImapTestClient, Lit
from support.mailstore import make_message


async def test_append_answers_appenduid(imap: ImapEnv, actor: ImapTestClient) -> None:
    inbox = await imap.store.get_folder(imap.mailbox_id, "INBOX")
    result = await actor.append("INBOX", make_message())
    assert result.code == f"APPENDUID {inbox.uidvalidity} 1"


async def test_append_keeps_flags_and_internal_date(imap: ImapEnv, actor: ImapTestClient) -> None:
    await actor.expect(
        "OK", 'APPEND Drafts (\\Draft \\Seen) "05-Mar-2025 10:20:30 +0800" ', Lit(make_message())
    )
    (summary,) = await imap.store.list_messages(imap.mailbox_id, "Drafts")
    assert summary.flags == frozenset({"\\Draft", "\\Seen"})
    assert summary.internal_date.isoformat().startswith("2025-03-05T02:20:30")


async def test_append_to_missing_folder_answers_trycreate(actor: ImapTestClient) -> None:
    await actor.expect("NO", "APPEND Nowhere ", Lit(make_message()), code="TRYCREATE")


async def test_append_over_quota_answers_overquota(imap: ImapEnv, actor: ImapTestClient) -> None:
    from support.mailstore import create_mailbox

    small = await create_mailbox(imap.store._ctx.db, quota_bytes=100)
    await imap.store.provision(small)
    imap.auth.add("small@example.test", small)
    client = await imap.client(user="small@example.test")
    await client.expect("NO", "APPEND INBOX ", Lit(make_message(body="x" * 500)), code="OVERQUOTA")
    await client.close()


async def test_append_literal_over_the_size_limit_is_refused_with_toobig(actor: ImapTestClient) -> None:
    actor.send(b"big APPEND INBOX {999999999}\r\n")
    assert (await actor.read_line()).startswith(b"big BAD [TOOBIG]")
    await actor.expect("OK", "NOOP")


async def test_append_of_empty_message_is_refused(actor: ImapTestClient) -> None:
    await actor.expect("NO", "APPEND INBOX ", Lit(b""))


async def test_multiappend_stores_all_messages(imap: ImapEnv, actor: ImapTestClient) -> None:
    inbox = await imap.store.get_folder(imap.mailbox_id, "INBOX")
    result = await actor.expect("OK", "APPEND INBOX ", Lit(make_message("a")), " ", Lit(make_message("b")))
    assert result.code == f"APPENDUID {inbox.uidvalidity} 1:2"


async def test_append_to_selected_folder_reports_exists(actor: ImapTestClient) -> None:
    await actor.select()
    result = await actor.append("INBOX", make_message())
    assert result.numbers("EXISTS") == [1]


async def test_bare_lf_message_is_stored_with_crlf(imap: ImapEnv, actor: ImapTestClient) -> None:
    await actor.append("INBOX", b"Subject: lf\n\nbody\n")
    (summary,) = await imap.store.list_messages(imap.mailbox_id, "INBOX")
    assert (
        await imap.store.read_message(imap.mailbox_id, "INBOX", summary.uid) == b"Subject: lf\r\n\r\nbody\r\n"
    )


async def test_literal8_append_is_accepted(imap: ImapEnv, actor: ImapTestClient) -> None:
    await actor.expect("OK", "APPEND INBOX ", Lit(make_message(), binary=True))
    assert (await imap.store.status(imap.mailbox_id, "INBOX")).messages == 1
