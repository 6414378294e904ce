"""Body structure of well-formed messages: types, parameters, sections, sizes (RFC 3501 §7.4.2)."""

from __future__ import annotations

import base64

import pytest

from yunmail.mime import Part, canonicalize_line_endings, parse_message

from .samples import ALTERNATIVE, DIGEST, FORWARDED, MIXED, PDF_BYTES, SIMPLE, crlf


def body(raw: bytes, part: Part) -> bytes:
    return raw[part.header_end : part.body_end]


def mime(raw: bytes, part: Part) -> bytes:
    return raw[part.header_start : part.header_end]


def test_single_part_message_is_text_plain_us_ascii_with_section_1() -> None:
    root = parse_message(SIMPLE).root
    assert (root.content_type, root.content_subtype) == ("text", "plain")
    assert root.section == (1,)
    assert root.params == ()
    assert root.bodystructure_params == (("charset", "us-ascii"),)  # RFC 2045 §5.2 default
    assert root.encoding is None
    assert body(SIMPLE, root) == b"Hello Li,\r\nthe report is attached.\r\n"
    assert root.size == len(b"Hello Li,\r\nthe report is attached.\r\n")
    assert root.lines == 2


def test_alternative_children_are_numbered_in_order() -> None:
    root = parse_message(ALTERNATIVE).root
    assert root.mime_type == "multipart/alternative"
    assert root.section == ()
    assert [child.section for child in root.children] == [(1,), (2,)]
    assert [child.mime_type for child in root.children] == ["text/plain", "text/html"]
    assert root.children[0].encoding == "quoted-printable"
    assert root.children[0].params == (("charset", "utf-8"),)


def test_alternative_part_bodies_exclude_the_crlf_before_the_delimiter() -> None:
    # RFC 2046 §5.1.1: the CRLF preceding the boundary delimiter line belongs to the delimiter.
    plain, html = parse_message(ALTERNATIVE).root.children
    assert body(ALTERNATIVE, plain) == b"Caf=C3=A9 menu for today"
    assert body(ALTERNATIVE, html) == b"<p>Caf&eacute; <b>menu</b> for today</p>"
    assert plain.lines == 0


def test_alternative_preview_prefers_the_plain_text() -> None:
    parsed = parse_message(ALTERNATIVE)
    assert parsed.preview == "Café menu for today"
    assert "Café menu for today" in parsed.search_text
    assert parsed.attachments == ()


def test_mixed_message_lists_attachment_and_inline_image() -> None:
    parsed = parse_message(MIXED)
    by_type = {attachment.mime_type: attachment for attachment in parsed.attachments}
    assert set(by_type) == {"image/png", "application/pdf"}
    pdf = by_type["application/pdf"]
    assert (pdf.section, pdf.filename, pdf.inline, pdf.encoding) == ((2,), "report.pdf", False, "base64")
    image = by_type["image/png"]
    assert (image.section, image.inline, image.content_id) == ((1, 2), True, "<logo@x>")
    assert parsed.has_attachments


def test_mixed_message_nested_related_sections() -> None:
    root = parse_message(MIXED).root
    related, pdf = root.children
    assert related.mime_type == "multipart/related"
    assert related.section == (1,)
    assert [child.section for child in related.children] == [(1, 1), (1, 2)]
    assert pdf.disposition == "attachment"
    assert pdf.disposition_params == (("filename", "report.pdf"),)
    assert base64.b64decode(body(MIXED, pdf)) == PDF_BYTES


def test_mixed_message_preamble_and_epilogue_stay_in_the_multipart_body() -> None:
    root = parse_message(MIXED).root
    text = body(MIXED, root)
    assert text.startswith(b"This is a preamble.\r\n--MIX\r\n")
    assert text.endswith(b"--MIX--\r\nThis is the epilogue.\r\n")


def test_forwarded_message_has_envelope_and_embedded_structure() -> None:
    parsed = parse_message(FORWARDED)
    forwarded = parsed.root.children[1]
    assert forwarded.mime_type == "message/rfc822"
    assert forwarded.is_message
    assert forwarded.envelope is not None
    assert forwarded.envelope.subject == "budget"
    assert forwarded.envelope.message_id == "<orig-1@example.org>"
    inner = forwarded.message
    assert inner is not None
    assert inner.mime_type == "multipart/alternative"
    assert inner.section == (2,)
    assert [child.section for child in inner.children] == [(2, 1), (2, 2)]
    assert inner.header_start == forwarded.header_end  # the embedded message starts the body


def test_forwarded_message_lines_count_the_whole_embedded_message() -> None:
    forwarded = parse_message(FORWARDED).root.children[1]
    assert forwarded.lines == body(FORWARDED, forwarded).count(b"\n")


def test_forwarded_message_text_is_searchable_but_not_the_preview() -> None:
    parsed = parse_message(FORWARDED)
    assert parsed.preview == "See below."
    assert "The budget is 42." in parsed.search_text
    assert [(a.section, a.mime_type) for a in parsed.attachments] == [((2,), "message/rfc822")]


def test_digest_part_without_content_type_is_message_rfc822() -> None:
    # RFC 2046 §5.1.5: in multipart/digest the default type is message/rfc822.
    first, second = parse_message(DIGEST).root.children
    assert first.mime_type == "message/rfc822"
    assert first.envelope is not None and first.envelope.subject == "first"
    assert first.message is not None and first.message.section == (1, 1)
    assert second.mime_type == "text/plain"


@pytest.mark.parametrize(
    ("header", "expected_params", "expected_name"),
    [
        # RFC 2231 §3 continuations, §4 charset/language
        (
            "application/pdf; name*0*=utf-8''%E4%B8%AD%E6; name*1*=%96%87.pdf",
            (("name*", "utf-8''%E4%B8%AD%E6%96%87.pdf"),),
            "中文.pdf",
        ),
        ('application/pdf; name*0="long "; name*1="name.pdf"', (("name", "long name.pdf"),), "long name.pdf"),
        (
            "application/pdf; name*0*=utf-8''a; name*1=b%c",
            (("name*", "utf-8''ab%25c"),),
            "ab%c",
        ),
        (
            'application/pdf; name*0="a"; name*2="c"',
            (("name*0", "a"), ("name*2", "c")),
            None,
        ),
        (
            'application/pdf; NAME="=?GB2312?B?1tDOxA==?=.pdf"',
            (("name", "=?GB2312?B?1tDOxA==?=.pdf"),),
            "中文.pdf",
        ),
        (
            'application/pdf; name="=?utf-8?B?5Lit5paH?=.pdf"',
            (("name", "=?utf-8?B?5Lit5paH?=.pdf"),),
            "中文.pdf",
        ),
        ("application/pdf; name=plain.pdf (comment)", (("name", "plain.pdf"),), "plain.pdf"),
    ],
)
def test_content_type_parameters(
    header: str, expected_params: tuple[tuple[str, str], ...], expected_name: str | None
) -> None:
    raw = crlf(f"Content-Type: {header}\n\nx\n")
    root = parse_message(raw).root
    assert root.params == expected_params
    assert root.param("name") == expected_name


def test_raw_utf8_filename_is_decoded() -> None:
    raw = crlf(
        "MIME-Version: 1.0\nContent-Type: application/zip\n"
        'Content-Disposition: attachment; filename="报告.zip"\n\nx\n'
    )
    parsed = parse_message(raw)
    assert parsed.root.filename == "报告.zip"
    assert parsed.attachments[0].filename == "报告.zip"


def test_raw_gbk_filename_is_decoded() -> None:
    raw = (
        b"MIME-Version: 1.0\r\nContent-Type: application/zip\r\n"
        b'Content-Disposition: attachment; filename="' + "报告.zip".encode("gbk") + b'"\r\n\r\nx\r\n'
    )
    assert parse_message(raw).root.filename == "报告.zip"


def test_content_fields_for_bodystructure() -> None:
    raw = crlf(
        "MIME-Version: 1.0\n"
        'Content-Type: Text/X-Custom; CharSet=ISO-8859-1; note="a \\"b\\""\n'
        "Content-Transfer-Encoding: BASE64\n"
        "Content-ID: <part1@example>\n"
        "Content-Description: A description\n"
        "Content-Disposition: INLINE; size=3\n"
        "Content-Language: en-US, zh-CN\n"
        "Content-Location: http://example.com/a.txt\n"
        "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
        "\n"
        "YWJj\n"
    )
    root = parse_message(raw).root
    assert (root.content_type, root.content_subtype) == ("text", "x-custom")
    assert root.params == (("charset", "ISO-8859-1"), ("note", 'a "b"'))
    assert root.charset == "ISO-8859-1"
    assert root.encoding == "base64"
    assert root.content_id == "<part1@example>"
    assert root.description == "A description"
    assert (root.disposition, root.disposition_params) == ("inline", (("size", "3"),))
    assert root.language == ("en-US", "zh-CN")
    assert root.location == "http://example.com/a.txt"
    assert root.md5 == "Q2hlY2sgSW50ZWdyaXR5IQ=="


def test_invalid_transfer_encoding_is_none() -> None:
    raw = crlf("Content-Type: text/plain\nContent-Transfer-Encoding: ?invalid\n\nx\n")
    assert parse_message(raw).root.encoding is None


def test_content_fields_of_non_mime_message_are_ignored() -> None:
    # Without MIME-Version or Content-Type the entity is not MIME (RFC 2045 §4), as in Dovecot.
    raw = crlf("Subject: x\nContent-Transfer-Encoding: base64\nContent-ID: <a@b>\n\nhello\n")
    root = parse_message(raw).root
    assert root.encoding is None
    assert root.content_id is None
    assert root.mime_type == "text/plain"


def test_mime_version_alone_makes_content_fields_count() -> None:
    raw = crlf("MIME-Version: 1.0\nContent-Transfer-Encoding: base64\n\naGk=\n")
    parsed = parse_message(raw)
    assert parsed.root.encoding == "base64"
    assert parsed.search_text == "hi"


def test_first_content_type_wins() -> None:
    raw = crlf("Content-Type: text/html\nContent-Type: image/png\n\n<b>x</b>\n")
    assert parse_message(raw).root.mime_type == "text/html"


def test_folded_boundary_parameter_is_unfolded() -> None:
    raw = crlf('Content-Type: multipart/mixed; boundary="foo\n bar"\n\n--foo bar\n\nA\n--foo bar--\n')
    root = parse_message(raw).root
    assert root.params == (("boundary", "foo bar"),)
    assert len(root.children) == 1


def test_find_part_resolves_sections_like_imap() -> None:
    parsed = parse_message(FORWARDED)
    assert parsed.find_part(()) is parsed.root
    assert parsed.find_part((1,)) is parsed.root.children[0]
    forwarded = parsed.root.children[1]
    assert parsed.find_part((2,)) is forwarded
    assert forwarded.message is not None
    assert parsed.find_part((2, 1)) is forwarded.message.children[0]
    assert parsed.find_part((2, 2)) is forwarded.message.children[1]
    assert parsed.find_part((3,)) is None
    # As in Dovecot: a non-multipart part's only sub-part is 1, itself.
    assert parsed.find_part((1, 1)) is parsed.root.children[0]
    assert parsed.find_part((1, 2)) is None
    assert parsed.find_part((0,)) is None


def test_find_part_on_single_part_message_only_knows_part_1() -> None:
    parsed = parse_message(SIMPLE)
    assert parsed.find_part((1,)) is parsed.root
    assert parsed.find_part((2,)) is None
    assert parsed.find_part((1, 1, 2)) is None


def test_find_part_inside_single_part_embedded_message() -> None:
    raw = crlf("Content-Type: message/rfc822\n\nSubject: inner\n\nbody\n")
    parsed = parse_message(raw)
    inner = parsed.root.message
    assert inner is not None and inner.section == (1, 1)
    assert parsed.find_part((1,)) is parsed.root
    assert parsed.find_part((1, 1)) is inner
    assert body(raw, inner) == b"body\r\n"


def test_walk_visits_every_part_in_document_order() -> None:
    root = parse_message(FORWARDED).root
    assert [part.mime_type for part in root.walk()] == [
        "multipart/mixed",
        "text/plain",
        "message/rfc822",
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]


def test_offsets_serve_header_mime_and_body_slices() -> None:
    root = parse_message(MIXED).root
    header = mime(MIXED, root)  # BODY[HEADER]: the header block including the empty line
    assert header.startswith(b"From: a@example.com\r\n") and header.endswith(b'boundary="MIX"\r\n\r\n')
    pdf = root.children[1]  # BODY[2.MIME] and BODY[2]
    assert mime(MIXED, pdf) == (
        b'Content-Type: application/pdf; name="report.pdf"\r\n'
        b'Content-Disposition: attachment; filename="report.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
    )
    assert MIXED[pdf.body_end : pdf.body_end + 9] == b"\r\n--MIX--"  # RFC 2046 §5.1.1
    image = root.children[0].children[1]
    assert mime(MIXED, image).startswith(b"Content-Type: image/png\r\n")
    assert MIXED[image.body_end : image.body_end + 9] == b"\r\n--REL--"


def test_canonicalize_line_endings_makes_sizes_match_crlf_storage() -> None:
    lf = SIMPLE.replace(b"\r\n", b"\n")
    assert canonicalize_line_endings(lf) == SIMPLE
    assert canonicalize_line_endings(SIMPLE) == SIMPLE
    assert parse_message(canonicalize_line_endings(lf)).root.size == parse_message(SIMPLE).root.size
