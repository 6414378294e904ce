"""APPEND: APPENDUID, flags and date, TRYCREATE, OVERQUOTA, TOOBIG, MULTIAPPEND, line-end repair."""

from __future__ import annotations

import pytest

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


# --- CATENATE (RFC 4469) ------------------------------------------------------------------------

SOURCE = b"From: foo@example.com\r\nSubject: source\r\n\r\nHello world body\r\n"


async def catenate_source(imap: ImapEnv) -> tuple[int, int]:
    """A message in Drafts to point URLs at: (uidvalidity, uid)."""
    uid = await imap.deliver(SOURCE, folder="Drafts")
    return (await imap.store.get_folder(imap.mailbox_id, "Drafts")).uidvalidity, uid


async def stored_bodies(imap: ImapEnv, folder: str = "INBOX") -> list[bytes]:
    summaries = await imap.store.list_messages(imap.mailbox_id, folder)
    found = await imap.store.read_messages(imap.mailbox_id, folder, [m.uid for m in summaries])
    return [found[m.uid] for m in summaries]


async def test_catenate_joins_text_parts(imap: ImapEnv, actor: ImapTestClient) -> None:
    await actor.expect(
        "OK", "APPEND INBOX CATENATE (TEXT ", Lit(b"From: a@b.c\r\n\r\n"), " TEXT ", Lit(b"body\r\n"), ")"
    )
    assert await stored_bodies(imap) == [b"From: a@b.c\r\n\r\nbody\r\n"]


async def test_catenate_url_section_header_plus_new_text(imap: ImapEnv, actor: ImapTestClient) -> None:
    uidvalidity, uid = await catenate_source(imap)
    await actor.expect(
        "OK",
        f'APPEND INBOX (\\Seen) CATENATE (URL "/Drafts;UIDVALIDITY={uidvalidity}/;UID={uid}/;SECTION=HEADER"',
        " TEXT ",
        Lit(b"new body\r\n"),
        ")",
    )
    assert await stored_bodies(imap) == [b"From: foo@example.com\r\nSubject: source\r\n\r\nnew body\r\n"]


async def test_catenate_url_whole_message_text_and_partial(imap: ImapEnv, actor: ImapTestClient) -> None:
    _, uid = await catenate_source(imap)
    await actor.expect("OK", f'APPEND INBOX CATENATE (URL "/Drafts/;uid={uid}")')
    await actor.expect(
        "OK",
        "APPEND INBOX CATENATE (TEXT ",
        Lit(b"X: y\r\n\r\n"),
        f' URL "/Drafts/;uid={uid}/;section=text")',
    )
    await actor.expect("OK", f'APPEND INBOX CATENATE (URL "/Drafts/;uid={uid}/;partial=0.13")')
    assert await stored_bodies(imap) == [SOURCE, b"X: y\r\n\r\nHello world body\r\n", b"From: foo@exa"]


async def test_catenate_with_a_wrong_uidvalidity_answers_badurl_and_stores_nothing(
    imap: ImapEnv, actor: ImapTestClient
) -> None:
    _, uid = await catenate_source(imap)
    result = await actor.expect(
        "NO",
        "APPEND INBOX CATENATE (TEXT ",
        Lit(b"A: b\r\n\r\n"),
        f' URL "/Drafts;UIDVALIDITY=12345/;UID={uid}/;SECTION=HEADER")',
        code="BADURL",
    )
    assert "UIDVALIDITY=12345" in (result.code or "")
    assert await stored_bodies(imap) == []


@pytest.mark.parametrize(
    "url",
    ['"/Drafts/;UID=99"', '"/Nowhere/;UID=1"', '"/Drafts/;UID=1/;SECTION=7"', '"imap-ish"', '"/Drafts"'],
)
async def test_catenate_url_that_resolves_to_nothing_answers_badurl(
    imap: ImapEnv, actor: ImapTestClient, url: str
) -> None:
    await catenate_source(imap)
    await actor.expect("NO", f"APPEND INBOX CATENATE (URL {url})", code="BADURL")


async def test_catenate_into_a_missing_folder_answers_trycreate(imap: ImapEnv, actor: ImapTestClient) -> None:
    await actor.expect("NO", 'APPEND Nowhere CATENATE (URL "/Drafts;UIDVALIDITY=1/;UID=1")', code="TRYCREATE")


async def test_multiappend_with_catenate_stores_all_or_nothing(imap: ImapEnv, actor: ImapTestClient) -> None:
    """RFC 3502 §6.3.11 + RFC 4469: one failing message fails the whole APPEND."""
    _, uid = await catenate_source(imap)
    await actor.expect(
        "NO",
        f'APPEND INBOX CATENATE (URL "/Drafts/;UID={uid}") CATENATE (URL "/Drafts/;UID={uid + 5}")',
        code="BADURL",
    )
    assert await stored_bodies(imap) == []
    await actor.expect(
        "OK",
        f'APPEND INBOX CATENATE (URL "/Drafts/;UID={uid}/;SECTION=HEADER") (\\Answered) ',
        Lit(b"N: m\r\n\r\nx\r\n"),
    )
    assert await stored_bodies(imap) == [
        b"From: foo@example.com\r\nSubject: source\r\n\r\n",
        b"N: m\r\n\r\nx\r\n",
    ]


async def test_catenate_is_advertised(actor: ImapTestClient) -> None:
    result = await actor.expect("OK", "CAPABILITY")
    assert b"CATENATE" in result.untagged[0].split()
