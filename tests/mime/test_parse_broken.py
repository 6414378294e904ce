"""Broken and ambiguous MIME: the structure must be best effort and match Dovecot's choices.

Each case states the rule it pins down (RFC 2046 §5.1.1 and Dovecot's message parser); the
expected parts are given as the exact header and body bytes an IMAP server would serve.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from yunmail.mime import Part, parse_message

from .samples import crlf


class Shape(NamedTuple):
    type: str
    header: bytes
    body: bytes
    children: list[Shape]
    message: Shape | None


def shape(raw: bytes, part: Part) -> Shape:
    """The part as an IMAP server serves it: MIME header bytes, body bytes, sub-parts."""
    return Shape(
        part.mime_type,
        raw[part.header_start : part.header_end],
        raw[part.header_end : part.body_end],
        [shape(raw, child) for child in part.children],
        shape(raw, part.message) if part.message is not None else None,
    )


def kids(raw: bytes) -> list[Shape]:
    return [shape(raw, child) for child in parse_message(raw).root.children]


def test_delimiter_right_after_part_header_takes_the_blank_line() -> None:
    raw = crlf('Content-Type: multipart/mixed; boundary="XX"\n\n--XX\nContent-Type: text/plain\n\n--XX--\n')
    assert kids(raw) == [("text/plain", b"Content-Type: text/plain\r\n", b"", [], None)]


def test_part_header_cut_by_delimiter_loses_its_last_line_break() -> None:
    raw = crlf(
        'Content-Type: multipart/mixed; boundary="XX"\n\n--XX\nContent-Type: text/html\n--XX\n\nB\n--XX--\n'
    )
    assert kids(raw) == [
        ("text/html", b"Content-Type: text/html", b"", [], None),
        ("text/plain", b"\r\n", b"B", [], None),
    ]


def test_delimiter_at_start_of_part_gives_empty_part() -> None:
    raw = crlf('Content-Type: multipart/mixed; boundary="XX"\n\n--XX\n--XX\n\nB\n--XX--\n')
    assert kids(raw) == [("text/plain", b"", b"", [], None), ("text/plain", b"\r\n", b"B", [], None)]


def test_boundary_only_needs_to_be_a_prefix_of_the_line() -> None:
    raw = crlf(
        'Content-Type: multipart/mixed; boundary="XX"\n\n--XX trailing junk\n\nA\n--XXjunk\n\nB\n--XX--\n'
    )
    assert [child[2] for child in kids(raw)] == [b"A", b"B"]


def test_longest_matching_boundary_wins() -> None:
    raw = crlf(
        'Content-Type: multipart/mixed; boundary="a"\n\n--a\n'
        'Content-Type: multipart/mixed; boundary="ab"\n\n--ab\n\ninner\n--ab--\n--a\n\nouter\n--a--\n'
    )
    (inner_multi, outer_text) = kids(raw)
    assert inner_multi[0] == "multipart/mixed"
    assert [grandchild.body for grandchild in inner_multi.children] == [b"inner"]
    assert outer_text[2] == b"outer"


def test_outer_delimiter_closes_unterminated_inner_multipart() -> None:
    raw = crlf(
        'Content-Type: multipart/mixed; boundary="ab"\n\n--ab\n'
        'Content-Type: multipart/mixed; boundary="a"\n\n--a\n\nbody\n--ab\nContent-Type: text/html\n\nbody2\n'
    )
    children = kids(raw)
    assert [child[0] for child in children] == ["multipart/mixed", "text/html"]
    assert [g.body for g in children[0].children] == [b"body"]
    assert children[1][2] == b"body2\r\n"  # no closing delimiter: the last part runs to the end


def test_same_boundary_nested_binds_to_the_innermost() -> None:
    raw = crlf(
        'Content-Type: multipart/mixed; boundary="a"\n\n--a\n'
        'Content-Type: multipart/mixed; boundary="a"\n\n--a\nContent-Type: text/plain\n\nbody\n'
    )
    root = parse_message(raw).root
    assert len(root.children) == 1
    assert len(root.children[0].children) == 1
    assert raw[root.children[0].children[0].header_end : root.children[0].children[0].body_end] == b"body\r\n"


def test_boundary_ending_in_dashes_still_delimits() -> None:
    # "--q--" is either boundary "q" closed or boundary "q--" continued (Dovecot resolves both).
    raw = crlf(
        'Content-Type: multipart/mixed; boundary="q--"\n\n--q--\n'
        'Content-Type: multipart/mixed; boundary="q----"\n\n--q----\n\nbody\n--q------\n'
        "\nafter inner close\n--q----"
    )
    root = parse_message(raw).root
    assert len(root.children) == 1
    inner = root.children[0]
    assert len(inner.children) == 1
    assert raw[inner.children[0].header_end : inner.children[0].body_end] == b"body"


def test_multipart_without_boundary_has_no_children() -> None:
    raw = crlf("Content-Type: multipart/mixed\n\n--XX\n\nA\n--XX--\n")
    root = parse_message(raw).root
    assert root.is_multipart
    assert root.children == ()
    assert raw[root.header_end : root.body_end] == b"--XX\r\n\r\nA\r\n--XX--\r\n"


def test_multipart_whose_boundary_never_appears_keeps_the_body() -> None:
    raw = crlf('Content-Type: multipart/mixed; boundary="XX"\n\nno parts here\n')
    root = parse_message(raw).root
    assert root.children == ()
    assert root.size == len(b"no parts here\r\n")


def test_missing_final_delimiter_ends_last_part_at_end_of_message() -> None:
    raw = crlf('Content-Type: multipart/mixed; boundary="XX"\n\n--XX\n\nA\n--XX\n\nB\nmore\n')
    assert [child[2] for child in kids(raw)] == [b"A", b"B\r\nmore\r\n"]


def test_delimiter_line_without_line_end_at_end_of_message() -> None:
    raw = crlf('Content-Type: multipart/mixed; boundary="XX"\n\n--XX\n\nA\n') + b"--XX"
    assert [child[2] for child in kids(raw)] == [b"A"]


def test_delimiter_at_end_of_input_starts_an_empty_part() -> None:
    raw = crlf('Content-Type: multipart/mixed; boundary="XX"\n\n--XX\n\nA\n--XX\n')
    assert [child[1:3] for child in kids(raw)] == [(b"\r\n", b"A"), (b"", b"")]


def test_delimiters_after_the_close_are_epilogue() -> None:
    raw = crlf('Content-Type: multipart/mixed; boundary="XX"\n\n--XX\n\nA\n--XX--\n--XX\n\nB\n')
    root = parse_message(raw).root
    assert len(root.children) == 1
    assert raw[root.header_end : root.body_end].endswith(b"--XX--\r\n--XX\r\n\r\nB\r\n")


def test_message_rfc822_cut_by_delimiter_gets_an_empty_message() -> None:
    raw = crlf('Content-Type: multipart/mixed; boundary="XX"\n\n--XX\nContent-Type: message/rfc822\n--XX--\n')
    (child,) = parse_message(raw).root.children
    assert child.mime_type == "message/rfc822"
    assert child.message is not None
    assert child.message.header_start == child.message.body_end == child.header_end


def test_lf_only_message_parses_with_lf_offsets() -> None:
    raw = b'Content-Type: multipart/mixed; boundary="XX"\n\n--XX\nContent-Type: text/plain\n\nA\nB\n--XX--\n'
    (child,) = parse_message(raw).root.children
    assert raw[child.header_start : child.header_end] == b"Content-Type: text/plain\n\n"
    assert raw[child.header_end : child.body_end] == b"A\nB"
    assert child.lines == 1


def test_headers_without_body() -> None:
    raw = b"Subject: only a header\r\nFrom: a@b.c\r\n"
    parsed = parse_message(raw)
    assert parsed.root.header_end == len(raw)
    assert parsed.root.size == 0
    assert parsed.subject == "only a header"


def test_header_without_final_line_break() -> None:
    raw = b"a:b"
    root = parse_message(raw).root
    assert (root.header_start, root.header_end, root.body_end) == (0, 3, 3)


def test_empty_message() -> None:
    parsed = parse_message(b"")
    assert parsed.root.mime_type == "text/plain"
    assert (parsed.root.header_end, parsed.root.body_end) == (0, 0)
    assert parsed.subject == ""
    assert parsed.envelope.from_ is None
    assert not parsed.truncated


def test_body_only_message_starting_with_blank_line() -> None:
    raw = b"\r\nno header at all\r\n"
    root = parse_message(raw).root
    assert raw[root.header_start : root.header_end] == b"\r\n"
    assert raw[root.header_end :] == b"no header at all\r\n"


def test_nul_and_8bit_in_headers_do_not_break_parsing() -> None:
    raw = b"Subject: a\x00b \xff\xfe\r\nFrom: \x00<x@y.z>\r\nX-\x00: \x80\r\n\r\nbody\r\n"
    parsed = parse_message(raw)
    assert "a b" in parsed.subject or "a" in parsed.subject
    assert "\x00" not in parsed.subject
    assert parsed.envelope.subject is not None and "\x00" not in parsed.envelope.subject
    assert parsed.to_json().find("\\u0000") == -1


def test_content_type_without_subtype_is_kept_as_written() -> None:
    root = parse_message(crlf("Content-Type: foo\n\nx\n")).root
    assert (root.content_type, root.content_subtype) == ("foo", "")


def test_empty_content_type_defaults_to_text_plain() -> None:
    root = parse_message(crlf("Content-Type: ;charset=utf-8\n\nx\n")).root
    assert root.mime_type == "text/plain"


def test_bad_base64_and_qp_still_give_text() -> None:
    raw = crlf(
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"\n\n--XX\n'
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        "5L2g5aW9!!!*** 5LiW55WM\n--XX\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        "bad =ZZ escape and soft=\nbreak\n--XX--\n"
    )
    parsed = parse_message(raw)
    assert "你好世界" in parsed.search_text
    assert "bad =ZZ escape and softbreak" in parsed.search_text


@pytest.mark.parametrize(
    "raw",
    [
        b"--",
        b"\r",
        b"\n\n\n",
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n\r\nx\r\n--\r\n",
        b'Content-Type: multipart/mixed; boundary=""\r\n\r\n--\r\n\r\n--x\r\n',
        b'Content-Type: message/rfc822\r\n\r\nContent-Type: multipart/mixed; boundary="a"\r\n\r\n--a',
        b"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\n--d\r\n\r\n--d--",
        b'Content-Type: multipart/mixed; boundary="a\\"b"\r\n\r\n--a"b\r\n\r\nx\r\n--a"b--\r\n',
        b"Content-Type: multipart/mixed; boundary*=utf-8''a%0Ab\r\n\r\n--a\r\n",
        b"Content-Type: text/plain; (unterminated comment\r\n\r\nx",
        b'Content-Type: text/plain; name="unterminated\r\n\r\nx',
    ],
)
def test_odd_inputs_parse_without_error(raw: bytes) -> None:
    parsed = parse_message(raw)
    for part in parsed.root.walk():
        assert 0 <= part.header_start <= part.header_end <= part.body_end <= len(raw)


def test_empty_boundary_matches_every_dash_dash_line() -> None:
    # Dovecot behaviour: boundary="" is a prefix of everything.
    raw = b'Content-Type: multipart/mixed; boundary=""\r\n\r\n--\r\n\r\nA\r\n--x\r\n\r\nB\r\n----\r\n'
    root = parse_message(raw).root
    assert [raw[c.header_end : c.body_end] for c in root.children] == [b"A", b"B"]
