"""Webmail compose: typed recipients, header injection, Bcc, replies, forwards, drafts; output parses back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yunmail.errors import AddressInvalid, AttachmentNotFound, HeaderLineBreak
from yunmail.mime import (
    Address,
    OutgoingAttachment,
    OutgoingMessage,
    carried_attachment,
    compose,
    draft_field,
    forward_subject,
    iter_header_fields,
    message_body,
    message_text,
    parse_message,
    quote_text,
    reply_recipients,
    reply_subject,
    reply_threading,
    split_recipients,
)

WHEN = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
ME = Address("张小明", "xiaoming", "corp.test")


def header_names(raw: bytes) -> list[str]:
    root = parse_message(raw, with_text=False).root
    return [f.name.lower() for f in iter_header_fields(raw[root.header_start : root.header_end])]


def message(**fields: object) -> OutgoingMessage:
    values: dict[str, object] = {"from_": ME, "to": (Address("", "li", "corp.test"),), "date": WHEN}
    values.update(fields)
    return OutgoingMessage(**values)  # type: ignore[arg-type]


# --- recipients typed by people ----------------------------------------------------------------------


def test_recipient_field_splits_on_commas_and_semicolons_including_full_width() -> None:
    found = split_recipients("a@x.test, b@x.test; c@x.test，d@x.test；e@x.test")

    assert [a.addr_spec for a in found] == ["a@x.test", "b@x.test", "c@x.test", "d@x.test", "e@x.test"]


def test_comma_inside_a_quoted_name_does_not_split() -> None:
    found = split_recipients('"Li, Lei" <li@x.test>, 王五 <wang@x.test>')

    assert [(a.name, a.addr_spec) for a in found] == [("Li, Lei", "li@x.test"), ("王五", "wang@x.test")]


def test_repeated_recipient_is_kept_once() -> None:
    assert len(split_recipients("a@x.test, A@X.TEST, a@x.test")) == 1


def test_empty_entries_are_ignored() -> None:
    assert split_recipients(" , ;; ") == ()


@pytest.mark.parametrize("typed", ["a@x.test\r\nBcc: evil@y.test", "a@x.test\nevil@y.test", "a@x.test\rb@x"])
def test_line_break_in_a_recipient_field_is_refused_not_split(typed: str) -> None:
    with pytest.raises(HeaderLineBreak):
        split_recipients(typed, "to")


def test_entry_that_is_not_an_address_is_refused_with_its_text() -> None:
    with pytest.raises(AddressInvalid) as caught:
        split_recipients("a@x.test, zhang")

    assert "zhang" in caught.value.text("en")


# --- header injection through the subject -----------------------------------------------------------


@pytest.mark.parametrize("subject", ["hi\r\nBcc: evil@y.test", "hi\nX-Evil: 1", "hi\x00", "hi\u2028Bcc: e@y"])
def test_line_break_in_subject_is_refused(subject: str) -> None:
    with pytest.raises(HeaderLineBreak):
        compose(message(subject=subject))


def test_long_chinese_subject_is_encoded_and_folded_and_reads_back() -> None:
    subject = "关于下周项目评审会议的安排和材料准备的通知" * 4

    composed = compose(message(subject=subject))

    head = composed.data[: composed.data.index(b"\r\n\r\n")]
    assert head.isascii()
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    assert parse_message(composed.data).subject == subject


# --- Bcc -----------------------------------------------------------------------------------------------


def test_bcc_is_not_in_the_transmitted_message_but_in_the_senders_copy() -> None:
    composed = compose(message(bcc=(Address("", "boss", "corp.test"),)))

    assert "bcc" not in header_names(composed.data)
    assert b"boss@corp.test" not in composed.data
    assert [a.addr_spec for a in parse_message(composed.stored).bcc] == ["boss@corp.test"]


def test_recipients_are_every_address_once() -> None:
    li = Address("", "li", "corp.test")
    out = message(
        to=(li,), cc=(Address("", "wang", "corp.test"), li), bcc=(Address("", "boss", "corp.test"),)
    )

    assert [a.addr_spec for a in out.recipients] == ["li@corp.test", "wang@corp.test", "boss@corp.test"]


# --- body and attachments ----------------------------------------------------------------------------


def test_attachment_with_chinese_name_round_trips() -> None:
    attachment = OutgoingAttachment("季度报告.pdf", "application/pdf", b"%PDF-1.4 data")

    composed = compose(message(text="见附件", attachments=(attachment,)))

    parsed = parse_message(composed.data)
    assert [a.filename for a in parsed.attachments] == ["季度报告.pdf"]
    carried = carried_attachment(composed.data, parsed, parsed.attachments[0].section)
    assert (carried.filename, carried.content_type, carried.data) == (
        "季度报告.pdf",
        "application/pdf",
        b"%PDF-1.4 data",
    )


def test_carrying_a_section_that_does_not_exist_is_attachment_not_found() -> None:
    composed = compose(message(text="x"))

    with pytest.raises(AttachmentNotFound):
        carried_attachment(composed.data, parse_message(composed.data), (9,))


def test_message_body_prefers_html_for_display_and_plain_text_for_quoting() -> None:
    composed = compose(message(text="纯文本正文", html="<p>网页<b>正文</b></p>"))

    body = message_body(composed.data, parse_message(composed.data).root)

    assert body.html is not None and "<b>正文</b>" in body.html
    assert body.text == "纯文本正文"


def test_html_only_message_gives_text_for_quoting() -> None:
    composed = compose(message(text=None, html="<p>第一段</p><p>第二段</p>"))

    assert message_text(composed.data, parse_message(composed.data)) == "第一段\n第二段"


def test_text_only_message_has_no_html_body() -> None:
    composed = compose(message(text="hello"))

    assert message_body(composed.data, parse_message(composed.data).root).html is None


# --- replies and forwards ----------------------------------------------------------------------------


PARENT = (
    b"From: Li Lei <li@corp.test>\r\n"
    b"To: xiaoming@corp.test, wang@corp.test\r\n"
    b"Cc: zhao@other.test, Xiaoming@Corp.test\r\n"
    b"Subject: Re: =?UTF-8?B?5ZGo5oql?=\r\n"
    b"Message-ID: <p2@corp.test>\r\n"
    b"In-Reply-To: <p1@corp.test>\r\n"
    b"References: <p0@corp.test> <p1@corp.test>\r\n"
    b"\r\n"
    b"line one\r\n> old quote\r\n"
)


def test_reply_threads_on_the_parent_message_id_and_its_references() -> None:
    in_reply_to, references = reply_threading(parse_message(PARENT))

    assert in_reply_to == "<p2@corp.test>"
    assert references == ("<p0@corp.test>", "<p1@corp.test>", "<p2@corp.test>")


def test_reply_to_a_message_without_references_uses_its_in_reply_to() -> None:
    parent = parse_message(b"From: a@x.test\r\nMessage-ID: <b@x>\r\nIn-Reply-To: <a@x>\r\n\r\nhi\r\n")

    assert reply_threading(parent) == ("<b@x>", ("<a@x>", "<b@x>"))


def test_reply_headers_are_written_into_the_message() -> None:
    in_reply_to, references = reply_threading(parse_message(PARENT))

    raw = compose(message(in_reply_to=in_reply_to, references=references)).data

    parsed = parse_message(raw)  # the parse keeps ids without their angle brackets
    assert parsed.in_reply_to == "p2@corp.test"
    assert parsed.references == ("p0@corp.test", "p1@corp.test", "p2@corp.test")


def test_reply_goes_to_the_author_only() -> None:
    to, cc = reply_recipients(parse_message(PARENT), {"xiaoming@corp.test"}, reply_all=False)

    assert ([a.addr_spec for a in to], cc) == (["li@corp.test"], ())


def test_reply_all_adds_the_other_recipients_but_never_ourselves() -> None:
    to, cc = reply_recipients(parse_message(PARENT), {"xiaoming@corp.test"}, reply_all=True)

    assert [a.addr_spec for a in to] == ["li@corp.test"]
    assert [a.addr_spec for a in cc] == ["wang@corp.test", "zhao@other.test"]


def test_reply_prefers_reply_to() -> None:
    parent = parse_message(b"From: a@x.test\r\nReply-To: list@x.test\r\nTo: me@corp.test\r\n\r\nhi\r\n")

    to, _ = reply_recipients(parent, {"me@corp.test"}, reply_all=False)

    assert [a.addr_spec for a in to] == ["list@x.test"]


def test_reply_to_our_own_sent_message_goes_to_its_recipients() -> None:
    parent = parse_message(b"From: me@corp.test\r\nTo: li@corp.test\r\n\r\nhi\r\n")

    to, _ = reply_recipients(parent, {"me@corp.test"}, reply_all=False)

    assert [a.addr_spec for a in to] == ["li@corp.test"]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("周报", "Re: 周报"),
        ("Re: 周报", "Re: 周报"),
        ("RE: re: 周报", "Re: 周报"),
        ("回复：周报", "Re: 周报"),
    ],
)
def test_reply_subject_does_not_stack_prefixes(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected


def test_forward_subject_is_prefixed_once() -> None:
    assert (forward_subject("周报"), forward_subject("Fwd: 周报")) == ("Fwd: 周报", "Fwd: 周报")


def test_quote_prefixes_every_line_after_the_attribution() -> None:
    quoted = quote_text("line one\n> old quote\n", "Li Lei wrote:")

    assert quoted == "\n\nLi Lei wrote:\n> line one\n>> old quote\n>\n"


# --- drafts --------------------------------------------------------------------------------------------


def test_draft_keeps_half_typed_recipient_text() -> None:
    raw = compose(message(to=(), draft_fields={"to": "li@corp.test, zha", "bcc": "boss@corp.test"})).stored

    parsed = parse_message(raw)
    assert draft_field(raw, parsed, "to") == "li@corp.test, zha"
    assert draft_field(raw, parsed, "bcc") == "boss@corp.test"
    assert draft_field(raw, parsed, "cc") == ""


def test_draft_field_with_a_line_break_is_refused() -> None:
    with pytest.raises(HeaderLineBreak):
        compose(message(draft_fields={"to": "a@x.test\r\nBcc: evil@y.test"}))


def test_message_without_draft_fields_reads_recipients_from_headers() -> None:
    raw = compose(message(cc=(Address("王五", "wang", "corp.test"),))).stored

    assert draft_field(raw, parse_message(raw), "cc") == "王五 <wang@corp.test>"
