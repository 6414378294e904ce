"""ENVELOPE (RFC 3501 §7.4.2) and the decoded header conveniences used by search and webmail."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from yunmail.mime import Address, EnvelopeAddress, parse_message

from .samples import FORWARDED, SIMPLE, crlf


def test_envelope_of_simple_message() -> None:
    env = parse_message(SIMPLE).envelope
    assert env.date == "Mon, 3 Jun 2024 09:30:00 +0800"
    assert env.subject == "Weekly report"
    assert env.from_ == (EnvelopeAddress("Zhang San", None, "zhang", "example.cn"),)
    assert env.to == (EnvelopeAddress(None, None, "li", "example.cn"),)
    assert env.cc is None and env.bcc is None
    assert env.in_reply_to is None
    assert env.message_id == "<r1@example.cn>"


def test_sender_and_reply_to_default_to_from() -> None:
    env = parse_message(crlf("From: a@example.com\nSender:\nSubject: x\n\nbody\n")).envelope
    assert env.sender == env.from_
    assert env.reply_to == env.from_


def test_envelope_keeps_encoded_words_and_unfolds() -> None:
    raw = crlf("Subject: =?UTF-8?B?5L2g5aW9?=\n  folded\nFrom: =?UTF-8?B?5byg5LiJ?= <z@example.cn>\n\nx\n")
    env = parse_message(raw).envelope
    assert env.subject == "=?UTF-8?B?5L2g5aW9?=  folded"
    assert env.from_ == (EnvelopeAddress("=?UTF-8?B?5byg5LiJ?=", None, "z", "example.cn"),)


def test_envelope_group_syntax_markers() -> None:
    env = parse_message(
        crlf("To: Team: a@x.org, b@x.org;, c@y.org\nCc: Undisclosed recipients:;\n\nx\n")
    ).envelope
    assert env.to == (
        EnvelopeAddress(None, None, "Team", None),
        EnvelopeAddress(None, None, "a", "x.org"),
        EnvelopeAddress(None, None, "b", "x.org"),
        EnvelopeAddress(None, None, None, None),
        EnvelopeAddress(None, None, "c", "y.org"),
    )
    assert env.cc == (
        EnvelopeAddress(None, None, "Undisclosed recipients", None),
        EnvelopeAddress(None, None, None, None),
    )


def test_envelope_route_and_missing_domain() -> None:
    env = parse_message(crlf("To: <@relay.example:user@host.example>, localonly\n\nx\n")).envelope
    assert env.to == (
        EnvelopeAddress(None, "@relay.example", "user", "host.example"),
        EnvelopeAddress(None, None, "localonly", "MISSING_DOMAIN"),
    )


def test_envelope_uses_last_occurrence_like_dovecot() -> None:
    env = parse_message(crlf("Subject: first\nSubject: second\n\nx\n")).envelope
    assert env.subject == "second"


def test_envelope_of_embedded_message() -> None:
    forwarded = parse_message(FORWARDED).root.children[1]
    env = forwarded.envelope
    assert env is not None
    assert env.from_ == (EnvelopeAddress("Original Sender", None, "orig", "example.org"),)
    assert env.in_reply_to == "<parent@example.org>"
    assert env.date == "Tue, 4 Jun 2024 10:00:00 +0000"


def test_envelope_raw_8bit_bytes_survive() -> None:
    raw = b"Subject: " + "报告".encode("gbk") + b"\r\n\r\nx"
    subject = parse_message(raw).envelope.subject
    assert subject is not None
    assert subject.encode("utf-8", "surrogateescape") == "报告".encode("gbk")


def test_decoded_fields_of_simple_message() -> None:
    parsed = parse_message(SIMPLE)
    assert parsed.subject == "Weekly report"
    assert parsed.from_ == (Address("Zhang San", "zhang", "example.cn"),)
    assert parsed.from_display == "Zhang San <zhang@example.cn>"
    assert parsed.to_display == "li@example.cn"
    assert parsed.message_id == "r1@example.cn"
    assert parsed.date == datetime(2024, 6, 3, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert parsed.preview == "Hello Li, the report is attached."


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("=?UTF-8?B?" + base64.b64encode("项目进度报告".encode()).decode() + "?=", "项目进度报告"),
        ("=?GB2312?B?" + base64.b64encode("项目进度报告".encode("gb2312")).decode() + "?=", "项目进度报告"),
        ("=?gbk?Q?=CF=EE=C4=BF?=", "项目"),
        ("=?GB18030?B?" + base64.b64encode("𠀀汉字".encode("gb18030")).decode() + "?=", "𠀀汉字"),
        # a character split across two encoded words (common with GB2312 mailers)
        (
            "=?utf-8?B?"
            + base64.b64encode("中文".encode()[:4]).decode()
            + "?= =?utf-8?B?"
            + base64.b64encode("中文".encode()[4:]).decode()
            + "?=",
            "中文",
        ),
        ("Re: =?utf-8?Q?caf=C3=A9?= menu", "Re: café menu"),
        ("=?utf-8?q?a?=   =?utf-8?q?b?=", "ab"),  # RFC 2047 §6.2: space between words dropped
        ("=?x-unknown?B?" + base64.b64encode("你好".encode()).decode() + "?=", "你好"),
        ("=?utf-8?B?not base64 at all?=", "=?utf-8?B?not base64 at all?="),
    ],
)
def test_subject_decoding(header: str, expected: str) -> None:
    assert parse_message(crlf(f"Subject: {header}\n\nx\n")).subject == expected


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_raw_8bit_subject_is_decoded_best_effort(encoding: str) -> None:
    raw = b"Subject: " + "会议纪要：第三季度".encode(encoding) + b"\r\n\r\nx"
    assert parse_message(raw).subject == "会议纪要：第三季度"


def test_folded_subject_is_one_line() -> None:
    assert parse_message(crlf("Subject: a long\n\tsubject\n\nx\n")).subject == "a long subject"


def test_chinese_display_names() -> None:
    name = base64.b64encode("张三".encode("gb2312")).decode()
    parsed = parse_message(
        crlf(f'From: "=?gb2312?B?{name}?=" <zhang@example.cn>\nTo: 李四 <li@example.cn>\n\nx\n')
    )
    assert parsed.from_ == (Address("张三", "zhang", "example.cn"),)
    assert parsed.to == (Address("李四", "li", "example.cn"),)


def test_group_members_are_flattened_in_decoded_lists() -> None:
    parsed = parse_message(crlf("To: Team: a@x.org, b@x.org;\nBcc: hidden@x.org\n\nx\n"))
    assert [a.addr_spec for a in parsed.to] == ["a@x.org", "b@x.org"]
    assert parsed.bcc_display == "hidden@x.org"


def test_references_and_in_reply_to() -> None:
    raw = crlf("In-Reply-To: <b@x>\nReferences: <a@x>\n <b@x> <a@x>\nMessage-ID: no-brackets@x\n\nx\n")
    parsed = parse_message(raw)
    assert parsed.in_reply_to == "b@x"
    assert parsed.references == ("a@x", "b@x")
    assert parsed.message_id == "no-brackets@x"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)", datetime(2003, 7, 1, 8, 52, 37, tzinfo=UTC)),
        ("1 Jul 2003 10:52:37 -0000", datetime(2003, 7, 1, 10, 52, 37, tzinfo=UTC)),
        ("not a date", None),
        ("Mon, 32 Feb 2020 10:00:00 +0000", None),
    ],
)
def test_date_parsing(header: str, expected: datetime | None) -> None:
    parsed = parse_message(crlf(f"Date: {header}\n\nx\n")).date
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None
