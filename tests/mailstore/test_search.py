"""Search in one folder: flags, dates, sizes, header fields, body text (also Chinese), boolean keys."""

from __future__ import annotations

import datetime as dt

import pytest

from support.mailstore import make_message
from yunmail.errors import InvalidInput
from yunmail.mailstore import (
    DELETED,
    SEEN,
    AllMessages,
    And,
    BodyContains,
    HasFlag,
    HeaderContains,
    MailStore,
    ModSeqAtLeast,
    Not,
    Or,
    Received,
    Sent,
    Size,
    TextContains,
    UidIn,
)

DAY = dt.timedelta(days=1)
T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
async def sample(store: MailStore, mailbox: int) -> int:
    """Four messages with distinct subjects, senders, bodies, flags and dates."""
    await store.ingest(
        mailbox,
        make_message("Invoice March", body="Total 100 EUR\r\n", sender="billing@vendor.example"),
        internal_date=T0,
        flags=[SEEN],
    )
    await store.ingest(
        mailbox,
        make_message(
            "会议通知",
            body="明天下午三点开会，请准时参加。\r\n",
            sender="王经理 <wang@example.cn>",
            cc="li@example.cn",
        ),
        internal_date=T0 + DAY,
        flags=["$Work"],
    )
    await store.ingest(
        mailbox,
        make_message("Lunch?", body="Pizza 50% off_today\r\n", date="Sun, 01 Feb 2026 10:00:00 +0000"),
        internal_date=T0 + 2 * DAY,
        flags=[DELETED],
    )
    await store.ingest(mailbox, make_message("Big", body="x" * 5000), internal_date=T0 + 3 * DAY)
    return mailbox


async def test_all_matches_every_message(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", AllMessages()) == [1, 2, 3, 4]


async def test_flag_search_finds_system_flags_and_keywords(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", HasFlag("\\seen")) == [1]
    assert await store.search(sample, "INBOX", HasFlag("$work")) == [2]
    assert await store.search(sample, "INBOX", Not(HasFlag(SEEN))) == [2, 3, 4]


async def test_recent_flag_never_matches(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", HasFlag("\\Recent")) == []


async def test_body_search_finds_chinese_substring(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", BodyContains("下午三点")) == [2]


async def test_body_search_is_case_insensitive(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", BodyContains("total 100 eur")) == [1]


async def test_like_wildcards_in_needle_match_literally(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", BodyContains("50% off_")) == [3]
    assert await store.search(sample, "INBOX", BodyContains("5_%")) == []


async def test_header_search_by_field(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", HeaderContains("subject", "invoice")) == [1]
    assert await store.search(sample, "INBOX", HeaderContains("from", "wang@")) == [2]
    assert await store.search(sample, "INBOX", HeaderContains("cc", "li@example")) == [2]


async def test_unknown_header_field_is_refused(store: MailStore, sample: int) -> None:
    with pytest.raises(InvalidInput):
        await store.search(sample, "INBOX", HeaderContains("x-mailer", "foo"))


async def test_text_search_covers_headers_and_body(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", TextContains("会议")) == [2]
    assert await store.search(sample, "INBOX", TextContains("pizza")) == [3]


async def test_internal_date_range(store: MailStore, sample: int) -> None:
    key = Received(since=T0 + DAY, before=T0 + 3 * DAY)
    assert await store.search(sample, "INBOX", key) == [2, 3]


async def test_sent_date_range(store: MailStore, sample: int) -> None:
    key = Sent(before=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert await store.search(sample, "INBOX", key) == [1, 2, 4]


async def test_size_bounds(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", Size(larger_than=4000)) == [4]
    assert await store.search(sample, "INBOX", Size(smaller_than=4000)) == [1, 2, 3]


async def test_uid_and_boolean_combinations(store: MailStore, sample: int) -> None:
    assert await store.search(sample, "INBOX", And((UidIn(range(1, 4)), Not(HasFlag(DELETED))))) == [1, 2]
    assert await store.search(sample, "INBOX", Or((HasFlag(SEEN), HasFlag(DELETED)))) == [1, 3]


async def test_modseq_search_finds_recently_changed(store: MailStore, sample: int) -> None:
    update = await store.set_flags(sample, "INBOX", [4], ["$Late"])
    assert await store.search(sample, "INBOX", ModSeqAtLeast(update.modseq)) == [4]
