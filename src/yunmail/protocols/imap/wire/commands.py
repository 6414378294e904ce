"""Client commands as frozen dataclasses, one per IMAP command (RFC 3501, RFC 9051 and extensions).

This module owns the *shape* of every command; `parse_command` in `command_parser` turns bytes
into these. Every command carries its ``tag``; commands that have a UID form carry ``uid``
(RFC 9051 §6.4.9). Mailbox names are Unicode ``str`` (decoded from modified UTF-7 or UTF-8), with
``INBOX`` normalised to upper case (RFC 9051 §5.1). Flags keep the client's spelling except
system flags, which are canonical (``\\Seen``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeAlias

from yunmail.protocols.imap.wire.fetch_items import FetchItem
from yunmail.protocols.imap.wire.search_keys import SearchKey
from yunmail.protocols.imap.wire.sequence_set import SequenceSet

# --- any state (RFC 9051 §6.1) --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Capability:
    tag: str
    name: ClassVar[str] = "CAPABILITY"


@dataclass(frozen=True, slots=True)
class Noop:
    tag: str
    name: ClassVar[str] = "NOOP"


@dataclass(frozen=True, slots=True)
class Logout:
    tag: str
    name: ClassVar[str] = "LOGOUT"


@dataclass(frozen=True, slots=True)
class Id:
    """RFC 2971: ``ID ("name" "value" ...)`` or ``ID NIL``; ``params`` is ``None`` for NIL."""

    tag: str
    params: tuple[tuple[str, str | None], ...] | None
    name: ClassVar[str] = "ID"


@dataclass(frozen=True, slots=True)
class Compress:
    """RFC 4978: ``COMPRESS DEFLATE``."""

    tag: str
    mechanism: str
    name: ClassVar[str] = "COMPRESS"


# --- not authenticated (RFC 9051 §6.2) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartTLS:
    tag: str
    name: ClassVar[str] = "STARTTLS"


@dataclass(frozen=True, slots=True)
class Authenticate:
    """``AUTHENTICATE mech [initial-response]`` (SASL-IR, RFC 4959).

    ``initial_response`` is ``None`` when absent and ``b""`` for ``=`` (an empty response).
    """

    tag: str
    mechanism: str
    initial_response: bytes | None = None
    name: ClassVar[str] = "AUTHENTICATE"


@dataclass(frozen=True, slots=True)
class Login:
    tag: str
    userid: str
    password: str
    name: ClassVar[str] = "LOGIN"

    def __repr__(self) -> str:  # never log the password
        return f"Login(tag={self.tag!r}, userid={self.userid!r}, password=<redacted>)"


# --- authenticated (RFC 9051 §6.3) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Enable:
    """RFC 5161: ``ENABLE cap...`` (upper-cased, e.g. ``CONDSTORE``, ``QRESYNC``, ``UTF8=ACCEPT``)."""

    tag: str
    capabilities: tuple[str, ...]
    name: ClassVar[str] = "ENABLE"


@dataclass(frozen=True, slots=True)
class QResync:
    """RFC 7162 §3.2.5: ``(QRESYNC (uidvalidity modseq [known-uids [(seqs uids)]]))``."""

    uidvalidity: int
    modseq: int
    known_uids: SequenceSet | None = None
    seq_match: tuple[SequenceSet, SequenceSet] | None = None


@dataclass(frozen=True, slots=True)
class Select:
    """``SELECT mailbox [(CONDSTORE) | (QRESYNC (...))]`` (RFC 4466 §2.1 select-params)."""

    tag: str
    mailbox: str
    condstore: bool = False
    qresync: QResync | None = None
    name: ClassVar[str] = "SELECT"
    readonly: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Examine:
    """``EXAMINE``: SELECT read-only; same parameters."""

    tag: str
    mailbox: str
    condstore: bool = False
    qresync: QResync | None = None
    name: ClassVar[str] = "EXAMINE"
    readonly: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Create:
    """``CREATE mailbox [(USE (\\Sent ...))]`` (RFC 6154 §3)."""

    tag: str
    mailbox: str
    special_use: tuple[str, ...] = ()
    name: ClassVar[str] = "CREATE"


@dataclass(frozen=True, slots=True)
class Delete:
    tag: str
    mailbox: str
    name: ClassVar[str] = "DELETE"


@dataclass(frozen=True, slots=True)
class Rename:
    tag: str
    mailbox: str
    new_name: str
    name: ClassVar[str] = "RENAME"


@dataclass(frozen=True, slots=True)
class Subscribe:
    tag: str
    mailbox: str
    name: ClassVar[str] = "SUBSCRIBE"


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    tag: str
    mailbox: str
    name: ClassVar[str] = "UNSUBSCRIBE"


@dataclass(frozen=True, slots=True)
class List:
    """``LIST [(select-opts)] reference patterns [RETURN (return-opts)]`` (RFC 5258, RFC 5819).

    ``selection`` holds SUBSCRIBED / REMOTE / RECURSIVEMATCH / SPECIAL-USE; ``returns`` holds
    SUBSCRIBED / CHILDREN / SPECIAL-USE / STATUS; ``status_items`` the STATUS return attributes
    (LIST-STATUS). ``extended`` tells whether the client used extended syntax, which changes
    what the server must return (RFC 5258 §3).
    """

    tag: str
    reference: str
    patterns: tuple[str, ...]
    selection: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()
    status_items: tuple[str, ...] = ()
    extended: bool = False
    name: ClassVar[str] = "LIST"


@dataclass(frozen=True, slots=True)
class Lsub:
    tag: str
    reference: str
    pattern: str
    name: ClassVar[str] = "LSUB"


@dataclass(frozen=True, slots=True)
class Namespace:
    """RFC 2342 / RFC 9051 §6.3.10."""

    tag: str
    name: ClassVar[str] = "NAMESPACE"


StatusItem = Literal[
    "MESSAGES",
    "RECENT",
    "UIDNEXT",
    "UIDVALIDITY",
    "UNSEEN",
    "DELETED",
    "SIZE",
    "HIGHESTMODSEQ",
    "APPENDLIMIT",
    "MAILBOXID",
]
STATUS_ITEMS: tuple[StatusItem, ...] = (
    "MESSAGES",
    "RECENT",  # RFC 3501 only
    "UIDNEXT",
    "UIDVALIDITY",
    "UNSEEN",
    "DELETED",  # RFC 9051 §6.3.11
    "SIZE",  # RFC 9051 §6.3.11 / RFC 8438
    "HIGHESTMODSEQ",  # RFC 7162 §3.1.6
    "APPENDLIMIT",  # RFC 7889 §5
    "MAILBOXID",  # RFC 8474 §4.3
)


@dataclass(frozen=True, slots=True)
class Status:
    tag: str
    mailbox: str
    items: tuple[StatusItem, ...]
    name: ClassVar[str] = "STATUS"


@dataclass(frozen=True, slots=True)
class CatenatePart:
    """One part of ``CATENATE (...)`` (RFC 4469 §5): literal text, or an IMAP URL (RFC 5092)."""

    text: bytes | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class AppendMessage:
    """One message of APPEND (RFC 3502 MULTIAPPEND allows several).

    ``binary``: sent as literal8 (RFC 3516 §4.4); ``utf8``: wrapped as ``UTF8 (...)`` (RFC 6855 §4).
    """

    data: bytes
    flags: tuple[str, ...] = ()
    internal_date: dt.datetime | None = None
    binary: bool = False
    utf8: bool = False
    catenate: tuple[CatenatePart, ...] | None = None  # RFC 4469: built from parts, ``data`` empty

    def __repr__(self) -> str:
        parts = "" if self.catenate is None else f", catenate=<{len(self.catenate)} parts>"
        return (
            f"AppendMessage(<{len(self.data)} octets>, flags={self.flags!r}, "
            f"internal_date={self.internal_date!r}, binary={self.binary}, utf8={self.utf8}{parts})"
        )


@dataclass(frozen=True, slots=True)
class Append:
    tag: str
    mailbox: str
    messages: tuple[AppendMessage, ...]
    name: ClassVar[str] = "APPEND"


@dataclass(frozen=True, slots=True)
class Idle:
    """RFC 2177 / RFC 9051 §6.3.13; the session then reads a ``DONE`` line."""

    tag: str
    name: ClassVar[str] = "IDLE"


@dataclass(frozen=True, slots=True)
class GetQuota:
    """RFC 9208 §4.2: ``GETQUOTA root``."""

    tag: str
    root: str
    name: ClassVar[str] = "GETQUOTA"


@dataclass(frozen=True, slots=True)
class GetQuotaRoot:
    tag: str
    mailbox: str
    name: ClassVar[str] = "GETQUOTAROOT"


@dataclass(frozen=True, slots=True)
class SetQuota:
    """RFC 9208 §4.1: ``SETQUOTA root (STORAGE 512 MESSAGE 1000)``; names upper-cased."""

    tag: str
    root: str
    limits: tuple[tuple[str, int], ...]
    name: ClassVar[str] = "SETQUOTA"


# --- selected (RFC 9051 §6.4) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    tag: str
    name: ClassVar[str] = "CHECK"


@dataclass(frozen=True, slots=True)
class Close:
    tag: str
    name: ClassVar[str] = "CLOSE"


@dataclass(frozen=True, slots=True)
class Unselect:
    """RFC 3691 / RFC 9051 §6.4.2."""

    tag: str
    name: ClassVar[str] = "UNSELECT"


@dataclass(frozen=True, slots=True)
class Expunge:
    """``EXPUNGE``, or ``UID EXPUNGE set`` (RFC 4315 §2.1) when ``uids`` is set."""

    tag: str
    uids: SequenceSet | None = None
    name: ClassVar[str] = "EXPUNGE"


SearchReturn = Literal["MIN", "MAX", "ALL", "COUNT", "SAVE", "UPDATE", "CONTEXT", "PARTIAL"]


@dataclass(frozen=True, slots=True)
class PartialRange:
    """RFC 9394 ``PARTIAL first:last``: 1-based positions in the result, or from its end when
    negative (``-1`` is the last); normalised so that ``abs(first) <= abs(last)``."""

    first: int
    last: int

    def render(self) -> str:
        return f"{self.first}:{self.last}"

    def pick(self, numbers: Sequence[int]) -> list[int]:
        if self.first > 0:
            return list(numbers[self.first - 1 : self.last])
        n = len(numbers)
        return list(numbers[max(n + self.last, 0) : max(n + self.first + 1, 0)])


@dataclass(frozen=True, slots=True)
class Search:
    """``[UID] SEARCH [RETURN (...)] [CHARSET x] criteria``.

    ``returns`` is ``None`` without RETURN (answer ``* SEARCH``); otherwise ESEARCH (RFC 4731)
    with these options, where an empty tuple means ``ALL`` (RFC 4731 §3.1).
    """

    tag: str
    criteria: SearchKey
    uid: bool = False
    charset: str | None = None
    returns: tuple[SearchReturn, ...] | None = None
    partial: PartialRange | None = None
    name: ClassVar[str] = "SEARCH"


@dataclass(frozen=True, slots=True)
class Fetch:
    """``[UID] FETCH set items [(CHANGEDSINCE n [VANISHED])]`` (RFC 7162 §3.1.4, §3.2.6)."""

    tag: str
    sequence_set: SequenceSet
    items: tuple[FetchItem, ...]
    uid: bool = False
    changedsince: int | None = None
    vanished: bool = False
    name: ClassVar[str] = "FETCH"


StoreAction = Literal["replace", "add", "remove"]


@dataclass(frozen=True, slots=True)
class Store:
    """``[UID] STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags`` (RFC 7162 §3.1.3)."""

    tag: str
    sequence_set: SequenceSet
    action: StoreAction
    flags: tuple[str, ...]
    silent: bool = False
    uid: bool = False
    unchangedsince: int | None = None
    name: ClassVar[str] = "STORE"


@dataclass(frozen=True, slots=True)
class Copy:
    tag: str
    sequence_set: SequenceSet
    mailbox: str
    uid: bool = False
    name: ClassVar[str] = "COPY"


@dataclass(frozen=True, slots=True)
class Move:
    """RFC 6851 / RFC 9051 §6.4.8."""

    tag: str
    sequence_set: SequenceSet
    mailbox: str
    uid: bool = False
    name: ClassVar[str] = "MOVE"


SortKey = Literal["ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"]
SORT_KEYS: tuple[SortKey, ...] = (
    "ARRIVAL",
    "CC",
    "DATE",
    "FROM",
    "SIZE",
    "SUBJECT",
    "TO",
    "DISPLAYFROM",  # RFC 5957
    "DISPLAYTO",
)


@dataclass(frozen=True, slots=True)
class SortCriterion:
    key: SortKey
    reverse: bool = False


@dataclass(frozen=True, slots=True)
class Sort:
    """RFC 5256 §3: ``[UID] SORT (criteria) charset search-key...`` (RETURN per RFC 5267)."""

    tag: str
    criteria: tuple[SortCriterion, ...]
    charset: str
    search: SearchKey
    uid: bool = False
    returns: tuple[SearchReturn, ...] | None = None
    partial: PartialRange | None = None
    name: ClassVar[str] = "SORT"


@dataclass(frozen=True, slots=True)
class CancelUpdate:
    """RFC 5267 §4.2: ``CANCELUPDATE "tag" *(SP "tag")`` ends search contexts."""

    tag: str
    tags: tuple[str, ...]
    name: ClassVar[str] = "CANCELUPDATE"


ThreadAlgorithm = Literal["ORDEREDSUBJECT", "REFERENCES", "REFS"]


@dataclass(frozen=True, slots=True)
class Thread:
    """RFC 5256 §3: ``[UID] THREAD algorithm charset search-key...``."""

    tag: str
    algorithm: ThreadAlgorithm
    charset: str
    search: SearchKey
    uid: bool = False
    name: ClassVar[str] = "THREAD"


@dataclass(frozen=True, slots=True)
class NotifyGroup:
    """One event group of NOTIFY SET (RFC 5465 §3): which mailboxes, and which events for them.

    ``filter`` is SELECTED, SELECTED-DELAYED, INBOXES, PERSONAL, SUBSCRIBED, SUBTREE or MAILBOXES
    (the last two with ``mailboxes``); ``events`` the event names as the client spelled them
    (empty for ``NONE``); ``fetch_items`` the raw fetch attributes after MessageNew, if any.
    """

    filter: str
    mailboxes: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    fetch_items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Notify:
    """``NOTIFY NONE`` (``groups`` is None) or ``NOTIFY SET [STATUS] group...`` (RFC 5465 §3)."""

    tag: str
    groups: tuple[NotifyGroup, ...] | None
    status: bool = False
    name: ClassVar[str] = "NOTIFY"


Command: TypeAlias = (
    Notify
    | Capability
    | Noop
    | Logout
    | Id
    | Compress
    | StartTLS
    | Authenticate
    | Login
    | Enable
    | Select
    | Examine
    | Create
    | Delete
    | Rename
    | Subscribe
    | Unsubscribe
    | List
    | Lsub
    | Namespace
    | Status
    | Append
    | Idle
    | GetQuota
    | GetQuotaRoot
    | SetQuota
    | Check
    | Close
    | Unselect
    | Expunge
    | Search
    | Fetch
    | Store
    | Copy
    | Move
    | Sort
    | Thread
    | CancelUpdate
)
