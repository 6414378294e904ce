"""Header values in the form IMAP SEARCH matches (RFC 3501 §6.4.4), and the address search columns."""

from __future__ import annotations

from yunmail.mailstore.indexing import index_message
from yunmail.mime.header_search import searchable_fields, searchable_value


def test_address_with_comments_inside_is_normalised() -> None:
    assert searchable_value("from", b"<user-from (comment)@ (comment) domain.org>") == "user-from@domain.org"


def test_comment_stands_in_for_a_missing_display_name() -> None:
    assert searchable_value("to", b"user-to@domain.org (RealTo)") == "realto <user-to@domain.org>"


def test_encoded_display_name_is_decoded() -> None:
    assert searchable_value("from", b"=?UTF-8?B?5byg5LiJ?= <zhang@example.cn>") == "张三 <zhang@example.cn>"


def test_group_keeps_its_name() -> None:
    text = searchable_value("to", b"crew: a@x.org, B <b@x.org>;, c@y.org")
    assert text == "crew: a@x.org, b <b@x.org>;, c@y.org"


def test_other_fields_are_unfolded_and_decoded() -> None:
    fields = searchable_fields(b"Subject: =?UTF-8?Q?Caf=C3=A9?=\r\nX-Note: two\r\n  lines\r\n\r\n")
    assert fields == [("subject", "café"), ("x-note", "two lines")]


def test_to_column_keeps_group_names() -> None:
    """RFC 5322 §3.4: the group's name is part of the field, so TO finds it."""
    cached = index_message(b"From: a@b.c\r\nTo: Team: x@y.z, W <w@y.z>;\r\n\r\nbody\r\n")
    assert cached.to_addr == "Team: x@y.z, W <w@y.z>;"


def test_to_column_without_groups_is_the_display_list() -> None:
    cached = index_message(b"From: a@b.c\r\nTo: =?UTF-8?B?5byg5LiJ?= <a@b.c>, d@e.f\r\n\r\nbody\r\n")
    assert cached.to_addr == "张三 <a@b.c>, d@e.f"
