"""Incoming bounces (fixtures in ``fixtures/dsn``) are parsed per recipient and classified.

The fixtures are written by us in the shape each system produces: Postfix (RFC 3464), Gmail,
Exchange Online, legacy Exchange text NDRs, a Tencent-style Chinese notice, qmail-send, Exim and an
RFC 6533 UTF-8 report.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from yunmail.delivery import BounceCauseId, Dsn, DsnFormat, DsnRecipient, parse_dsn

C = BounceCauseId
FIXTURES = Path(__file__).parent / "fixtures" / "dsn"


def load(name: str) -> Dsn:
    dsn = parse_dsn((FIXTURES / name).read_bytes())
    assert dsn is not None, name
    return dsn


def summary(recipient: DsnRecipient) -> tuple[str, str, str | None, BounceCauseId | None, bool | None]:
    cause = recipient.cause
    return (
        recipient.final_recipient,
        recipient.action,
        recipient.status,
        cause.cause if cause else None,
        cause.permanent if cause else None,
    )


def test_postfix_rfc3464_report_gives_each_recipient_its_own_cause() -> None:
    dsn = load("rfc3464_postfix.eml")

    assert (dsn.format, dsn.reporting_mta) == (DsnFormat.RFC3464, "mail.example.com")
    assert [summary(r) for r in dsn.recipients] == [
        ("bob@example.net", "failed", "5.1.1", C.RECIPIENT_UNKNOWN, True),
        ("carol@example.org", "delayed", "4.4.1", C.NETWORK_OR_REMOTE_TROUBLE, False),
    ]


def test_postfix_report_keeps_the_raw_fields() -> None:
    bob, carol = load("rfc3464_postfix.eml").recipients

    assert bob.original_recipient == "Bob@Example.net"
    assert bob.remote_mta == "mx1.example.net"
    assert bob.diagnostic_code == (
        "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table"
    )
    assert carol.diagnostic_code == "connect to mx.example.org[198.51.100.9]:25: Connection timed out"
    assert bob.cause is not None and bob.cause.text == bob.diagnostic_code


def test_original_message_id_and_encoded_subject_come_from_the_returned_headers() -> None:
    dsn = load("rfc3464_postfix.eml")

    assert (dsn.original_message_id, dsn.original_subject) == ("<q1-report.7f3a@example.com>", "季度报告")


def test_gmail_report_with_folded_diagnostic_is_recipient_unknown() -> None:
    dsn = load("gmail.eml")

    assert (dsn.format, dsn.reporting_mta) == (DsnFormat.RFC3464, "googlemail.com")
    assert [summary(r) for r in dsn.recipients] == [
        ("dave.nobody@gmail.com", "failed", "5.1.1", C.RECIPIENT_UNKNOWN, True),
    ]
    diagnostic = dsn.recipients[0].diagnostic_code or ""
    assert "\n" not in diagnostic and "double-checking" in diagnostic
    assert (dsn.original_message_id, dsn.original_subject) == ("<m2-travel.42@example.com>", "Travel plans")


def test_exchange_online_ndr_with_5_1_10_is_recipient_unknown_not_null_mx() -> None:
    dsn = load("exchange_online.eml")

    assert dsn.format is DsnFormat.RFC3464
    assert [summary(r) for r in dsn.recipients] == [
        ("erin@contoso.com", "failed", "5.1.10", C.RECIPIENT_UNKNOWN, True),
    ]
    assert dsn.original_subject == "Contract draft"


def test_legacy_exchange_text_ndr_is_read_per_recipient() -> None:
    dsn = load("exchange_legacy.eml")

    assert dsn.format is DsnFormat.EXCHANGE
    assert [summary(r) for r in dsn.recipients] == [
        ("frank@fabrikam.example", "failed", "5.1.1", C.RECIPIENT_UNKNOWN, True),
        ("grace@fabrikam.example", "failed", "5.2.2", C.MAILBOX_FULL, True),
    ]
    assert dsn.recipients[1].diagnostic_code == "552 5.2.2 Mailbox full"
    assert dsn.recipients[0].remote_mta == "mail1.fabrikam.example"


def test_exchange_diagnostic_for_administrators_text_is_read_without_a_status_part() -> None:
    text = (FIXTURES / "exchange_online.eml").read_text()
    # Drop the machine-readable part: only the human text's "Remote Server returned" line is left.
    without_status = re.sub(
        r"--9f2a7c1e[^\n]*\nContent-Type: message/delivery-status.*?(?=--9f2a7c1e)", "", text, flags=re.DOTALL
    )

    dsn = parse_dsn(without_status.encode())

    assert dsn is not None and dsn.format is DsnFormat.EXCHANGE
    assert [summary(r) for r in dsn.recipients] == [
        ("erin@contoso.com", "failed", "5.1.10", C.RECIPIENT_UNKNOWN, True),
    ]


def test_tencent_style_chinese_notice_is_read_from_gb_encoded_text() -> None:
    dsn = load("qq.eml")

    assert dsn.format is DsnFormat.TEXT
    assert [summary(r) for r in dsn.recipients] == [
        ("wang.fang@example.cn", "failed", "5.2.2", C.MAILBOX_FULL, True),
        ("li.lei@example.cn", "failed", None, C.RECIPIENT_UNKNOWN, True),
    ]
    assert dsn.recipients[0].diagnostic_code == (
        "552 5.2.2 <wang.fang@example.cn>: Mailbox full, quota exceeded (DT:UQT)"
    )
    assert dsn.recipients[1].diagnostic_code == "收件人地址不存在，请核对后重新发送。"


def test_qmail_bounce_reads_remote_reply_and_qmail_status() -> None:
    dsn = load("qmail.eml")

    assert (dsn.format, dsn.reporting_mta) == (DsnFormat.QMAIL, "mx.northwind.example")
    assert [summary(r) for r in dsn.recipients] == [
        ("henry@northwind.example", "failed", "5.1.1", C.RECIPIENT_UNKNOWN, True),
        ("ivy@nosuch.example", "failed", "5.1.2", C.NO_MX_OR_DNS_FAILURE, True),
    ]
    assert dsn.recipients[0].remote_mta == "192.0.2.77"
    assert dsn.recipients[0].diagnostic_code == (
        "550 5.1.1 <henry@northwind.example>: Recipient address rejected: "
        "User unknown in local recipient table"
    )


def test_exim_bounce_uses_x_failed_recipients_and_the_smtp_error() -> None:
    dsn = load("exim.eml")

    assert dsn.format is DsnFormat.TEXT
    assert [summary(r) for r in dsn.recipients] == [
        ("jack@tailspin.example", "failed", "5.7.1", C.BLACKLISTED_IP_OR_SENDER, True),
    ]
    assert dsn.recipients[0].remote_mta == "mx.tailspin.example"


def test_utf8_global_delivery_status_decodes_xtext_and_raw_utf8_addresses() -> None:
    dsn = load("rfc6533_global.eml")

    assert [summary(r) for r in dsn.recipients] == [
        ("李雷@example.cn", "failed", "5.2.2", C.MAILBOX_FULL, True),
        ("韩梅梅@example.cn", "failed", "5.1.1", C.RECIPIENT_UNKNOWN, True),
    ]
    assert dsn.recipients[1].diagnostic_code == "550 5.1.1 用户不存在"


def test_base64_encoded_global_delivery_status_is_decoded() -> None:
    report = (
        "Reporting-MTA: dns; mail.example.com\n\n"
        "Final-Recipient: utf-8; 李雷@example.cn\nAction: failed\nStatus: 5.2.2\n"
    )
    encoded = base64.encodebytes(report.encode()).decode()
    raw = (
        "From: MAILER-DAEMON@mail.example.com\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=global-delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: message/global-delivery-status\nContent-Transfer-Encoding: base64\n\n"
        f"{encoded}\n--B--\n"
    )

    dsn = parse_dsn(raw.encode())

    assert dsn is not None
    assert [summary(r) for r in dsn.recipients] == [
        ("李雷@example.cn", "failed", "5.2.2", C.MAILBOX_FULL, True)
    ]


def test_successful_actions_carry_no_cause() -> None:
    raw = (
        "From: MAILER-DAEMON@mail.example.com\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="S"\n\n'
        "--S\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.example.com\n\n"
        "Final-Recipient: rfc822; bob@example.net\nAction: delivered\nStatus: 2.0.0\n\n--S--\n"
    )

    dsn = parse_dsn(raw.encode())

    assert dsn is not None
    assert [summary(r) for r in dsn.recipients] == [("bob@example.net", "delivered", "2.0.0", None, None)]


def test_failed_action_makes_a_transient_status_permanent() -> None:
    raw = (
        "From: MAILER-DAEMON@mail.example.com\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="T"\n\n'
        "--T\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.example.com\n\n"
        "Final-Recipient: rfc822; bob@example.net\nAction: failed\nStatus: 4.4.1\n"
        "Diagnostic-Code: smtp; 421 4.4.1 Connection timed out\n\n--T--\n"
    )

    dsn = parse_dsn(raw.encode())

    assert dsn is not None
    assert [summary(r) for r in dsn.recipients] == [
        ("bob@example.net", "failed", "4.4.1", C.NETWORK_OR_REMOTE_TROUBLE, True)
    ]


def test_forwarded_bounce_inside_an_ordinary_message_is_not_a_bounce() -> None:
    # The DSN sits inside a message/rfc822 attachment: returned or forwarded copies are never read.
    assert parse_dsn((FIXTURES / "not_a_bounce.eml").read_bytes()) is None


def test_returned_copy_below_the_marker_is_not_read() -> None:
    # Both qmail.eml and exim.eml carry SMTP-looking lines in the returned copy.
    assert [r.final_recipient for r in load("qmail.eml").recipients] == [
        "henry@northwind.example",
        "ivy@nosuch.example",
    ]
    assert load("exim.eml").recipients[0].diagnostic_code == (
        "554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org"
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not a message at all",
        b"From: a@example.com\nSubject: hello\n\nJust a normal note.\n",
        b"Content-Type: multipart/report; boundary=X\n\n"
        b"--X\nContent-Type: message/delivery-status\n\n\n--X--\n",
    ],
    ids=["empty", "garbage", "plain-note", "empty-report"],
)
def test_non_bounces_and_empty_reports_give_none(raw: bytes) -> None:
    assert parse_dsn(raw) is None


def test_every_fixture_parses() -> None:
    names = sorted(p.name for p in FIXTURES.glob("*.eml"))

    assert len(names) >= 8
    for name in names:
        if name != "not_a_bounce.eml":
            assert load(name).recipients, name
