"""Bounce composition: RFC 3461 NOTIFY rules and the RFC 3464 report's parts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email

import pytest

from yunmail.delivery import classify
from yunmail.delivery.dsn import DsnKind, FailedDelivery, compose_notice, wants_notice

NOW = dt.datetime(2026, 1, 2, 8, 0, tzinfo=dt.UTC)
ORIGINAL = b"From: amy@a.test\r\nTo: bob@b.test\r\nSubject: Plans\r\n\r\nsecret body\r\n"


def failed(reply: str = "550 5.1.1 <bob@b.test>: user unknown", **changes: object) -> FailedDelivery:
    base = FailedDelivery(
        row_id=1,
        enterprise_id=1,
        sender="amy@a.test",
        recipient="bob@b.test",
        original=ORIGINAL,
        cause=classify(None, None, reply),
        reply=reply,
        remote_host="mx.b.test",
        queued_at=NOW - dt.timedelta(hours=1),
        last_attempt_at=NOW,
        attempts=1,
        trace_id="T",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("notify", "kind", "expected"),
    [
        (None, DsnKind.FAILURE, True),
        (None, DsnKind.DELAY, True),
        ("NEVER", DsnKind.FAILURE, False),
        ("SUCCESS", DsnKind.FAILURE, False),
        ("FAILURE", DsnKind.DELAY, False),
        ("SUCCESS,DELAY", DsnKind.DELAY, True),
        ("failure", DsnKind.FAILURE, True),
    ],
)
def test_notify_parameter_decides_which_notices_go_out(
    notify: str | None, kind: DsnKind, expected: bool
) -> None:
    assert wants_notice(notify, kind) is expected


def test_report_parts_are_text_then_delivery_status_then_original_headers() -> None:
    data = compose_notice(failed(), DsnKind.FAILURE, hostname="mx.a.test", now=NOW)
    top = email.message_from_bytes(data)
    parts = [p.get_content_type() for p in top.get_payload()]  # type: ignore[union-attr]
    assert (top.get_content_type(), parts) == (
        "multipart/report",
        ["text/plain", "message/delivery-status", "text/rfc822-headers"],
    )


def test_report_quotes_headers_only_unless_ret_full() -> None:
    headers_only = compose_notice(failed(), DsnKind.FAILURE, hostname="mx.a.test", now=NOW)
    full = compose_notice(failed(ret="FULL"), DsnKind.FAILURE, hostname="mx.a.test", now=NOW)
    assert (b"secret body" in headers_only, b"secret body" in full) == (False, True)


def test_delay_notice_says_delayed_and_when_retries_stop() -> None:
    notice = failed("452 4.2.2 Mailbox full", retry_until=NOW + dt.timedelta(days=5))
    data = compose_notice(notice, DsnKind.DELAY, hostname="mx.a.test", now=NOW)
    assert (b"Action: delayed" in data, b"Will-Retry-Until:" in data, b"Status: 4.2.2" in data) == (
        True,
        True,
        True,
    )


def test_delivery_status_carries_the_remote_reply_and_mta() -> None:
    data = compose_notice(failed(orcpt="rfc822;bob@b.test"), DsnKind.FAILURE, hostname="mx.a.test", now=NOW)
    assert b"Diagnostic-Code: smtp; 550 5.1.1 <bob@b.test>: user unknown" in data
    assert (b"Remote-MTA: dns; mx.b.test" in data, b"Original-Recipient: rfc822;bob@b.test" in data) == (
        True,
        True,
    )
