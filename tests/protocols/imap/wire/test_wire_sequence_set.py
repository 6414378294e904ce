"""Sequence sets (RFC 9051 §9 sequence-set, RFC 5182 ``$``): parse, render, membership, iteration."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.sequence_set import MAX_NUMBER, SAVED, SeqRange, SequenceSet

numbers = st.one_of(st.none(), st.integers(min_value=1, max_value=MAX_NUMBER))
seq_ranges = st.builds(SeqRange, numbers, numbers)
sequence_sets = st.one_of(
    st.just(SAVED),
    st.lists(seq_ranges, min_size=1, max_size=8).map(lambda rs: SequenceSet(tuple(rs))),
)


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("1", [(1, 1)]),
        ("*", [(None, None)]),
        ("2:4", [(2, 4)]),
        ("4:2", [(4, 2)]),  # RFC 9051 §9: "2:4 and 4:2 are equivalent"
        ("2,4:7,9,12:*", [(2, 2), (4, 7), (9, 9), (12, None)]),  # RFC 9051 §9 example
        ("*:4,5:7", [(None, 4), (5, 7)]),
        ("4294967295", [(MAX_NUMBER, MAX_NUMBER)]),
    ],
)
def test_parse_rfc9051_examples(text: str, ranges: list[tuple[int | None, int | None]]) -> None:
    assert SequenceSet.parse(text).ranges == tuple(SeqRange(a, b) for a, b in ranges)


@pytest.mark.parametrize(
    "text", ["", "0", "01", "1:", ":1", "1,", ",1", "1:2:3", "4294967296", "1 2", "a", "$,1", "1:$", "-1"]
)
def test_invalid_sets_are_rejected(text: str) -> None:
    with pytest.raises(WireError):
        SequenceSet.parse(text)


def test_saved_marker_rfc5182_2_1() -> None:
    assert SequenceSet.parse("$") == SAVED
    assert SAVED.render() == "$"
    with pytest.raises(WireError):
        SequenceSet.parse("$", allow_saved=False)
    with pytest.raises(ValueError):
        SAVED.contains(1, 10)


def test_membership_with_star_rfc9051_9() -> None:
    s = SequenceSet.parse("2,4:7,9,12:*")
    star = 15
    assert [n for n in range(1, 17) if s.contains(n, star)] == [2, 4, 5, 6, 7, 9, 12, 13, 14, 15]


def test_range_beyond_star_still_includes_the_last_uid_rfc9051_6_4_8() -> None:
    # "559:*" with highest UID 500 names UID 500 (the range is 500:559)
    assert SequenceSet.parse("559:*").select([100, 200, 500]) == [500]


def test_iteration_is_ascending_distinct_and_clipped() -> None:
    s = SequenceSet.parse("5:3,4,9:*,1")
    assert list(s.iter_numbers(10)) == [1, 3, 4, 5, 9, 10]
    assert list(s.iter_numbers(4)) == [1, 3, 4]  # "*" = 4 turns 9:* into 4:9, clipped to 4
    assert list(SequenceSet.parse("1:*").iter_numbers(0)) == []


def test_select_over_uid_list_uses_star_as_last_uid() -> None:
    uids = [3, 7, 8, 20, 21, 40]
    assert SequenceSet.parse("1:8,21:*").select(uids) == [3, 7, 8, 21, 40]
    assert SequenceSet.parse("*").select(uids) == [40]
    assert SequenceSet.parse("1:*").select([]) == []


def test_of_compacts_numbers_for_copyuid() -> None:
    assert SequenceSet.of([304, 319, 320, 3, 2, 1]).render() == "1:3,304,319:320"


def test_max_number_ignores_star() -> None:
    assert SequenceSet.parse("3:*,17").max_number() == 17
    assert SequenceSet.parse("*").max_number() is None


@given(sequence_sets)
def test_round_trip(value: SequenceSet) -> None:
    assert SequenceSet.parse(value.render()) == value


@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=50))
def test_of_contains_exactly_the_numbers(values: list[int]) -> None:
    s = SequenceSet.of(values)
    assert list(s.iter_numbers(10_000)) == sorted(set(values))


@given(sequence_sets.filter(lambda s: not s.saved), st.integers(min_value=0, max_value=50))
def test_iteration_agrees_with_membership(value: SequenceSet, star: int) -> None:
    small = SequenceSet(
        tuple(
            SeqRange(
                None if r.start is None else min(r.start, 60), None if r.stop is None else min(r.stop, 60)
            )
            for r in value.ranges
        )
    )
    expected = [n for n in range(1, star + 1) if small.contains(n, star)]
    assert list(small.iter_numbers(star)) == expected


@given(st.binary(max_size=60))
def test_fuzz_parse_raises_only_wire_error(data: bytes) -> None:
    with contextlib.suppress(WireError):
        SequenceSet.parse(data)
