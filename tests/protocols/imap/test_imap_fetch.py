"""FETCH: ENVELOPE, BODYSTRUCTURE, BODY[section]<partial>, PEEK, BINARY, RFC822.*, MODSEQ, CHANGEDSINCE."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message

MULTIPART = (
    b"From: =?UTF-8?B?5byg5LiJ?= <zhang@example.org>\r\n"
    b"To: bob@example.test\r\n"
    b"Subject: Report\r\n"
    b"Date: Thu, 01 Jan 2026 08:00:00 +0000\r\n"
    b"Message-ID: <m1@example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="outer"\r\n'
    b"\r\n"
    b"--outer\r\n"
    b'Content-Type: multipart/alternative; boundary="inner"\r\n'
    b"\r\n"
    b"--inner\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello plain\r\n"
    b"--inner\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"\r\n"
    b"<p>Hello</p>\r\n"
    b"--inner--\r\n"
    b"--outer\r\n"
    b'Content-Type: application/pdf; name="a.pdf"\r\n'
    b'Content-Disposition: attachment; filename="a.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"SGVsbG8gUERG\r\n"
    b"--outer\r\n"
    b"Content-Type: message/rfc822\r\n"
    b"\r\n"
    b"From: inner@example.org\r\n"
    b"Subject: Inner\r\n"
    b"\r\n"
    b"inner body\r\n"
    b"--outer--\r\n"
)


@pytest.fixture
async def selected(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    await imap.deliver(MULTIPART)
    await actor.select()
    return actor


async def fetch_one(client: ImapTestClient, items: str, seq: int = 1) -> dict[str, object]:
    result = await client.expect("OK", f"FETCH {seq} {items}")
    return result.fetch()[seq]


async def test_bodystructure_describes_nested_multiparts(selected: ImapTestClient) -> None:
    result = await selected.expect("OK", "FETCH 1 BODYSTRUCTURE")
    line = result.untagged[0].decode()
    assert line == (
        '* 1 FETCH (BODYSTRUCTURE ((("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 11 0 NIL NIL NIL NIL)'
        '("text" "html" ("charset" "utf-8") NIL NIL "7bit" 12 0 NIL NIL NIL NIL) "alternative"'
        ' ("boundary" "inner") NIL NIL NIL)'
        '("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 12 NIL ("attachment" ("filename" "a.pdf"))'
        " NIL NIL)"
        '("message" "rfc822" NIL NIL NIL "7bit" 53 (NIL "Inner" ((NIL NIL "inner" "example.org"))'
        ' ((NIL NIL "inner" "example.org")) ((NIL NIL "inner" "example.org")) NIL NIL NIL NIL NIL)'
        ' ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)'
        ' "mixed" ("boundary" "outer") NIL NIL NIL))'
    )


async def test_body_is_the_non_extensible_structure(selected: ImapTestClient) -> None:
    result = await selected.expect("OK", "FETCH 1 BODY")
    assert (
        result.untagged[0]
        .decode()
        .startswith(
            '* 1 FETCH (BODY ((("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 11 0)("text" "html"'
        )
    )


async def test_envelope_keeps_encoded_words_raw(selected: ImapTestClient) -> None:
    envelope = (await fetch_one(selected, "ENVELOPE"))["ENVELOPE"]
    assert envelope[1] == b"Report"
    assert envelope[2] == [[b"=?UTF-8?B?5byg5LiJ?=", None, b"zhang", b"example.org"]]
    assert envelope[9] == b"<m1@example.org>"


async def test_body_section_of_a_nested_part(selected: ImapTestClient) -> None:
    assert (await fetch_one(selected, "BODY.PEEK[1.1]"))["BODY[1.1]"] == b"Hello plain"


async def test_mime_header_of_a_part(selected: ImapTestClient) -> None:
    data = (await fetch_one(selected, "BODY.PEEK[1.2.MIME]"))["BODY[1.2.MIME]"]
    assert data == b"Content-Type: text/html; charset=utf-8\r\n\r\n"


async def test_header_and_text_of_an_embedded_message(selected: ImapTestClient) -> None:
    fetched = await fetch_one(selected, "(BODY.PEEK[3.HEADER] BODY.PEEK[3.TEXT])")
    assert fetched["BODY[3.HEADER]"] == b"From: inner@example.org\r\nSubject: Inner\r\n\r\n"
    assert fetched["BODY[3.TEXT]"] == b"inner body"


async def test_header_fields_returns_only_those_fields(selected: ImapTestClient) -> None:
    fetched = await fetch_one(selected, "BODY.PEEK[HEADER.FIELDS (SUBJECT TO)]")
    assert fetched["BODY[HEADER.FIELDS (SUBJECT TO)]"] == b"To: bob@example.test\r\nSubject: Report\r\n\r\n"


async def test_header_fields_not_leaves_those_fields_out(selected: ImapTestClient) -> None:
    fetched = await fetch_one(
        selected, "BODY.PEEK[HEADER.FIELDS.NOT (FROM DATE MESSAGE-ID MIME-VERSION CONTENT-TYPE)]"
    )
    assert next(iter(fetched.values())) == b"To: bob@example.test\r\nSubject: Report\r\n\r\n"


async def test_partial_fetch_returns_the_range_with_its_origin(selected: ImapTestClient) -> None:
    fetched = await fetch_one(selected, "BODY.PEEK[]<6.8>")
    assert fetched["BODY[]<6>"] == MULTIPART[6:14]


async def test_partial_beyond_the_end_is_empty(selected: ImapTestClient) -> None:
    fetched = await fetch_one(selected, "BODY.PEEK[1.1]<100.5>")
    assert fetched["BODY[1.1]<100>"] == b""


async def test_missing_part_is_empty(selected: ImapTestClient) -> None:
    assert (await fetch_one(selected, "BODY.PEEK[9]"))["BODY[9]"] == b""


async def test_binary_undoes_the_transfer_encoding(selected: ImapTestClient) -> None:
    fetched = await fetch_one(selected, "(BINARY.PEEK[2] BINARY.SIZE[2])")
    assert (fetched["BINARY[2]"], fetched["BINARY.SIZE[2]"]) == (b"Hello PDF", "9")


async def test_rfc822_items_split_header_and_text(selected: ImapTestClient) -> None:
    fetched = await fetch_one(selected, "(RFC822.HEADER RFC822.SIZE)")
    header = fetched["RFC822.HEADER"]
    assert isinstance(header, bytes) and header.endswith(b'boundary="outer"\r\n\r\n')
    assert fetched["RFC822.SIZE"] == str(len(MULTIPART))


async def test_body_peek_does_not_set_seen(selected: ImapTestClient) -> None:
    await fetch_one(selected, "BODY.PEEK[]")
    assert (await fetch_one(selected, "FLAGS"))["FLAGS"] == ["\\Recent"]


async def test_body_fetch_sets_seen_and_reports_flags(selected: ImapTestClient) -> None:
    fetched = await fetch_one(selected, "BODY[TEXT]")
    assert fetched["FLAGS"] == ["\\Recent", "\\Seen"]


async def test_body_fetch_in_examined_mailbox_does_not_set_seen(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message())
    await actor.expect("OK", "EXAMINE INBOX")
    await fetch_one(actor, "BODY[]")
    assert (await fetch_one(actor, "FLAGS"))["FLAGS"] == ["\\Recent"]


async def test_uid_fetch_always_includes_the_uid(selected: ImapTestClient) -> None:
    result = await selected.expect("OK", "UID FETCH 1:* FLAGS")
    assert result.fetch()[1]["UID"] == "1"


async def test_fetch_beyond_exists_answers_bad(selected: ImapTestClient) -> None:
    await selected.expect("BAD", "FETCH 2 FLAGS")


async def test_uid_fetch_of_missing_uid_answers_ok_and_nothing(selected: ImapTestClient) -> None:
    result = await selected.expect("OK", "UID FETCH 99 FLAGS")
    assert result.untagged == []


async def test_fetch_macro_all_gives_flags_date_size_envelope(selected: ImapTestClient) -> None:
    fetched = await fetch_one(selected, "ALL")
    assert set(fetched) == {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"}


async def test_internaldate_has_the_imap_date_time_form(selected: ImapTestClient) -> None:
    assert (await fetch_one(selected, "INTERNALDATE"))["INTERNALDATE"] == b" 1-Jan-2026 09:00:00 +0000"


async def test_modseq_fetch_reports_the_message_modseq(imap: ImapEnv, selected: ImapTestClient) -> None:
    (summary,) = await imap.store.list_messages(imap.mailbox_id, "INBOX")
    assert (await fetch_one(selected, "MODSEQ"))["MODSEQ"] == [str(summary.modseq)]


async def test_changedsince_returns_only_later_changes(imap: ImapEnv, selected: ImapTestClient) -> None:
    second = await imap.deliver(make_message())
    (first, _) = await imap.store.list_messages(imap.mailbox_id, "INBOX")
    await selected.expect("OK", "NOOP")
    result = await selected.expect("OK", f"UID FETCH 1:* FLAGS (CHANGEDSINCE {first.modseq})")
    assert [item["UID"] for item in result.fetch().values()] == [str(second)]


async def test_chinese_body_is_returned_byte_for_byte(imap: ImapEnv, actor: ImapTestClient) -> None:
    message = make_message("周报", "本周完成了迁移。\r\n")
    await imap.deliver(message)
    await actor.select()
    assert (await fetch_one(actor, "BODY.PEEK[]"))["BODY[]"] == message


async def test_uid_fetch_vanished_reports_expunged_uids_since_modseq(
    imap: ImapEnv, actor: ImapTestClient
) -> None:
    first = await imap.deliver(make_message("a"))
    await imap.deliver(make_message("b"))
    folder = await imap.store.get_folder(imap.mailbox_id, "INBOX")
    await imap.store.expunge(imap.mailbox_id, "INBOX", [first], only_deleted=False)
    await actor.expect("OK", "ENABLE QRESYNC")
    await actor.select()
    result = await actor.expect("OK", f"UID FETCH 1:* FLAGS (CHANGEDSINCE {folder.highestmodseq} VANISHED)")
    assert result.data("VANISHED") == [[["EARLIER"], str(first)]]


async def test_vanished_modifier_without_qresync_answers_bad(selected: ImapTestClient) -> None:
    await selected.expect("BAD", "UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)")


# --- BINARY sizes and empty parts (RFC 3516 §4.1-4.2) ---------------------------------------------

ENCODED = (
    b"From: a@example.org\r\n"
    b"Subject: encoded\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b"\r\n'
    b"\r\n"
    b"--b\r\n"
    b"Content-Type: text/plain\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"caf=C3=A9=09tab  \r\n"
    b"soft=\r\n"
    b" break=3D\r\n"
    b"--b\r\n"
    b"Content-Type: application/octet-stream\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"AAECAwQF\r\n"
    b"BgcICQ==\r\n"
    b"--b\r\n"
    b"Content-Type: text/plain\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"\r\n"
    b"--b--\r\n"
)


@pytest.fixture
async def encoded(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    await imap.deliver(ENCODED)
    await actor.select()
    return actor


async def test_binary_of_quoted_printable_drops_encoding_and_trailing_space(encoded: ImapTestClient) -> None:
    """RFC 2045 §6.7: whitespace ending an encoded line is not content; ``=`` CRLF joins lines."""
    fetched = await fetch_one(encoded, "BINARY.PEEK[1]")
    assert fetched["BINARY[1]"] == "café\ttab\r\nsoft break=".encode()  # the last CRLF is the boundary's


@pytest.mark.parametrize("part", ["1", "2", "3"])
async def test_binary_size_is_the_decoded_size(encoded: ImapTestClient, part: str) -> None:
    fetched = await fetch_one(encoded, f"(BINARY.SIZE[{part}] BINARY.PEEK[{part}])")
    content = fetched[f"BINARY[{part}]"]
    assert isinstance(content, bytes | str)
    assert fetched[f"BINARY.SIZE[{part}]"] == str(len(content))


async def test_binary_of_base64_is_sent_as_literal8_when_it_holds_nul(encoded: ImapTestClient) -> None:
    result = await encoded.expect("OK", "FETCH 1 BINARY.PEEK[2]")
    assert b"BINARY[2] ~{10}" in result.untagged[0]


async def test_binary_of_an_empty_part_is_an_empty_literal(encoded: ImapTestClient) -> None:
    result = await encoded.expect("OK", "FETCH 1 (BINARY.PEEK[3] BINARY.SIZE[3])")
    assert result.untagged[0].startswith(b"* 1 FETCH (BINARY[3] {0}\r\n BINARY.SIZE[3] 0)")


async def test_binary_with_a_section_text_answers_like_body(encoded: ImapTestClient) -> None:
    """Dovecot's extension of RFC 3516: ``BINARY[1.MIME]``, ``BINARY[TEXT]``... carry no encoding."""
    fetched = await fetch_one(encoded, "(BINARY.PEEK[1.MIME] BINARY.SIZE[1.MIME] BODY.PEEK[1.MIME])")
    assert fetched["BINARY[1.MIME]"] == fetched["BODY[1.MIME]"]
    assert fetched["BINARY.SIZE[1.MIME]"] == str(len(fetched["BODY[1.MIME]"]))  # type: ignore[arg-type]
