"""RETURN options beyond RFC 4731: RFC 5267 UPDATE/CONTEXT, RFC 9394 PARTIAL, CANCELUPDATE, and
ESEARCH answers in result order (ESORT) and with ADDTO/REMOVEFROM."""

from __future__ import annotations

import pytest

from yunmail.protocols.imap.wire import commands as c
from yunmail.protocols.imap.wire import responses
from yunmail.protocols.imap.wire.command_parser import parse_command
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.search_keys import All
from yunmail.protocols.imap.wire.sequence_set import SequenceSet


def test_partial_range_is_parsed_and_normalised() -> None:
    """RFC 9394 §3.1: ``4:2`` names the same positions as ``2:4``."""
    command = parse_command(b"t SEARCH RETURN (PARTIAL 4:2) ALL")
    assert command == c.Search("t", All(), returns=("PARTIAL",), partial=c.PartialRange(2, 4))


def test_negative_partial_range_counts_from_the_end() -> None:
    command = parse_command(b"t SEARCH RETURN (PARTIAL -3:-1) ALL")
    assert isinstance(command, c.Search) and command.partial == c.PartialRange(-1, -3)
    assert command.partial.pick([10, 20, 30, 40]) == [20, 30, 40]


def test_partial_picks_positions_from_the_start() -> None:
    assert c.PartialRange(2, 3).pick([10, 20, 30, 40]) == [20, 30]
    assert c.PartialRange(5, 9).pick([10, 20]) == []


@pytest.mark.parametrize(
    "text",
    [
        b"t SEARCH RETURN (PARTIAL 1) ALL",
        b"t SEARCH RETURN (PARTIAL 1:*) ALL",
        b"t SEARCH RETURN (PARTIAL *:1) ALL",
        b"t SEARCH RETURN (PARTIAL 0:5) ALL",
        b"t SEARCH RETURN (PARTIAL -1:5) ALL",
        b"t SEARCH RETURN (PARTIAL 1:5 ALL) ALL",
    ],
)
def test_broken_partial_is_a_syntax_error(text: bytes) -> None:
    with pytest.raises(WireError):
        parse_command(text)


def test_sort_takes_return_options() -> None:
    """RFC 5267 §3 ESORT: ``SORT RETURN (...) (criteria) charset search``."""
    command = parse_command(b"t SORT RETURN (UPDATE PARTIAL 1:10) (ARRIVAL) UTF-8 ALL")
    assert isinstance(command, c.Sort)
    assert command.returns == ("UPDATE", "PARTIAL") and command.partial == c.PartialRange(1, 10)


def test_cancelupdate_takes_quoted_tags() -> None:
    """RFC 5267 §4.2."""
    assert parse_command(b'x CANCELUPDATE "a1" "b2"') == c.CancelUpdate("x", ("a1", "b2"))


def test_esearch_all_keeps_result_order_with_ascending_runs() -> None:
    rendered = responses.ESearch(tag="t", all=(5, 6, 9, 8, 1, 2, 3)).to_bytes()
    assert rendered == b'* ESEARCH (TAG "t") ALL 5:6,9,8,1:3\r\n'


def test_esearch_partial_and_count_in_dovecots_order() -> None:
    rendered = responses.ESearch(tag="t", uid=True, count=9, partial=("2:3", (6, 9))).to_bytes()
    assert rendered == b'* ESEARCH (TAG "t") UID PARTIAL (2:3 6,9) COUNT 9\r\n'


def test_empty_partial_result_is_nil() -> None:
    """RFC 9394 §3.1: no messages in the range gives NIL."""
    assert (
        responses.ESearch(tag="t", partial=("1:5", ())).to_bytes()
        == b'* ESEARCH (TAG "t") PARTIAL (1:5 NIL)\r\n'
    )


def test_context_updates_render_position_and_set() -> None:
    rendered = responses.ESearch(tag="t", addto=((0, (1, 2, 5)),)).to_bytes()
    assert rendered == b'* ESEARCH (TAG "t") ADDTO (0 1:2,5)\r\n'
    assert (
        responses.ESearch(tag="t", all=SequenceSet.of([1, 2])).to_bytes()
        == b'* ESEARCH (TAG "t") ALL 1:2\r\n'
    )
