"""SEARCH criteria (RFC 9051 §6.4.4, RFC 3501 §6.4.4 and extensions): examples, round trips, fuzz."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.budgets import examples
from yunmail.protocols.imap.wire import codes
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.search_keys import (
    TEXT_FIELDS,
    All,
    And,
    Contains,
    DateKey,
    HasFlag,
    Header,
    ModSeq,
    Not,
    Or,
    SaveDateSupported,
    SearchKey,
    SeqSet,
    Size,
    Uid,
    Within,
    charset_decoder,
    parse_search,
    render_search,
)
from yunmail.protocols.imap.wire.sequence_set import SAVED, SequenceSet
from yunmail.protocols.imap.wire.tokenizer import ATOM_CHARS

SEEN = HasFlag("\\Seen")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # RFC 9051 §6.4.4 examples
        (
            'FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"',
            And(
                (
                    HasFlag("\\Flagged"),
                    DateKey("INTERNAL", "SINCE", dt.date(1994, 2, 1)),
                    Not(Contains("FROM", "Smith")),
                )
            ),
        ),
        ('TEXT "string not in mailbox"', Contains("TEXT", "string not in mailbox")),
        ('DELETED FROM "SMITH" SINCE 1-Feb-1994', None),
        ("ALL", All()),
        ("unseen", Not(SEEN)),
        ("NEW", And((HasFlag("\\Recent"), Not(SEEN)))),
        ("OLD", Not(HasFlag("\\Recent"))),
        ("KEYWORD $Forwarded", HasFlag("$Forwarded")),
        ("UNKEYWORD $Junk", Not(HasFlag("$Junk"))),
        ("OR SEEN FLAGGED", Or(SEEN, HasFlag("\\Flagged"))),
        ("(SEEN)", SEEN),
        ("1:5 UID 7,9:*", And((SeqSet(SequenceSet.parse("1:5")), Uid(SequenceSet.parse("7,9:*"))))),
        ("$", SeqSet(SAVED)),  # RFC 5182 §2.1
        ("UID $", Uid(SAVED)),
        ('HEADER Message-ID "<x@y>"', Header("Message-ID", "<x@y>")),
        ('HEADER X-Spam ""', Header("X-Spam", "")),
        ("LARGER 1024 SMALLER 2048", And((Size("LARGER", 1024), Size("SMALLER", 2048)))),
        ('SENTBEFORE "3-Mar-2003"', DateKey("SENT", "BEFORE", dt.date(2003, 3, 3))),
        ("SENTON 29-Feb-2024", DateKey("SENT", "ON", dt.date(2024, 2, 29))),
        ("SAVEDSINCE 1-Jan-2020", DateKey("SAVED", "SINCE", dt.date(2020, 1, 1))),  # RFC 8514
        ("SAVEDATESUPPORTED", SaveDateSupported()),
        ("YOUNGER 3600", Within("YOUNGER", 3600)),  # RFC 5032
        ("MODSEQ 620162338", ModSeq(620162338)),  # RFC 7162 §3.1.5
        ('MODSEQ "/flags/\\\\draft" all 620162338', ModSeq(620162338, "\\Draft", "all")),
        ("SUBJECT {6}\r\nfoo\r\nb", Contains("SUBJECT", "foo\r\nb")),
        ("NOT NOT SEEN", Not(Not(SEEN))),
    ],
)
def test_rfc_examples(text: str, key: SearchKey | None) -> None:
    parsed = parse_search(text)
    if key is not None:
        assert parsed == key
    assert parse_search(render_search(parsed)) == parsed


def test_utf8_search_string_is_decoded() -> None:
    assert parse_search('SUBJECT "会议纪要"'.encode()) == Contains("SUBJECT", "会议纪要")


def test_unsupported_charset_answers_no_badcharset_rfc9051_6_4_4() -> None:
    with pytest.raises(WireError) as info:
        charset_decoder("KOI8-R")
    assert info.value.status == "NO"
    assert info.value.response_code == codes.ResponseCode("BADCHARSET", "(UTF-8 US-ASCII)")


def test_extra_charsets_can_be_allowed() -> None:
    assert parse_search(
        "TEXT {4}\r\n\xc4\xe3\xba\xc3".encode("latin-1"), charset="GBK", supported=["UTF-8", "GBK"]
    ) == (Contains("TEXT", "你好"))


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "FOO",
        "SINCE 31-Feb-2020",
        "SINCE 1-Foo-2020",
        "LARGER x",
        "OR SEEN",
        "NOT",
        "()",
        "(SEEN",
        "SEEN)",
        "KEYWORD \\Seen",
        'MODSEQ "/flags/x" bogus 5',
        'MODSEQ "bad" all 5',
        "OLDER 0",
        "SUBJECT {3}\r\na\x00b",
        "TEXT {2}\r\n\xff\xfe",
    ],
)
def test_invalid_criteria_raise_wire_error(bad: str) -> None:
    with pytest.raises(WireError):
        parse_search(bad.encode("latin-1"))


def test_deep_not_chain_is_bounded() -> None:
    with pytest.raises(WireError) as info:
        parse_search(b"NOT " * 50_000 + b"SEEN")
    assert info.value.response_code == codes.LIMIT


def test_deep_or_chain_is_bounded() -> None:
    with pytest.raises(WireError):
        parse_search(b"OR SEEN " * 50_000 + b"SEEN")


# --- strategies ---------------------------------------------------------------------------------

_atom_text = st.text(alphabet=st.sampled_from(ATOM_CHARS.decode("ascii")), min_size=1, max_size=12)
_keywords = _atom_text.filter(lambda s: not s.startswith("\\"))
_flags = st.one_of(
    st.sampled_from(["\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen", "\\Recent"]), _keywords
)
_strings = st.text(alphabet=st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=20)
_sets = st.one_of(
    st.just(SAVED),
    st.lists(st.integers(1, 2**32 - 1), min_size=1, max_size=4).map(SequenceSet.of),
    st.just(SequenceSet.parse("1:*")),
)
_header_names = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=":"),
    min_size=1,
    max_size=15,
)

_leaves: st.SearchStrategy[SearchKey] = st.one_of(
    st.just(All()),
    st.builds(HasFlag, _flags),
    st.builds(Contains, st.sampled_from(TEXT_FIELDS), _strings),
    st.builds(Header, _header_names, _strings),
    st.builds(
        DateKey,
        st.sampled_from(["INTERNAL", "SENT", "SAVED"]),
        st.sampled_from(["BEFORE", "ON", "SINCE"]),
        st.dates(min_value=dt.date(1, 1, 1)),
    ),
    st.builds(Size, st.sampled_from(["LARGER", "SMALLER"]), st.integers(0, 2**63 - 1)),
    st.builds(SeqSet, _sets),
    st.builds(Uid, _sets),
    st.builds(ModSeq, st.integers(0, 2**63 - 1)),
    st.builds(
        ModSeq,
        st.integers(0, 2**63 - 1),
        _flags.filter(lambda f: f != "\\Recent"),
        st.sampled_from(["priv", "shared", "all"]),
    ),
    st.builds(Within, st.sampled_from(["OLDER", "YOUNGER"]), st.integers(1, 2**32 - 1)),
    st.just(SaveDateSupported()),
)
search_keys: st.SearchStrategy[SearchKey] = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(Or, inner, inner),
        st.lists(inner, min_size=2, max_size=4).map(lambda ks: And(tuple(ks))),
    ),
    max_leaves=12,
)


@settings(max_examples=examples(300))
@given(search_keys, st.booleans())
def test_round_trip(key: SearchKey, utf8: bool) -> None:
    assert parse_search(render_search(key, utf8=utf8)) == key


@given(st.binary(max_size=200))
def test_fuzz_parse_raises_only_wire_error(data: bytes) -> None:
    with contextlib.suppress(WireError):
        parse_search(data)


_words = st.sampled_from(
    [b"OR", b"NOT", b"(", b")", b"SEEN", b"UID", b"1:*", b"$", b"SINCE", b"1-Feb-1994", b'"x"', b"{1}\r\nz",
     b"HEADER", b"MODSEQ", b'"/flags/\\\\Seen"', b"all", b"5", b"LARGER", b"KEYWORD", b"TEXT"]
)  # fmt: skip


@given(st.lists(_words, max_size=30), st.sampled_from([b" ", b""]))
def test_fuzz_structured_raises_only_wire_error(words: list[bytes], sep: bytes) -> None:
    with contextlib.suppress(WireError):
        parse_search(b" ".join(words) + sep)
