"""SEARCH / UID SEARCH: keys, CHARSET UTF-8 with Chinese text, ESEARCH, SEARCHRES, MODSEQ."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message


@pytest.fixture
async def mailbox(imap: ImapEnv, actor: ImapTestClient) -> ImapTestClient:
    await imap.deliver(
        make_message("季度报告", "本季度销售额增长。\r\n", sender="wang@example.cn"), flags=("\\Seen",)
    )
    await imap.deliver(
        make_message("Lunch", "Pizza at noon\r\n", cc="carol@example.org", extra=b"X-Priority: 1\r\n"),
        flags=("\\Flagged",),
    )
    await imap.deliver(
        make_message(
            "Invoice", "Amount due\r\n" + "x" * 5000 + "\r\n", date="Mon, 02 Feb 2026 08:00:00 +0000"
        )
    )
    await actor.select()
    return actor


async def search(client: ImapTestClient, criteria: str) -> list[int]:
    return (await client.expect("OK", f"SEARCH {criteria}")).search()


async def test_search_all(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, "ALL") == [1, 2, 3]


async def test_search_flags(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, "UNSEEN") == [2, 3]


async def test_search_chinese_subject_with_utf8_charset(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, 'CHARSET UTF-8 SUBJECT "报告"') == [1]


async def test_search_chinese_body_text_in_a_literal(mailbox: ImapTestClient) -> None:
    from support.imap import Lit

    result = await mailbox.expect("OK", "SEARCH CHARSET UTF-8 BODY ", Lit("销售额".encode()))
    assert result.search() == [1]


async def test_search_text_matches_headers_and_body(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, "TEXT pizza") == [2]


async def test_search_unknown_charset_answers_badcharset(mailbox: ImapTestClient) -> None:
    await mailbox.expect("NO", "SEARCH CHARSET KOI9 TEXT x", code="BADCHARSET")


async def test_search_gb2312_charset_is_decoded(mailbox: ImapTestClient) -> None:
    from support.imap import Lit

    result = await mailbox.expect("OK", "SEARCH CHARSET GB2312 SUBJECT ", Lit("报告".encode("gb2312")))
    assert result.search() == [1]


async def test_search_from_and_cc(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, "OR FROM wang CC carol") == [1, 2]


async def test_search_arbitrary_header(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, "HEADER X-Priority 1") == [2]


async def test_search_header_with_empty_value_matches_presence(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, 'NOT HEADER X-Priority ""') == [1, 3]


async def test_search_size(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, "LARGER 4000") == [3]


async def test_search_sent_date(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, "SENTSINCE 1-Feb-2026") == [3]


async def test_search_sequence_and_uid_sets(mailbox: ImapTestClient) -> None:
    assert await search(mailbox, "2:* UID 1:2") == [2]


async def test_uid_search_returns_uids(imap: ImapEnv, mailbox: ImapTestClient) -> None:
    await mailbox.expect("OK", "STORE 1 +FLAGS (\\Deleted)")
    await mailbox.expect("OK", "EXPUNGE")
    result = await mailbox.expect("OK", "UID SEARCH ALL")
    assert result.search() == [2, 3]


async def test_esearch_returns_min_max_count_all(mailbox: ImapTestClient) -> None:
    """RFC 4731 §3.1 (items in Dovecot's order: MIN MAX ALL COUNT)."""
    result = await mailbox.expect("OK", "SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN")
    tag = result.data("ESEARCH")[0]
    assert tag[1:] == ["MIN", "2", "MAX", "3", "ALL", "2:3", "COUNT", "2"]


async def test_esearch_without_options_means_all(mailbox: ImapTestClient) -> None:
    result = await mailbox.expect("OK", "UID SEARCH RETURN () FLAGGED")
    assert result.data("ESEARCH")[0][1:] == ["UID", "ALL", "2"]


async def test_searchres_saves_the_result_for_later_commands(mailbox: ImapTestClient) -> None:
    result = await mailbox.expect("OK", "SEARCH RETURN (SAVE) UNSEEN")
    assert result.untagged == []
    fetched = await mailbox.expect("OK", "FETCH $ UID")
    assert sorted(fetched.fetch()) == [2, 3]


async def test_search_modseq_reports_the_highest_modseq(imap: ImapEnv, mailbox: ImapTestClient) -> None:
    summaries = await imap.store.list_messages(imap.mailbox_id, "INBOX")
    result = await mailbox.expect("OK", f"SEARCH MODSEQ {summaries[1].modseq}")
    assert result.data("SEARCH")[0] == ["2", "3", ["MODSEQ", str(summaries[2].modseq)]]


async def test_imap4rev2_search_answers_esearch(mailbox: ImapTestClient) -> None:
    await mailbox.expect("OK", "ENABLE IMAP4rev2")
    result = await mailbox.expect("OK", "SEARCH FLAGGED")
    assert result.data("ESEARCH")[0][1:] == ["ALL", "2"]


async def test_search_syntax_error_answers_bad(mailbox: ImapTestClient) -> None:
    await mailbox.expect("BAD", "SEARCH FROBNICATE")
