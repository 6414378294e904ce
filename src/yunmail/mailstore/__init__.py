"""The mail store: folders and messages of mailboxes (by id), one write path in, one change feed out.

Layout:

* ``store``    -- ``MailStore``, the facade other services hold;
* ``ingest``   -- THE write path (SMTP delivery, IMAP APPEND, migration, API import), group commit;
* ``folders``  -- folder names, default special-use folders, create/rename/delete, UIDVALIDITY;
* ``messages`` -- reads, flags, copy/move/expunge, purge; MODSEQ and tombstones;
* ``changes``  -- ``changes_since`` (CONDSTORE/QRESYNC) and live subscriptions (IDLE, push);
* ``search``   -- search-key AST -> SQL; ``quota`` -- usage and the quota rule;
* ``sweep``    -- maintenance: blobs a crash left unreferenced;
* ``flags``, ``model``, ``indexing``, ``context`` -- flag rules, values, parse cache, ports.

Storage layout: message bytes live once per content in the blob store (sha256, fsync'd), rows in
``folders``/``messages``/``message_texts``/``expunged``/``blobs``, per-mailbox MODSEQ and usage on
the directory's ``mailboxes`` row.
"""

from yunmail.mailstore.changes import Change, Changed, ChangeSubscription, Resync
from yunmail.mailstore.flags import ANSWERED, DELETED, DRAFT, FLAGGED, SEEN
from yunmail.mailstore.model import (
    INBOX,
    SEPARATOR,
    ChangeSet,
    CopyResult,
    ExpungeResult,
    FlagMode,
    FlagUpdate,
    Folder,
    FolderRef,
    FolderStatus,
    IngestItem,
    IngestResult,
    MessageFlags,
    MessageInfo,
    MessageSummary,
    SpecialUse,
    UidSet,
    Usage,
)
from yunmail.mailstore.parse_cache import StoredParse, parsed_message
from yunmail.mailstore.search import (
    AllMessages,
    And,
    BodyContains,
    HasFlag,
    HeaderContains,
    ModSeqAtLeast,
    Not,
    Or,
    Received,
    SearchKey,
    Sent,
    Size,
    TextContains,
    UidIn,
)
from yunmail.mailstore.store import DEFAULT_MAX_MESSAGE_BYTES, MailStore

__all__ = [
    "ANSWERED",
    "DEFAULT_MAX_MESSAGE_BYTES",
    "DELETED",
    "DRAFT",
    "FLAGGED",
    "INBOX",
    "SEEN",
    "SEPARATOR",
    "AllMessages",
    "And",
    "BodyContains",
    "Change",
    "ChangeSet",
    "ChangeSubscription",
    "Changed",
    "CopyResult",
    "ExpungeResult",
    "FlagMode",
    "FlagUpdate",
    "Folder",
    "FolderRef",
    "FolderStatus",
    "HasFlag",
    "HeaderContains",
    "IngestItem",
    "IngestResult",
    "MailStore",
    "MessageFlags",
    "MessageInfo",
    "MessageSummary",
    "ModSeqAtLeast",
    "Not",
    "Or",
    "Received",
    "Resync",
    "SearchKey",
    "Sent",
    "Size",
    "SpecialUse",
    "StoredParse",
    "TextContains",
    "UidIn",
    "UidSet",
    "Usage",
    "parsed_message",
]
