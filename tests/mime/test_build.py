"""Builders for system mail: header safety, encodings, structure; output parses back exactly."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

import pytest

from yunmail.errors import InvalidInput
from yunmail.mime import (
    Address,
    OutgoingAttachment,
    build_message,
    build_report,
    encode_header,
    format_address_header,
    make_message_id,
    parse_message,
)

WHEN = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def assert_clean_wire_format(raw: bytes) -> None:
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CR LF only (RFC 5322 §2.1)
    assert b"\r" not in raw.replace(b"\r\n", b"")
    header = raw[: raw.index(b"\r\n\r\n")]
    assert header.isascii()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_plain_text_message_round_trips() -> None:
    raw = build_message(
        from_=Address("Yunmail 通知", "noreply", "例子.中国"),
        to=["张三 <zhang@example.cn>", "li@example.cn"],
        subject="您的邮箱已开通",
        text="你好，张三：\n\n您的邮箱已经可以使用。\n",
        message_id="<fixed@example.cn>",
        date=WHEN,
    )
    assert_clean_wire_format(raw)
    parsed = parse_message(raw)
    assert parsed.subject == "您的邮箱已开通"
    assert parsed.from_ == (Address("Yunmail 通知", "noreply", "xn--fsqu00a.xn--fiqs8s"),)
    assert [a.addr_spec for a in parsed.to] == ["zhang@example.cn", "li@example.cn"]
    assert parsed.to[0].name == "张三"
    assert parsed.message_id == "fixed@example.cn"
    assert parsed.date == WHEN
    assert parsed.search_text == "你好，张三：\r\n\r\n您的邮箱已经可以使用。\r\n"
    assert parsed.root.mime_type == "text/plain"
    assert parsed.root.charset == "utf-8"


def test_ascii_text_uses_7bit() -> None:
    parsed = parse_message(
        build_message(from_="a@example.com", to=["b@example.com"], subject="hi", text="hello\n")
    )
    assert parsed.root.encoding == "7bit"
    assert parsed.search_text == "hello\r\n"


def test_text_and_html_make_an_alternative() -> None:
    raw = build_message(
        from_="a@example.com",
        to=["b@example.com"],
        subject="s",
        text="plain 文本",
        html="<p>html 文本</p>",
        date=WHEN,
    )
    parsed = parse_message(raw)
    assert parsed.root.mime_type == "multipart/alternative"
    assert [c.mime_type for c in parsed.root.children] == ["text/plain", "text/html"]
    assert parsed.preview == "plain 文本"


def test_attachments_make_a_mixed_message_with_decodable_names() -> None:
    data = bytes(range(256)) * 10
    raw = build_message(
        from_="a@example.com",
        to=["b@example.com"],
        subject="files",
        text="see attached",
        attachments=[
            OutgoingAttachment(
                "第三季度报告（最终版）非常长的文件名称用于测试续行.xlsx", "application/vnd.ms-excel", data
            ),
            OutgoingAttachment("logo.png", "image/png", b"\x89PNG", content_id="logo@x", inline=True),
        ],
    )
    assert_clean_wire_format(raw)
    parsed = parse_message(raw)
    assert parsed.root.mime_type == "multipart/mixed"
    names = [(a.filename, a.inline) for a in parsed.attachments]
    assert names == [("第三季度报告（最终版）非常长的文件名称用于测试续行.xlsx", False), ("logo.png", True)]
    sheet = parsed.root.children[1]
    assert base64.b64decode(raw[sheet.header_end : sheet.body_end]) == data
    assert parsed.root.children[2].content_id == "<logo@x>"


def test_long_subject_is_folded_and_decodes_back() -> None:
    subject = "很长的主题" * 30
    raw = build_message(from_="a@example.com", to=["b@example.com"], subject=subject, text="x")
    header = raw[: raw.index(b"\r\n\r\n")]
    assert all(len(line) <= 78 for line in header.split(b"\r\n"))
    assert parse_message(raw).subject == subject


def test_long_ascii_subject_folds_at_spaces() -> None:
    subject = " ".join(["word"] * 60)
    folded = encode_header("Subject", subject)
    assert all(len(line) <= 78 for line in folded.split(b"\r\n"))
    assert parse_message(folded + b"\r\nx").subject == subject


@pytest.mark.parametrize(
    "subject",
    ["hi\r\nBcc: victim@example.com", "hi\nX: y", "hi\rX", "nul\x00byte"],
)
def test_header_injection_is_refused(subject: str) -> None:
    with pytest.raises(InvalidInput):
        build_message(from_="a@example.com", to=["b@example.com"], subject=subject, text="x")


@pytest.mark.parametrize(
    "headers",
    [
        [("Bad Name", "x")],
        [("Bad:Name", "x")],
        [("X-Ok", "line\r\nbreak")],
        [("Content-Type", "text/html")],
        [("MIME-Version", "2.0")],
        [("From", "other@example.com")],
    ],
)
def test_custom_headers_are_validated(headers: list[tuple[str, str]]) -> None:
    with pytest.raises(InvalidInput):
        build_message(from_="a@example.com", to=["b@example.com"], subject="s", text="x", headers=headers)


def test_custom_headers_are_added() -> None:
    raw = build_message(
        from_="a@example.com",
        to=["b@example.com"],
        subject="s",
        text="x",
        headers=[("X-Yunmail-Trace", "t-1")],
    )
    assert b"\r\nX-Yunmail-Trace: t-1\r\n" in raw


def test_display_name_with_specials_is_quoted() -> None:
    line = format_address_header("To", [Address('Zhang, "San"', "z", "example.cn")])
    assert line == b'To: "Zhang, \\"San\\"" <z@example.cn>\r\n'
    assert parse_message(line + b"\r\n").to == (Address('Zhang, "San"', "z", "example.cn"),)


def test_addresses_needing_smtputf8_are_refused() -> None:
    with pytest.raises(InvalidInput):
        format_address_header("To", ["张三@example.cn"])


def test_invalid_address_is_refused() -> None:
    with pytest.raises(InvalidInput):
        build_message(from_="not an address", to=["b@example.com"], subject="s", text="x")


def test_attachment_content_type_is_validated() -> None:
    with pytest.raises(InvalidInput):
        build_message(
            from_="a@example.com",
            to=["b@example.com"],
            subject="s",
            attachments=[OutgoingAttachment("a.txt", "text/plain\r\nX: y", b"x")],
        )


def test_make_message_id() -> None:
    assert re.fullmatch(r"<[0-9a-f]{32}@xn--fsqu00a\.xn--fiqs8s>", make_message_id("例子.中国"))


ORIGINAL = (
    b"From: sender@example.com\r\nTo: gone@example.org\r\nSubject: =?utf-8?B?5rWL6K+V?=\r\n"
    b"Message-ID: <o1@example.com>\r\n\r\nbody line\n8-bit \xe4\xb8\xad\r\n"
)


def dsn(**kwargs: object) -> bytes:
    return build_report(
        from_="MAILER-DAEMON@mx.example.cn",
        to=["sender@example.com"],
        subject="Undelivered Mail Returned to Sender",
        text="Your message could not be delivered.",
        per_message=[
            ("Reporting-MTA", "dns; mx.example.cn"),
            ("Arrival-Date", "Sat, 1 Jun 2024 08:00:00 +0000"),
        ],
        per_recipient=[
            [
                ("Final-Recipient", "rfc822; gone@example.org"),
                ("Action", "failed"),
                ("Status", "5.1.1"),
                ("Diagnostic-Code", "smtp; 550 5.1.1 user unknown"),
            ]
        ],
        original=ORIGINAL,
        date=WHEN,
        **kwargs,  # type: ignore[arg-type]
    )


def test_delivery_status_notification_structure() -> None:
    # RFC 6522 multipart/report + RFC 3464 message/delivery-status
    raw = dsn()
    assert_clean_wire_format(raw)
    parsed = parse_message(raw)
    root = parsed.root
    assert root.mime_type == "multipart/report"
    assert ("report-type", "delivery-status") in root.params
    human, status, original = root.children
    assert human.mime_type == "text/plain"
    assert status.mime_type == "message/delivery-status"
    status_body = raw[status.header_end : status.body_end]
    assert b"Reporting-MTA: dns; mx.example.cn\r\n" in status_body
    assert b"\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\n" in status_body
    assert original.mime_type == "text/rfc822-headers"
    assert raw[original.header_end : original.body_end] == ORIGINAL[: ORIGINAL.index(b"\r\n\r\n") + 4]
    assert b"\r\nAuto-Submitted: auto-replied\r\n" in raw


def test_report_can_carry_the_whole_original_byte_for_byte() -> None:
    raw = dsn(original_headers_only=False)
    original = parse_message(raw).root.children[2]
    assert original.mime_type == "message/rfc822"
    assert original.encoding == "8bit"
    assert raw[original.header_end : original.body_end] == ORIGINAL.replace(b"line\n", b"line\r\n")
    assert original.envelope is not None and original.envelope.message_id == "<o1@example.com>"


def test_report_with_utf8_fields_uses_global_delivery_status() -> None:
    raw = build_report(
        from_="MAILER-DAEMON@mx.example.cn",
        to=["sender@example.com"],
        subject="failed",
        text="failed",
        per_message=[("Reporting-MTA", "dns; mx.example.cn")],
        per_recipient=[
            [("Final-Recipient", "utf-8; 张三@例子.中国"), ("Action", "failed"), ("Status", "5.1.1")]
        ],
    )
    status = parse_message(raw).root.children[1]
    assert status.mime_type == "message/global-delivery-status"  # RFC 6533
    assert "张三@例子.中国".encode() in raw[status.header_end : status.body_end]


def test_report_fields_are_validated() -> None:
    with pytest.raises(InvalidInput):
        build_report(
            from_="m@example.cn",
            to=["s@example.com"],
            subject="x",
            text="x",
            per_message=[("Reporting-MTA", "dns; x\r\nInjected: 1")],
            per_recipient=[],
        )
