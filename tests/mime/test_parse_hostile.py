"""Hostile mail: every limit holds and parsing completes with a bounded structure and memory.

No timing assertions (DESIGN §8); the bounds asserted are structural (depth, part count, text
size, ``truncated``) and, for the large inputs, peak memory measured with tracemalloc.
"""

from __future__ import annotations

import base64
import os
import tracemalloc
from collections.abc import Callable

from yunmail.mime import MAX_DEPTH, MAX_PARTS, ParsedMessage, Part, html_to_text, parse_message
from yunmail.mime.extract import SEARCH_TEXT_LIMIT

MB = 1024 * 1024


def max_depth(root: Part) -> int:
    deepest = 0
    stack = [(root, 0)]
    while stack:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in part.children)
        if part.message is not None:
            stack.append((part.message, depth + 1))
    return deepest


def peak_memory(build: Callable[[], ParsedMessage]) -> tuple[ParsedMessage, int]:
    tracemalloc.start()
    try:
        parsed = build()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return parsed, peak


def assert_offsets_sane(parsed: ParsedMessage) -> None:
    for part in parsed.root.walk():
        assert 0 <= part.header_start <= part.header_end <= part.body_end <= parsed.size


def nested_multipart(levels: int) -> bytes:
    # Boundaries are not prefixes of each other, so every level is a real multipart.
    opening = "".join(
        f"Content-Type: multipart/mixed; boundary=b{i:05d}x\r\n\r\n--b{i:05d}x\r\n" for i in range(levels)
    )
    closing = "".join(f"\r\n--b{i:05d}x--" for i in reversed(range(levels)))
    return (opening + "Content-Type: text/plain\r\n\r\ninnermost" + closing + "\r\n").encode()


def test_thousand_level_nested_multipart_is_cut_at_max_depth() -> None:
    raw = nested_multipart(1000)
    parsed, peak = peak_memory(lambda: parse_message(raw))
    assert max_depth(parsed.root) == MAX_DEPTH - 1
    assert parsed.part_count == MAX_DEPTH
    assert parsed.truncated and "depth" in parsed.limits_hit
    deepest = [part for part in parsed.root.walk() if part.opaque]
    assert len(deepest) == 1 and deepest[0].mime_type == "multipart/mixed"
    assert parsed.root.body_end == len(raw)
    assert_offsets_sane(parsed)
    assert peak < 16 * MB


def test_thousand_level_nested_message_rfc822_is_cut_at_max_depth() -> None:
    raw = (
        "Subject: level\r\nContent-Type: message/rfc822\r\n\r\n" * 1000 + "Subject: inner\r\n\r\nbody\r\n"
    ).encode()
    parsed, peak = peak_memory(lambda: parse_message(raw))
    assert max_depth(parsed.root) == MAX_DEPTH - 1
    assert parsed.truncated and "depth" in parsed.limits_hit
    assert_offsets_sane(parsed)
    assert peak < 16 * MB


def test_deep_structure_round_trips_through_json() -> None:
    parsed = parse_message(nested_multipart(300))
    assert ParsedMessage.from_json(parsed.to_json()) == parsed


def test_hundred_thousand_parts_stop_at_max_parts() -> None:
    raw = (
        "Content-Type: multipart/mixed; boundary=zz\r\n\r\n"
        + "".join(
            f"--zz\r\nContent-Type: application/octet-stream; name=f{i}.bin\r\n\r\nx\r\n"
            for i in range(100_000)
        )
        + "--zz--\r\n"
    ).encode()
    parsed, peak = peak_memory(lambda: parse_message(raw))
    assert parsed.part_count == MAX_PARTS
    assert len(parsed.root.children) == MAX_PARTS - 1
    assert parsed.truncated and "parts" in parsed.limits_hit
    last = parsed.root.children[-1]
    assert last.body_end == len(raw)  # the last part allowed takes the rest (Dovecot semantics)
    assert len(parsed.attachments) == MAX_PARTS - 1
    assert_offsets_sane(parsed)
    assert peak < 96 * MB


def test_many_near_miss_delimiters_do_not_create_parts() -> None:
    raw = (
        b'Content-Type: multipart/mixed; boundary="real"\r\n\r\n--real\r\n'
        + b"--rea\r\n--xreal\r\n" * 200_000
    )
    parsed = parse_message(raw)
    assert parsed.part_count == 2
    assert parsed.root.children[0].body_end == len(raw)


def test_many_false_delimiters_inside_a_part_header() -> None:
    raw = b'Content-Type: multipart/mixed; boundary="a"\r\n\r\n--a\r\n' + b"--b\r\n" * 500_000
    parsed = parse_message(raw)
    assert parsed.part_count == 2
    assert parsed.root.children[0].header_end == len(raw)


def test_huge_base64_part_search_text_is_capped() -> None:
    raw = (
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(os.urandom(24 * MB)).replace(b"\n", b"\r\n")
    )
    parsed, peak = peak_memory(lambda: parse_message(raw))
    assert len(parsed.search_text) <= SEARCH_TEXT_LIMIT
    assert "search_text" in parsed.limits_hit
    assert parsed.root.size == len(raw) - parsed.root.header_end
    assert peak < 80 * MB  # decoding works on a capped slice, whatever the message size


def test_huge_html_part_search_text_is_capped() -> None:
    raw = b"Content-Type: text/html\r\n\r\n" + b"<div>word <b>bold</b> &amp; more</div>\r\n" * 400_000
    parsed = parse_message(raw)
    assert 0 < len(parsed.search_text) <= SEARCH_TEXT_LIMIT
    assert parsed.truncated


def test_many_header_fields_are_capped() -> None:
    raw = b"Subject: x\r\n" * 300_000 + b"\r\nbody\r\n"
    parsed = parse_message(raw)
    assert "header_fields" in parsed.limits_hit
    assert parsed.root.header_end == len(raw) - len(b"body\r\n")


def test_huge_content_type_value_is_bounded() -> None:
    raw = b"Content-Type: multipart/mixed; a=" + b"(" * 5 * MB + b"\r\n\r\nx"
    parsed = parse_message(raw)
    assert parsed.root.mime_type == "multipart/mixed"
    assert parsed.root.children == ()


def test_giant_single_line_without_newline() -> None:
    raw = b"Subject: " + b"a" * 8 * MB
    parsed = parse_message(raw)
    assert parsed.root.header_end == len(raw)
    assert len(parsed.subject) <= 2000


def test_html_bombs_are_linear_and_bounded() -> None:
    for source in (
        "<" * 2_000_000,
        "<!--" * 500_000,
        "<script>" * 300_000,
        "<a " * 500_000,
        "&amp;" * 300_000,
    ):
        assert len(html_to_text(source, limit=1000)) <= 1000


def test_archives_are_listed_not_opened() -> None:
    zip_bytes = b"PK\x03\x04" + b"\x00" * 100
    raw = (
        b'MIME-Version: 1.0\r\nContent-Type: application/zip; name="bomb.zip"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(zip_bytes)
    )
    parsed = parse_message(raw)
    assert [(a.filename, a.mime_type) for a in parsed.attachments] == [("bomb.zip", "application/zip")]
    assert parsed.search_text == ""
