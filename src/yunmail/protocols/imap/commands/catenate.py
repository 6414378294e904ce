"""CATENATE (RFC 4469): build an APPENDed message from literal text and IMAP URLs (RFC 5092).

Only URLs into the session's own mailbox are followed (the relative form ``/mailbox[;UIDVALIDITY=n]
/;UID=n[/;SECTION=s][/;PARTIAL=o[.l]]``, or the same path after ``imap://host``). A URL that does
not parse, names a missing folder or message, a different UIDVALIDITY or a missing section makes
the whole APPEND fail with ``NO [BADURL url]`` (RFC 4469 §5) before anything is stored.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from yunmail import errors
from yunmail.mailstore import INBOX
from yunmail.protocols.imap import render
from yunmail.protocols.imap.commands.fetch import cached_parse, parse_raw
from yunmail.protocols.imap.wire import commands, utf7
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.fetch_items import BodySection, Section, parse_fetch_items

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session

_AUTHORITY = re.compile(r"imap://[^/]*", re.IGNORECASE)
_UID_MARK = re.compile(r"/;UID=", re.IGNORECASE)
_UIDVALIDITY = re.compile(r";UIDVALIDITY=([0-9]+)\Z", re.IGNORECASE)
_PARAM = re.compile(r"(UID|SECTION|PARTIAL)=(.*)\Z", re.IGNORECASE | re.DOTALL)
_PARTIAL = re.compile(r"([0-9]+)(?:\.([0-9]+))?\Z")


class BadUrl(Exception):
    """A CATENATE URL that cannot be resolved; ``url`` is the client's text."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def _mailbox_name(encoded: str) -> str:
    raw = urllib.parse.unquote_to_bytes(encoded)
    if raw.upper() == INBOX.encode():
        return INBOX
    if raw.isascii():
        return utf7.decode(raw)
    return raw.decode("utf-8")


def _parse(url: str) -> tuple[str, int | None, int, Section | None, tuple[int, int | None] | None]:
    """(mailbox, uidvalidity, uid, section, partial) of an IMAP URL; ``ValueError`` when malformed."""
    path = url
    authority = _AUTHORITY.match(path)
    if authority is not None:
        path = path[authority.end() :]
    mark = _UID_MARK.search(path)
    if not path.startswith("/") or mark is None:
        raise ValueError("not an IMAP message URL")
    mailbox = path[1 : mark.start()]
    uidvalidity: int | None = None
    validity = _UIDVALIDITY.search(mailbox)
    if validity is not None:
        uidvalidity = int(validity.group(1))
        mailbox = mailbox[: validity.start()]
    values: dict[str, str] = {}
    for param in path[mark.start() + 2 :].split("/;"):
        m = _PARAM.match(param)
        if m is None or m.group(1).upper() in values:
            raise ValueError("bad URL parameter")
        values[m.group(1).upper()] = urllib.parse.unquote(m.group(2))
    uid = int(values["UID"])
    section: Section | None = None
    if "SECTION" in values:
        item = parse_fetch_items(f"BODY.PEEK[{values['SECTION']}]")[0]
        assert isinstance(item, BodySection)
        section = item.section
    partial: tuple[int, int | None] | None = None
    if "PARTIAL" in values:
        p = _PARTIAL.match(values["PARTIAL"])
        if p is None:
            raise ValueError("bad PARTIAL")
        partial = (int(p.group(1)), int(p.group(2)) if p.group(2) else None)
    if uid < 1 or not mailbox:
        raise ValueError("bad UID or mailbox")
    return _mailbox_name(mailbox), uidvalidity, uid, section, partial


async def _resolve(session: Session, url: str) -> bytes:
    try:
        name, uidvalidity, uid, section, partial = _parse(url)
    except (ValueError, WireError, utf7.Utf7Error):
        raise BadUrl(url) from None
    store = session.store
    try:
        folder = await store.get_folder(session.mailbox_id, name)
        if uidvalidity is not None and uidvalidity != folder.uidvalidity:
            raise BadUrl(url)
        raw = await store.read_message(session.mailbox_id, folder.id, uid)
        data: bytes | None = raw
        if section is not None:
            infos = await store.fetch_messages(session.mailbox_id, folder.id, [uid])
            parsed = (cached_parse(infos[0]) if infos else None) or await parse_raw(raw)
            data = render.section_bytes(raw, parsed, section)
    except (errors.FolderNotFound, errors.MessageNotFound):
        raise BadUrl(url) from None
    if data is None:
        raise BadUrl(url)
    if partial is not None:
        start, length = partial
        data = data[start:] if length is None else data[start : start + length]
    return data


async def assemble(session: Session, parts: Sequence[commands.CatenatePart]) -> bytes:
    """The message the parts describe, in order; ``BadUrl`` for the first URL that fails."""
    out = bytearray()
    for part in parts:
        if part.url is not None:
            out += await _resolve(session, part.url)
        else:
            out += part.text or b""
    return bytes(out)
