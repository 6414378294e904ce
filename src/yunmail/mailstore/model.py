"""Values the mail store hands out and takes in: folders, message views, ingest requests, results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

# A folder is named by its id (fast path for sessions that hold it) or by its name.
FolderRef: TypeAlias = int | str
# UID sets: a ``range`` is kept as one SQL range, other sequences are compressed into runs.
UidSet: TypeAlias = Sequence[int]

INBOX = "INBOX"
SEPARATOR = "/"


class SpecialUse(StrEnum):
    """Roles of the default folders; the IMAP layer maps them to RFC 6154 attributes (virus is ours)."""

    INBOX = "inbox"
    DRAFTS = "drafts"
    SENT = "sent"
    JUNK = "junk"
    TRASH = "trash"
    VIRUS = "virus"


class FlagMode(StrEnum):
    """How ``set_flags`` combines the given flags with the current ones (IMAP STORE +FLAGS/-FLAGS/FLAGS)."""

    ADD = "add"
    REMOVE = "remove"
    REPLACE = "replace"


@dataclass(frozen=True, slots=True)
class Folder:
    id: int
    mailbox_id: int
    name: str
    special_use: SpecialUse | None
    uidvalidity: int
    uidnext: int
    highestmodseq: int
    subscribed: bool
    messages: int
    unseen: int
    size: int


@dataclass(frozen=True, slots=True)
class FolderStatus:
    """IMAP STATUS items (RFC 9051 §6.3.11, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE)."""

    folder_id: int
    name: str
    messages: int
    unseen: int
    uidnext: int
    uidvalidity: int
    highestmodseq: int
    size: int


@dataclass(frozen=True, slots=True)
class MessageFlags:
    """A message's sync state: what CONDSTORE/QRESYNC and untagged FETCH FLAGS need."""

    uid: int
    modseq: int
    flags: frozenset[str]


@dataclass(frozen=True, slots=True)
class MessageSummary:
    """Cheap per-message metadata (SELECT, POP3 listings, UID maps)."""

    message_id: int  # row id, stable across MOVE
    uid: int
    modseq: int
    flags: frozenset[str]
    internal_date: dt.datetime
    size: int


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """Metadata plus the cached parse: FETCH ENVELOPE/BODYSTRUCTURE and webmail lists never re-parse."""

    message_id: int
    uid: int
    modseq: int
    flags: frozenset[str]
    internal_date: dt.datetime
    size: int
    parsed: Mapping[str, Any]  # the JSON form of ``mime.ParsedMessage``; see ``parse_cache``
    subject: str
    from_addr: str
    to_addr: str
    cc_addr: str
    header_message_id: str | None
    sent_date: dt.datetime | None
    preview: str
    has_attachments: bool
    meta: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class IngestItem:
    """One message to store. ``prefix`` holds delivery headers kept outside the shared blob."""

    mailbox_id: int
    data: bytes
    folder: FolderRef = INBOX
    flags: Sequence[str] = ()
    internal_date: dt.datetime | None = None
    prefix: bytes = b""
    dedupe_key: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Where the message landed; ``duplicate`` means ``dedupe_key`` matched and nothing was stored."""

    mailbox_id: int
    folder_id: int
    uid: int
    uidvalidity: int
    modseq: int
    message_id: int  # row id
    size: int
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class FlagUpdate:
    """Result of ``set_flags``: the new state of changed messages and the UIDs UNCHANGEDSINCE refused."""

    modseq: int
    updated: tuple[MessageFlags, ...]
    modified: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class CopyResult:
    """COPYUID material (RFC 4315): target UIDVALIDITY and ``(source uid, new uid)`` pairs."""

    uidvalidity: int
    uid_map: tuple[tuple[int, int], ...]
    modseq: int


@dataclass(frozen=True, slots=True)
class ExpungeResult:
    modseq: int
    uids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What changed in a folder after a MODSEQ: messages added or changed, and UIDs expunged."""

    folder_id: int
    uidvalidity: int
    highestmodseq: int
    changed: tuple[MessageFlags, ...]
    vanished: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Usage:
    used_bytes: int
    quota_bytes: int | None  # None = unlimited
    message_count: int
