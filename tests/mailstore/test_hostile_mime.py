"""Hostile MIME through ingest: stored byte-exact, indexed shallowly, never refused for its structure."""

from __future__ import annotations

import json

import pytest

from yunmail.mailstore import BodyContains, MailStore
from yunmail.mime import MAX_PARTS, ParsedMessage

# Bound on the cached structure of any message: deep or wide input must not blow up the row.
MAX_PARSED_JSON = 4 * 1024 * 1024


def deep_nesting(levels: int) -> bytes:
    head = b"Subject: deep\r\nMIME-Version: 1.0\r\n"
    parts = [head]
    for i in range(levels):
        parts.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i))
    parts.append(b"Content-Type: text/plain\r\n\r\ninnermost\r\n")
    for i in reversed(range(levels)):
        parts.append(b"--b%d--\r\n" % i)
    return b"".join(parts)


def many_parts(count: int) -> bytes:
    head = b'Subject: wide\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="w"\r\n\r\n'
    body = b"".join(b"--w\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(count))
    return head + body + b"--w--\r\n"


BROKEN = {
    "unclosed boundary": (
        b'Subject: x\r\nContent-Type: multipart/mixed; boundary="u"\r\n\r\n--u\r\n\r\nno end'
    ),
    "boundary never used": b'Subject: x\r\nContent-Type: multipart/mixed; boundary="q"\r\n\r\njust text\r\n',
    "empty boundary": b'Subject: x\r\nContent-Type: multipart/mixed; boundary=""\r\n\r\n--\r\n\r\n----\r\n',
    "nested same boundary": (
        b'Subject: x\r\nContent-Type: multipart/mixed; boundary="s"\r\n\r\n--s\r\n'
        b'Content-Type: multipart/mixed; boundary="s"\r\n\r\n--s\r\n\r\ninner\r\n--s--\r\n--s--\r\n'
    ),
    "no header body separator": b"Subject: only headers\r\nFrom: a@example.org\r\n",
    "bare LF and NUL bytes": b"Subject: lf\nFrom: a@example.org\n\nbody\x00with\x00nul\n",
    "8-bit garbage headers": b"Subject: \xff\xfe\xfd\r\nFrom: \x80\x81\r\n\r\n\xc3\x28 invalid utf-8\r\n",
    "empty message": b"",
    "header line without colon": b"Subject: x\r\nthis is not a header\r\n\r\nbody\r\n",
    "huge header line": b"Subject: " + b"A" * 200_000 + b"\r\n\r\nbody\r\n",
}


async def _ingest_and_read_back(store: MailStore, mailbox: int, data: bytes) -> ParsedMessage:
    """Ingest, check the bytes come back exactly, and return the cached structure as IMAP rebuilds it."""
    result = await store.ingest(mailbox, data)
    assert result.size == len(data)
    assert await store.read_message(mailbox, "INBOX", result.uid) == data
    (info,) = await store.fetch_messages(mailbox, "INBOX", [result.uid])
    assert len(json.dumps(dict(info.parsed))) < MAX_PARSED_JSON
    return ParsedMessage.from_dict(dict(info.parsed))


async def test_thousand_levels_of_nesting_are_stored_exactly(store: MailStore, mailbox: int) -> None:
    parsed = await _ingest_and_read_back(store, mailbox, deep_nesting(1000))
    assert "depth" in parsed.limits_hit


async def test_hundred_thousand_parts_are_stored_exactly(store: MailStore, mailbox: int) -> None:
    parsed = await _ingest_and_read_back(store, mailbox, many_parts(100_000))
    assert parsed.part_count <= MAX_PARTS and "parts" in parsed.limits_hit


@pytest.mark.parametrize("name", sorted(BROKEN))
async def test_broken_structure_is_stored_exactly(store: MailStore, mailbox: int, name: str) -> None:
    parsed = await _ingest_and_read_back(store, mailbox, BROKEN[name])
    assert parsed.size == len(BROKEN[name])


async def test_body_of_broken_message_is_still_searchable(store: MailStore, mailbox: int) -> None:
    await store.ingest(mailbox, BROKEN["unclosed boundary"])
    assert await store.search(mailbox, "INBOX", BodyContains("no end")) == [1]
