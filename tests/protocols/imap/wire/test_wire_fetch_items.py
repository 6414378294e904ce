"""FETCH attributes (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 MODSEQ): examples, round trips, fuzz."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.fetch_items import (
    ALL,
    FAST,
    FULL,
    SIMPLE_NAMES,
    BinarySection,
    BinarySize,
    BodySection,
    FetchAttr,
    FetchItem,
    Section,
    parse_fetch_items,
    render_items,
)


@pytest.mark.parametrize(
    ("text", "items"),
    [
        # RFC 9051 §6.4.5 example
        (
            "(FLAGS BODY[HEADER.FIELDS (DATE FROM)])",
            (FetchAttr("FLAGS"), BodySection(Section((), "HEADER.FIELDS", ("DATE", "FROM")))),
        ),
        ("ALL", ALL),
        ("fast", FAST),
        ("FULL", FULL),
        ("BODY[]", (BodySection(),)),
        ("BODY.PEEK[]<0.2048>", (BodySection(peek=True, partial=(0, 2048)),)),
        ("body[1.2.TEXT]", (BodySection(Section((1, 2), "TEXT")),)),
        ("BODY[3.MIME]", (BodySection(Section((3,), "MIME")),)),
        (
            "BODY[4.2.HEADER.FIELDS.NOT (Received)]",
            (BodySection(Section((4, 2), "HEADER.FIELDS.NOT", ("Received",))),),
        ),
        ("(UID RFC822.SIZE MODSEQ)", (FetchAttr("UID"), FetchAttr("RFC822.SIZE"), FetchAttr("MODSEQ"))),
        ("BINARY.PEEK[1.2]<0.100>", (BinarySection((1, 2), peek=True, partial=(0, 100)),)),  # RFC 3516
        ("BINARY.SIZE[1]", (BinarySize((1,)),)),
        ("BINARY[]", (BinarySection(),)),
        # Dovecot's extension: section texts after BINARY (answered like BODY[section])
        ("BINARY.PEEK[1.MIME]", (BinarySection((1,), peek=True, section=Section((1,), "MIME")),)),
        ("BINARY.SIZE[TEXT]", (BinarySize((), Section((), "TEXT")),)),
        ("BODYSTRUCTURE", (FetchAttr("BODYSTRUCTURE"),)),
        ("(EMAILID THREADID)", (FetchAttr("EMAILID"), FetchAttr("THREADID"))),  # RFC 8474
    ],
)
def test_rfc_examples(text: str, items: tuple[FetchItem, ...]) -> None:
    assert parse_fetch_items(text) == items


@pytest.mark.parametrize(
    ("item", "request_form", "response_form"),
    [
        (BodySection(Section((), "HEADER"), peek=True), b"BODY.PEEK[HEADER]", b"BODY[HEADER]"),
        (BodySection(partial=(100, 50)), b"BODY[]<100.50>", b"BODY[]<100>"),  # RFC 9051 §7.5.2
        (BinarySection((2,), peek=True, partial=(0, 9)), b"BINARY.PEEK[2]<0.9>", b"BINARY[2]<0>"),
        (FetchAttr("RFC822.HEADER"), b"RFC822.HEADER", b"RFC822.HEADER"),
        (
            BodySection(Section((1,), "HEADER.FIELDS", ("From", "X Y"))),
            b'BODY[1.HEADER.FIELDS (From "X Y")]',
            b'BODY[1.HEADER.FIELDS (From "X Y")]',
        ),
    ],
)
def test_request_and_response_forms(item: FetchItem, request_form: bytes, response_form: bytes) -> None:
    assert item.render() == request_form
    assert item.response_key() == response_form


def test_implicit_seen_rfc9051_6_4_5() -> None:
    assert BodySection().sets_seen
    assert not BodySection(peek=True).sets_seen
    assert FetchAttr("RFC822").sets_seen
    assert FetchAttr("RFC822.TEXT").sets_seen
    assert not FetchAttr("RFC822.HEADER").sets_seen
    assert BinarySection().sets_seen
    assert not BinarySize().sets_seen


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "()",
        "FOO",
        "BODY[MIME]",  # MIME needs a part
        "BODY[0]",
        "BODY[1.]",
        "BODY[HEADER.FIELDS]",
        "BODY[HEADER.FIELDS ()]",
        "BODY[HEADER.FIELDS (a:b)]",
        "BODY[]<0.0>",
        "BODY[]<5>",
        "BINARY[MIME]",
        "BINARY.SIZE[1]<0.1>",
        "FLAGS[]",
        "ALL[]",
        "(FLAGS",
        "(FLAGS ALL)",
        "BODY[1.2.3.4.5.6.7.8.9.99999999999]",
    ],
)
def test_invalid_items_raise_wire_error(bad: str) -> None:
    with pytest.raises(WireError):
        parse_fetch_items(bad)


_parts = st.lists(st.integers(1, 2**32 - 1), max_size=3).map(tuple)
_field_names = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=":"),
    min_size=1,
    max_size=12,
)
_partials = st.one_of(st.none(), st.tuples(st.integers(0, 2**63 - 1), st.integers(1, 2**63 - 1)))


@st.composite
def _sections(draw: st.DrawFn) -> Section:
    part = draw(_parts)
    choices: list[str | None] = [None, "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT"]
    if part:
        choices.append("MIME")
    text = draw(st.sampled_from(choices))
    fields: tuple[str, ...] = ()
    if text in ("HEADER.FIELDS", "HEADER.FIELDS.NOT"):
        fields = tuple(draw(st.lists(_field_names, min_size=1, max_size=4)))
    return Section(part, text, fields)  # type: ignore[arg-type]


fetch_items: st.SearchStrategy[FetchItem] = st.one_of(
    st.builds(FetchAttr, st.sampled_from(SIMPLE_NAMES)),
    st.builds(BodySection, _sections(), st.booleans(), _partials),
    st.builds(BinarySection, _parts, st.booleans(), _partials),
    st.builds(BinarySize, _parts),
)


@given(st.lists(fetch_items, min_size=1, max_size=6).map(tuple))
def test_round_trip(items: tuple[FetchItem, ...]) -> None:
    assert parse_fetch_items(render_items(items)) == items


@given(fetch_items)
def test_single_item_round_trip(item: FetchItem) -> None:
    assert parse_fetch_items(item.render()) == (item,)


@given(st.binary(max_size=120))
def test_fuzz_parse_raises_only_wire_error(data: bytes) -> None:
    with contextlib.suppress(WireError):
        parse_fetch_items(data)


_pieces = st.sampled_from(
    [b"BODY", b"BODY.PEEK", b"BINARY", b"[", b"]", b"1", b".", b"HEADER.FIELDS", b"MIME", b" ", b"(", b")",
     b"<0.5>", b"<", b"TEXT", b"FLAGS", b"{3}\r\nabc", b'"q"']
)  # fmt: skip


@given(st.lists(_pieces, max_size=25))
def test_fuzz_structured_raises_only_wire_error(parts: list[bytes]) -> None:
    with contextlib.suppress(WireError):
        parse_fetch_items(b"".join(parts))
