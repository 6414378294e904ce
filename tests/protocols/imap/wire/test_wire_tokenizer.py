"""Framer and Reader: literal framing (RFC 9051 §4.3, §7.5), LITERAL+/- (RFC 7888), limits, lexing."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.budgets import examples
from yunmail.protocols.imap.wire import codes
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.tokenizer import (
    Atom,
    CommandReceived,
    Event,
    Framer,
    Limits,
    LineReceived,
    LiteralAnnounced,
    NonSync,
    Reader,
    tokenize,
)
from yunmail.protocols.imap.wire.values import render_astring, render_nstring, render_string


def drain(framer: Framer) -> list[Event | WireError]:
    """Every event (and every WireError) until the framer needs more input."""
    out: list[Event | WireError] = []
    for _ in range(10_000):
        try:
            event = framer.next_event()
        except WireError as err:
            out.append(err)
            continue
        if event is None:
            return out
        out.append(event)
    raise AssertionError("framer did not settle")


def feed_all(
    data: bytes, *, chunk: int | None = None, limits: Limits | None = None
) -> list[Event | WireError]:
    framer = Framer(limits)
    out: list[Event | WireError] = []
    step = chunk or len(data) or 1
    for i in range(0, len(data), step):
        framer.feed(data[i : i + step])
        out.extend(drain(framer))
    return out


def commands(events: list[Event | WireError]) -> list[bytes]:
    return [e.data for e in events if isinstance(e, CommandReceived)]


# --- framing ------------------------------------------------------------------------------------


def test_simple_command_is_framed_with_its_tag() -> None:
    events = feed_all(b"a1 NOOP\r\n")
    assert events == [CommandReceived(b"a1 NOOP\r\n", "a1")]


def test_pipelined_commands_come_out_in_order() -> None:
    events = feed_all(b"a1 NOOP\r\na2 CAPABILITY\r\na3 LOGOUT\r\n")
    assert commands(events) == [b"a1 NOOP\r\n", b"a2 CAPABILITY\r\n", b"a3 LOGOUT\r\n"]


def test_partial_line_waits_for_more_input() -> None:
    framer = Framer()
    framer.feed(b"a1 NO")
    assert framer.next_event() is None
    framer.feed(b"OP\r\n")
    assert framer.next_event() == CommandReceived(b"a1 NOOP\r\n", "a1")


def test_bare_lf_is_normalised_to_crlf() -> None:
    assert commands(feed_all(b"a1 NOOP\n")) == [b"a1 NOOP\r\n"]


def test_empty_lines_between_commands_are_ignored() -> None:
    assert commands(feed_all(b"\r\n\r\na1 NOOP\r\n")) == [b"a1 NOOP\r\n"]


def test_sync_literal_announces_continuation_rfc9051_7_5() -> None:
    framer = Framer()
    framer.feed(b"A001 LOGIN {11}\r\n")
    assert framer.next_event() == LiteralAnnounced("A001", "LOGIN", 11, binary=False)
    assert framer.next_event() is None
    framer.feed(b"FRED FOOBAR {7}\r\n")
    assert framer.next_event() == LiteralAnnounced("A001", "LOGIN", 7, binary=False)
    framer.feed(b"fat man\r\n")
    event = framer.next_event()
    assert event == CommandReceived(b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n", "A001")


def test_literal_plus_needs_no_continuation_rfc7888_3() -> None:
    data = b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n"
    assert feed_all(data) == [CommandReceived(data, "A001")]


def test_literal8_is_announced_as_binary_rfc3516() -> None:
    framer = Framer()
    framer.feed(b"a APPEND INBOX ~{3}\r\n")
    assert framer.next_event() == LiteralAnnounced("a", "APPEND", 3, binary=True)


def test_literal_containing_crlf_and_braces_is_not_rescanned() -> None:
    body = b"x {5}\r\n\r\nA2 LOGOUT\r\n"
    data = b"A1 APPEND INBOX {%d+}\r\n%s\r\n" % (len(body), body)
    assert commands(feed_all(data)) == [data]


def test_uid_command_name_is_reported_in_announcement() -> None:
    framer = Framer()
    framer.feed(b"x UID SEARCH TEXT {3}\r\n")
    assert framer.next_event() == LiteralAnnounced("x", "UID SEARCH", 3, binary=False)


def test_reject_literal_drops_the_command() -> None:
    framer = Framer()
    framer.feed(b"a APPEND INBOX {999}\r\n")
    assert isinstance(framer.next_event(), LiteralAnnounced)
    framer.reject_literal()
    framer.feed(b"b NOOP\r\n")
    assert framer.next_event() == CommandReceived(b"b NOOP\r\n", "b")


def test_reject_literal_outside_announcement_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError):
        Framer().reject_literal()


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_split_at_any_byte_boundary_frames_identically(chunk: int) -> None:
    data = (
        b"a1 LOGIN {4+}\r\nuser {6}\r\nsecret\r\n"
        b"a2 APPEND Drafts (\\Seen) {12}\r\nHello\r\nWorld\r\n"
        b"a3 UID FETCH 1:* (FLAGS)\n"
    )
    whole = [e for e in feed_all(data) if not isinstance(e, LiteralAnnounced)]
    assert [e for e in feed_all(data, chunk=chunk) if not isinstance(e, LiteralAnnounced)] == whole
    assert len(whole) == 3


# --- limits -------------------------------------------------------------------------------------


def test_too_long_line_raises_limit_and_resyncs() -> None:
    limits = Limits(max_line=100)
    data = b"a1 SEARCH " + b"X" * 500 + b"\r\na2 NOOP\r\n"
    events = feed_all(data, limits=limits)
    assert isinstance(events[0], WireError)
    assert events[0].tag == "a1"
    assert events[0].response_code == codes.LIMIT
    assert commands(events) == [b"a2 NOOP\r\n"]


@pytest.mark.parametrize("chunk", [1, 10, 1000])
def test_too_long_line_is_discarded_with_bounded_memory(chunk: int) -> None:
    framer = Framer(Limits(max_line=50))
    data = b"t " + b"y" * 5000
    errors = 0
    for i in range(0, len(data), chunk):
        framer.feed(data[i : i + chunk])
        errors += sum(isinstance(e, WireError) for e in drain(framer))
        assert framer.buffered <= 64 + chunk
    assert errors == 1
    framer.feed(b"\r\nb NOOP\r\n")
    assert commands(drain(framer)) == [b"b NOOP\r\n"]


def test_too_long_line_ending_in_nonsync_literal_discards_the_literal() -> None:
    limits = Limits(max_line=40)
    data = b"a1 APPEND " + b"m" * 60 + b" {10+}\r\n0123456789\r\na2 NOOP\r\n"
    events = feed_all(data, limits=limits)
    assert [type(e) for e in events] == [WireError, CommandReceived]
    assert commands(events) == [b"a2 NOOP\r\n"]


def test_oversized_sync_literal_is_refused_with_toobig() -> None:
    limits = Limits(max_literal=10)
    events = feed_all(b"a1 APPEND INBOX {11}\r\na2 NOOP\r\n", limits=limits)
    assert isinstance(events[0], WireError)
    assert events[0].response_code == codes.TOOBIG
    assert events[0].tag == "a1"
    assert commands(events) == [b"a2 NOOP\r\n"]


@pytest.mark.parametrize("chunk", [1, 5, 4096])
def test_oversized_nonsync_literal_is_skipped_with_rest_of_command(chunk: int) -> None:
    limits = Limits(max_literal=10)
    payload = b"A2 LOGOUT\r\n" * 3  # literal content that must never be taken for commands
    data = b"a1 APPEND INBOX {%d+}\r\n%s {3+}\r\nabc\r\na3 NOOP\r\n" % (len(payload), payload)
    events = feed_all(data, chunk=chunk, limits=limits)
    errors = [e for e in events if isinstance(e, WireError)]
    assert len(errors) == 1
    assert errors[0].response_code == codes.TOOBIG
    assert commands(events) == [b"a3 NOOP\r\n"]


def test_discarding_reports_the_rest_of_a_rejected_literal() -> None:
    framer = Framer(Limits(max_literal=10))
    framer.feed(b"a1 APPEND INBOX {1000000+}\r\nabc")
    with pytest.raises(WireError):
        framer.next_event()
    assert framer.next_event() is None
    assert framer.discarding == 1_000_000 - 3


def test_literal_minus_limits_nonsync_literals_to_4096_rfc7888_4() -> None:
    limits = Limits(non_sync=NonSync.MINUS)
    small = b"a1 APPEND INBOX {4096+}\r\n" + b"x" * 4096 + b"\r\n"
    big = b"a2 APPEND INBOX {4097+}\r\n" + b"x" * 4097 + b"\r\na3 NOOP\r\n"
    events = feed_all(small + big, limits=limits)
    assert commands(events) == [small, b"a3 NOOP\r\n"]
    errors = [e for e in events if isinstance(e, WireError)]
    assert [(e.tag, e.response_code) for e in errors] == [("a2", codes.TOOBIG)]


def test_literal_minus_still_allows_large_sync_literals() -> None:
    limits = Limits(non_sync=NonSync.MINUS)
    events = feed_all(b"a1 APPEND INBOX {5000}\r\n" + b"x" * 5000 + b"\r\n", limits=limits)
    assert isinstance(events[0], LiteralAnnounced)
    assert len(commands(events)) == 1


def test_total_literal_bytes_per_command_are_bounded() -> None:
    limits = Limits(max_literal=10, max_command=15)
    data = b"a1 APPEND INBOX {8+}\r\n12345678 {8+}\r\n12345678\r\na2 NOOP\r\n"
    events = feed_all(data, limits=limits)
    assert isinstance(events[0], WireError)
    assert events[0].response_code == codes.TOOBIG
    assert commands(events) == [b"a2 NOOP\r\n"]


# --- raw lines: IDLE DONE, SASL -------------------------------------------------------------------


def test_expect_line_delivers_done_without_literal_processing() -> None:
    framer = Framer()
    framer.feed(b"a1 IDLE\r\nDONE\r\na2 NOOP\r\n")
    assert framer.next_event() == CommandReceived(b"a1 IDLE\r\n", "a1")
    framer.expect_line()
    assert framer.next_event() == LineReceived(b"DONE")
    assert framer.next_event() == CommandReceived(b"a2 NOOP\r\n", "a2")


def test_take_buffer_returns_unframed_bytes_for_starttls_discard() -> None:
    framer = Framer()
    framer.feed(b"a STARTTLS\r\nb injected\r\n")
    assert framer.next_event() == CommandReceived(b"a STARTTLS\r\n", "a")
    assert framer.take_buffer() == b"b injected\r\n"
    assert framer.next_event() is None
    assert framer.idle


# --- Reader ------------------------------------------------------------------------------------


def test_quoted_string_escapes_rfc9051_4_3() -> None:
    r = Reader(b'"a \\"b\\" \\\\c"')
    assert r.quoted() == b'a "b" \\c'
    r.end()


@pytest.mark.parametrize("bad", [b'"abc', b'"a\\b"', b'"a\rb"', b'"a\x00"'])
def test_invalid_quoted_strings_are_rejected(bad: bytes) -> None:
    with pytest.raises(WireError):
        Reader(bad).quoted()


def test_literal8_only_where_allowed_and_nul_only_in_literal8() -> None:
    assert Reader(b"~{3}\r\na\x00b").literal(allow_binary=True) == (b"a\x00b", True)
    with pytest.raises(WireError):
        Reader(b"~{3}\r\nabc").literal()
    with pytest.raises(WireError):
        Reader(b"{3}\r\na\x00b").literal()


def test_short_literal_is_an_error_not_an_index_error() -> None:
    with pytest.raises(WireError):
        Reader(b"{10}\r\nabc").literal()


def test_nil_is_a_whole_token() -> None:
    assert Reader(b"NIL").nstring() is None
    assert Reader(b"nil)").nstring() is None
    assert Reader(b"NILS").astring() == b"NILS"


def test_number_bounds() -> None:
    assert Reader(b"4294967295").number() == 4294967295
    with pytest.raises(WireError):
        Reader(b"4294967296").number()
    with pytest.raises(WireError):
        Reader(b"9" * 5000).number()


def test_tokenize_generic_values() -> None:
    data = b'a1 ID ("name" NIL) {3}\r\nabc ~{1}\r\n\x00 1:5'
    assert tokenize(data) == [
        Atom("a1"),
        Atom("ID"),
        (b"name", None),
        b"abc",
        b"\x00",
        Atom("1:5"),
    ]


def test_tilde_starts_an_atom_unless_it_is_literal8() -> None:
    assert tokenize(b"~peter/mail ~{1}\r\nx") == [Atom("~peter/mail"), b"x"]


def test_nesting_is_bounded() -> None:
    with pytest.raises(WireError) as info:
        tokenize(b"(" * 100_000 + b")" * 100_000)
    assert info.value.response_code == codes.LIMIT


# --- properties ----------------------------------------------------------------------------------


@given(st.binary(max_size=300))
def test_string_literal_round_trip(data: bytes) -> None:
    """parse(render(x)) == x for strings: quoted, literal or literal8 as the renderer chose."""
    r = Reader(render_string(data))
    assert r.value() == data
    r.end()


@given(st.binary(max_size=200).filter(lambda b: b"\x00" not in b), st.booleans())
def test_astring_round_trip(data: bytes, utf8: bool) -> None:
    r = Reader(render_astring(data, utf8=utf8))
    assert r.astring() == data
    r.end()


@given(st.one_of(st.none(), st.binary(max_size=100).filter(lambda b: b"\x00" not in b)))
def test_nstring_round_trip(data: bytes | None) -> None:
    r = Reader(render_nstring(data))
    assert r.nstring() == data
    r.end()


@settings(max_examples=examples(300))
@given(st.binary(max_size=400), st.integers(min_value=1, max_value=50), st.booleans())
def test_fuzz_framer_never_fails_unexpectedly(data: bytes, chunk: int, reject: bool) -> None:
    framer = Framer(Limits(max_line=120, max_literal=64, max_command=100, non_sync=NonSync.MINUS))
    budget = 4 * len(data) + 20  # events are bounded by the input: no livelock
    for i in range(0, len(data), chunk):
        framer.feed(data[i : i + chunk])
        while True:
            budget -= 1
            assert budget > 0
            try:
                event = framer.next_event()
            except WireError:
                continue
            if event is None:
                break
            if isinstance(event, LiteralAnnounced) and reject:
                framer.reject_literal()
            if isinstance(event, CommandReceived):
                tokenize_or_wire_error(event.data)


def tokenize_or_wire_error(data: bytes) -> None:
    with contextlib.suppress(WireError):
        tokenize(data)


@given(st.binary(max_size=300))
def test_fuzz_tokenize_raises_only_wire_error(data: bytes) -> None:
    tokenize_or_wire_error(data)


@given(
    st.lists(
        st.sampled_from([b"(", b")", b" ", b"{2}\r\nab", b"~{1}\r\n\x00", b'"q"', b"NIL", b"atom", b"\r\n"]),
        max_size=80,
    )
)
def test_fuzz_tokenize_structured(parts: list[bytes]) -> None:
    tokenize_or_wire_error(b"".join(parts))
