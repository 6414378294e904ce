"""SEARCH criteria whose meaning needs care: sent dates in the sender's zone, any header field,
address fields with names and groups, and the decoded text of every text part (RFC 3501 §6.4.4)."""

from __future__ import annotations

import base64

import pytest

from support.imap import ImapEnv, ImapTestClient, Lit
from support.mailstore import make_message


async def search(client: ImapTestClient, criteria: str) -> list[int]:
    return (await client.expect("OK", f"SEARCH {criteria}")).search()


@pytest.fixture
async def dated(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    # 07:10 +0800 on the 25th is still the 24th in UTC; 20:00 -0700 on the 24th is the 25th in UTC.
    await imap.deliver(make_message("east", date="Sun, 25 Mar 2007 07:10:00 +0800"))
    await imap.deliver(make_message("west", date="Sat, 24 Mar 2007 20:00:00 -0700"))
    await imap.deliver(make_message("none", date="not a date"))
    await actor.select()
    return actor


async def test_senton_uses_the_calendar_date_in_the_senders_zone(dated: ImapTestClient) -> None:
    """RFC 3501 §6.4.4 SENTON: the Date: header's date, disregarding time and timezone."""
    assert await search(dated, "SENTON 25-Mar-2007") == [1]
    assert await search(dated, "SENTON 24-Mar-2007") == [2]


async def test_sentsince_and_sentbefore_split_at_the_local_day(dated: ImapTestClient) -> None:
    """RFC 3501 §6.4.4 SENTSINCE/SENTBEFORE compare local calendar dates too."""
    assert await search(dated, "SENTSINCE 25-Mar-2007") == [1]
    assert await search(dated, "SENTBEFORE 25-Mar-2007 NOT SENTBEFORE 1-Jan-2000") == [2]


async def test_message_without_a_usable_date_counts_as_the_epoch(dated: ImapTestClient) -> None:
    """As Dovecot: an unparsable Date: is 1-Jan-1970, so SENTBEFORE finds it and SENTSINCE does not."""
    assert await search(dated, "SENTBEFORE 1-Jan-2000") == [3]


@pytest.fixture
async def addressed(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    await imap.deliver(make_message("one", sender="RealFrom <user-from@domain.org>", to="plain@domain.org"))
    await imap.deliver(
        make_message(
            "two",
            sender="<user-from (comment)@ (comment) domain.org>",
            to="crew: a@domain.org, b@domain.org;, other: c@domain.org;",
            message_id="<id-2@host.example>",
            extra=b"Bcc: Boss <boss@domain.org>\r\nX-Ticket: case  4711\r\n",
        )
    )
    await actor.select()
    return actor


async def test_from_matches_display_name_and_address(addressed: ImapTestClient) -> None:
    """RFC 3501 §6.4.4 FROM: a substring of the field, display names included."""
    assert await search(addressed, "FROM realfrom") == [1]
    assert await search(addressed, "FROM user-from@domain.org") == [1, 2]


async def test_to_matches_group_names(addressed: ImapTestClient) -> None:
    """RFC 5322 §3.4 groups: the group's display name is part of the field."""
    assert await search(addressed, "TO crew") == [2]
    assert await search(addressed, "TO other") == [2]


async def test_bcc_matches_name_and_address(addressed: ImapTestClient) -> None:
    assert await search(addressed, "BCC boss") == [2]


async def test_header_message_id_matches_with_angle_brackets(addressed: ImapTestClient) -> None:
    """RFC 3501 §6.4.4 HEADER: the whole field value, brackets included."""
    assert await search(addressed, 'HEADER Message-ID "<id-2@host.example>"') == [2]


async def test_header_with_any_field_and_value(addressed: ImapTestClient) -> None:
    assert await search(addressed, 'HEADER X-Ticket "case 4711"') == [2]


async def test_header_with_empty_value_means_the_field_is_present(addressed: ImapTestClient) -> None:
    assert await search(addressed, 'HEADER bcc ""') == [2]
    assert await search(addressed, 'NOT HEADER x-ticket ""') == [1]


async def test_text_matches_any_header_field(addressed: ImapTestClient) -> None:
    """RFC 3501 §6.4.4 TEXT: header or body."""
    assert await search(addressed, "TEXT 4711") == [2]


def _mime(subject: str, content: str) -> bytes:
    head = f"From: a@example.org\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
    return head.encode() + content.replace("\n", "\r\n").encode("latin-1")


@pytest.fixture
async def encoded(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    b64 = base64.b64encode("销售额增长".encode()).decode()
    await imap.deliver(
        _mime("b64", "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + b64)
    )
    big5 = base64.b64encode("繁體中文".encode("big5")).decode()
    await imap.deliver(
        _mime("big5", "Content-Type: text/plain; charset=big5\nContent-Transfer-Encoding: base64\n\n" + big5)
    )
    await imap.deliver(
        _mime(
            "alt",
            "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nplain\n"
            "--b\nContent-Type: text/html; charset=iso-8859-1\n"
            "Content-Transfer-Encoding: quoted-printable\n\n"
            "<p>soci=E9t=E9 <b>xylophone</b></p>\n--b--\n",
        )
    )
    await imap.deliver(
        _mime(
            "attached",
            "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nsee\n--m\n"
            "Content-Type: text/plain; name=a.txt\nContent-Disposition: attachment\n\nquokka\n--m--\n",
        )
    )
    await actor.select()
    return actor


async def test_body_matches_decoded_base64_utf8(encoded: ImapTestClient) -> None:
    result = await encoded.expect("OK", "SEARCH CHARSET UTF-8 BODY ", Lit("销售额".encode()))
    assert result.search() == [1]


async def test_body_matches_big5_text(encoded: ImapTestClient) -> None:
    result = await encoded.expect("OK", "SEARCH CHARSET UTF-8 BODY ", Lit("繁體".encode()))
    assert result.search() == [2]


async def test_body_matches_the_html_alternative_too(encoded: ImapTestClient) -> None:
    """As Dovecot: every text part is searched, not only the one a reader would show."""
    assert await search(encoded, "BODY XYLOPHONE") == [3]


async def test_body_matches_quoted_printable_latin1(encoded: ImapTestClient) -> None:
    result = await encoded.expect("OK", "SEARCH CHARSET UTF-8 BODY ", Lit("société".encode()))
    assert result.search() == [3]


async def test_body_matches_text_attachments(encoded: ImapTestClient) -> None:
    assert await search(encoded, "BODY quokka") == [4]


async def test_internal_date_keys_use_the_server_day(imap: ImapEnv, actor: ImapTestClient) -> None:
    """RFC 3501 §6.4.4 BEFORE/ON/SINCE compare the internal date's day, disregarding time; like
    Dovecot the day is the server's (UTC here), not the zone the APPEND named."""
    await actor.expect("OK", 'APPEND INBOX "25-Mar-2007 00:30:00 +0200" ', Lit(make_message("late")))
    await actor.expect("OK", 'APPEND INBOX "25-Mar-2007 02:30:00 +0200" ', Lit(make_message("early")))
    await actor.select()
    assert await search(actor, "ON 24-Mar-2007") == [1]
    assert await search(actor, "SINCE 25-Mar-2007") == [2]


async def test_text_matches_part_headers_but_body_does_not(imap: ImapEnv, actor: ImapTestClient) -> None:
    """As Dovecot: TEXT covers the header of every MIME part and embedded message, BODY only text."""
    await imap.deliver(
        _mime(
            "parts",
            "Content-Type: multipart/mixed; boundary=p\n\n--p\nContent-Type: text/plain\n"
            "Content-Description: platypus notes\n\nfirst\n--p\nContent-Type: message/rfc822\n\n"
            "Subject: echidna inside\n\ninner dingo\n--p--\n",
        )
    )
    await actor.select()
    assert await search(actor, "TEXT platypus") == [1]
    assert await search(actor, "TEXT echidna") == [1]
    assert await search(actor, "BODY platypus") == []
    assert await search(actor, "BODY dingo") == [1]


async def test_subject_and_from_ignore_case_beyond_ascii(imap: ImapEnv, actor: ImapTestClient) -> None:
    """RFC 3501 §6.4.4: text keys are case-insensitive; that includes letters like É and Ж."""
    await imap.deliver(make_message("Société Générale", sender="Жанна <zh@example.org>"))
    await imap.deliver(make_message("societe generale"))
    await actor.select()
    result = await actor.expect("OK", "SEARCH CHARSET UTF-8 SUBJECT ", Lit("SOCIÉTÉ".encode()))
    assert result.search() == [1]
    result = await actor.expect("OK", "SEARCH CHARSET UTF-8 FROM ", Lit("жанна".encode()))
    assert result.search() == [1]
