"""The session model (tests/support/imap_model.py) flags each rule it checks, and nothing else.

The concurrent-sessions test and bench/imap_stress.py trust it to find server errors; these cases
feed it hand-written response streams. (Against Dovecot 2.3 the bench's sessions record no
violations, so the model has no false positives on a real server's traffic either.)
"""

from __future__ import annotations

from support.imap_model import MailboxView, UidFacts, expand_uid_set, strip_literals

SELECTED = [
    b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    b"* 3 EXISTS",
    b"* 1 FETCH (UID 4 FLAGS (\\Seen))",
    b"* 2 FETCH (UID 7 FLAGS ())",
    b"* 3 FETCH (UID 9 FLAGS (\\Recent))",
]


def selected() -> MailboxView:
    view = MailboxView("s")
    view.feed_all(SELECTED)
    return view


def test_a_consistent_stream_records_no_violation() -> None:
    view = selected()
    view.feed_all([b"* FLAGS (\\Seen $Work)", b"* 2 FETCH (FLAGS ($Work) UID 7)", b"* 1 EXPUNGE"])
    assert view.violations == []
    assert view.uids == [7, 9]
    assert view.differences([(7, ["$Work"]), (9, [])]) == []


def test_keyword_in_fetch_before_an_untagged_flags_is_a_violation() -> None:
    """RFC 3501 §7.2.6: FLAGS lists every flag the mailbox uses; a FETCH may not run ahead of it."""
    view = selected()
    view.feed(b"* 2 FETCH (UID 7 FLAGS ($Work))")
    assert len(view.violations) == 1
    assert "$work" in view.violations[0]


def test_expunge_outside_the_sequence_range_is_a_violation() -> None:
    """RFC 3501 §7.4.1: EXPUNGE names a message the client has."""
    view = selected()
    view.feed(b"* 4 EXPUNGE")
    assert view.violations != []


def test_exists_below_the_count_is_a_violation() -> None:
    """RFC 3501 §7.3.1: only EXPUNGE makes the mailbox smaller."""
    view = selected()
    view.feed(b"* 2 EXISTS")
    assert view.violations != []


def test_uids_that_do_not_ascend_are_a_violation() -> None:
    """RFC 3501 §2.3.1.1: UIDs ascend with sequence numbers."""
    view = MailboxView()
    view.feed_all([b"* FLAGS ()", b"* 2 EXISTS", b"* 1 FETCH (UID 5)", b"* 2 FETCH (UID 5)"])
    assert view.violations != []


def test_a_message_that_changes_uid_is_a_violation() -> None:
    view = selected()
    view.feed(b"* 1 FETCH (UID 5)")
    assert view.violations != []


def test_vanished_of_a_never_announced_uid_is_a_violation() -> None:
    """RFC 7162 §3.2.10: VANISHED (without EARLIER) names UIDs the client knows."""
    view = selected()
    view.feed(b"* VANISHED 4,8")
    assert view.violations != []
    assert view.uids == [7, 9]


def test_stale_flags_differ_from_the_mailbox() -> None:
    view = selected()
    assert view.differences([(4, ["\\Seen", "\\Flagged"]), (7, []), (9, [])]) != []


def test_literal_data_is_dropped_so_header_text_cannot_pass_for_fetch_items() -> None:
    line = b"* 1 FETCH (UID 4 BODY[HEADER.FIELDS (SUBJECT)] {20}\r\nSubject: FLAGS (x)\r\n)"
    assert strip_literals(line) == b"* 1 FETCH (UID 4 BODY[HEADER.FIELDS (SUBJECT)] {20})"


def test_a_uid_with_two_sizes_is_reported() -> None:
    facts = UidFacts()
    assert facts.size(3, 100) is None
    assert facts.size(3, 100) is None
    assert facts.size(3, 101) is not None


def test_uid_sets_expand() -> None:
    assert expand_uid_set("1:3,7,9:8") == [1, 2, 3, 7, 8, 9]
