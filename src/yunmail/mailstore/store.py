"""``MailStore``: the object other services hold; each method delegates to the module owning the concept.

The store sees mailbox ids only, never tenants: ids come from the directory, which has already
checked who may touch which mailbox. A folder is named by id, by name (``INBOX`` case-insensitive)
or by role (``SpecialUse.JUNK``); UID sets are sequences (a ``range`` stays one SQL range).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from yunmail.clock import Clock
from yunmail.errors import YunmailError
from yunmail.events import EventBus
from yunmail.mailstore import changes, folders, messages, quota, search, sweep
from yunmail.mailstore.changes import ChangeSubscription
from yunmail.mailstore.context import StoreContext
from yunmail.mailstore.ingest import Ingestor
from yunmail.mailstore.model import (
    INBOX,
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
    MessageInfo,
    MessageSummary,
    UidSet,
    Usage,
)
from yunmail.mailstore.search import SearchKey
from yunmail.storage import BlobStore, Database

DEFAULT_MAX_MESSAGE_BYTES = 100 * 1024 * 1024


class MailStore:
    """Folders and messages of mailboxes, by mailbox id."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        bus: EventBus,
        clock: Clock,
        *,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self._ctx = StoreContext(db, blobs, bus, clock, max_message_bytes)
        self._ingestor = Ingestor(self._ctx)

    # --- folders ---------------------------------------------------------------------------------

    async def provision(self, mailbox_id: int) -> None:
        """Create the default folders (INBOX, Drafts, Sent, Junk, Trash, Virus); idempotent."""
        await folders.provision(self._ctx, mailbox_id)

    async def list_folders(self, mailbox_id: int, *, subscribed_only: bool = False) -> list[Folder]:
        return await folders.list_folders(self._ctx, mailbox_id, subscribed_only=subscribed_only)

    async def get_folder(self, mailbox_id: int, folder: FolderRef) -> Folder:
        return await folders.get_folder(self._ctx, mailbox_id, folder)

    async def create_folder(self, mailbox_id: int, name: str, *, subscribe: bool = True) -> Folder:
        return await folders.create_folder(self._ctx, mailbox_id, name, subscribe=subscribe)

    async def rename_folder(self, mailbox_id: int, folder: FolderRef, new_name: str) -> Folder:
        return await folders.rename_folder(self._ctx, mailbox_id, folder, new_name)

    async def delete_folder(self, mailbox_id: int, folder: FolderRef) -> None:
        await folders.delete_folder(self._ctx, mailbox_id, folder)

    async def subscribe_folder(self, mailbox_id: int, folder: FolderRef) -> None:
        await folders.set_subscribed(self._ctx, mailbox_id, folder, True)

    async def unsubscribe_folder(self, mailbox_id: int, folder: FolderRef) -> None:
        await folders.set_subscribed(self._ctx, mailbox_id, folder, False)

    async def list_subscriptions(self, mailbox_id: int) -> list[str]:
        return await folders.list_subscriptions(self._ctx, mailbox_id)

    async def claim_recent(self, mailbox_id: int, folder_id: int, upto: int, *, claim: bool = True) -> int:
        return await folders.claim_recent(self._ctx, mailbox_id, folder_id, upto, claim=claim)

    async def status(self, mailbox_id: int, folder: FolderRef, *, recent: bool = False) -> FolderStatus:
        return await folders.status(self._ctx, mailbox_id, folder, recent=recent)

    # --- the write path --------------------------------------------------------------------------

    async def ingest(
        self,
        mailbox_id: int,
        data: bytes,
        *,
        folder: FolderRef = INBOX,
        flags: Sequence[str] = (),
        internal_date: dt.datetime | None = None,
        prefix: bytes = b"",
        dedupe_key: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> IngestResult:
        """Store one message; returns only after its blob is fsync'd and its row committed."""
        item = IngestItem(mailbox_id, data, folder, flags, internal_date, prefix, dedupe_key, meta or {})
        return await self._ingestor.ingest(item)

    async def ingest_many(self, items: Sequence[IngestItem]) -> list[IngestResult | YunmailError]:
        """Store many messages in one transaction (one commit); per item its result or its error."""
        return await self._ingestor.ingest_many(items)

    # --- messages --------------------------------------------------------------------------------

    async def list_messages(
        self, mailbox_id: int, folder: FolderRef, uids: UidSet | None = None
    ) -> list[MessageSummary]:
        return await messages.list_messages(self._ctx, mailbox_id, folder, uids)

    async def fetch_messages(self, mailbox_id: int, folder: FolderRef, uids: UidSet) -> list[MessageInfo]:
        return await messages.fetch_messages(self._ctx, mailbox_id, folder, uids)

    async def read_message(
        self, mailbox_id: int, folder: FolderRef, uid: int, *, start: int = 0, end: int | None = None
    ) -> bytes:
        return await messages.read_message(self._ctx, mailbox_id, folder, uid, start=start, end=end)

    async def read_messages(
        self, mailbox_id: int, folder: FolderRef, uids: Sequence[int]
    ) -> dict[int, bytes]:
        """Whole messages by UID in one query (blobs read concurrently); missing UIDs are absent."""
        return await messages.read_messages(self._ctx, mailbox_id, folder, uids)

    async def set_flags(
        self,
        mailbox_id: int,
        folder: FolderRef,
        uids: UidSet,
        flags: Iterable[str],
        *,
        mode: FlagMode = FlagMode.ADD,
        unchanged_since: int | None = None,
    ) -> FlagUpdate:
        return await messages.set_flags(
            self._ctx, mailbox_id, folder, uids, flags, mode=mode, unchanged_since=unchanged_since
        )

    async def copy_messages(
        self, mailbox_id: int, folder: FolderRef, uids: UidSet, target: FolderRef
    ) -> CopyResult:
        return await messages.copy_messages(self._ctx, mailbox_id, folder, uids, target)

    async def move_messages(
        self, mailbox_id: int, folder: FolderRef, uids: UidSet, target: FolderRef
    ) -> CopyResult:
        return await messages.move_messages(self._ctx, mailbox_id, folder, uids, target)

    async def expunge(
        self, mailbox_id: int, folder: FolderRef, uids: UidSet | None = None, *, only_deleted: bool = True
    ) -> ExpungeResult:
        return await messages.expunge(self._ctx, mailbox_id, folder, uids, only_deleted=only_deleted)

    async def purge_mailbox(self, mailbox_id: int) -> None:
        """Really delete all mail of the mailbox (recycle bin emptied); call before deleting its row."""
        await messages.purge_mailbox(self._ctx, mailbox_id)

    # --- change feed, search, quota --------------------------------------------------------------

    async def changes_since(self, mailbox_id: int, folder: FolderRef, modseq: int) -> ChangeSet:
        return await changes.changes_since(self._ctx, mailbox_id, folder, modseq)

    async def subscribe(
        self, mailbox_id: int, *, since_modseq: int | None = None, queue_size: int = 256
    ) -> ChangeSubscription:
        """Live changes of the mailbox (IDLE, push); see ``changes.subscribe``."""
        return await changes.subscribe(
            self._ctx, mailbox_id, since_modseq=since_modseq, queue_size=queue_size
        )

    async def search(self, mailbox_id: int, folder: FolderRef, key: SearchKey) -> list[int]:
        return await search.search(self._ctx, mailbox_id, folder, key)

    async def usage(self, mailbox_id: int) -> Usage:
        return await quota.usage(self._ctx, mailbox_id)

    async def sweep_blobs(self) -> int:
        """Maintenance: remove blobs a crash left unreferenced (safe alongside live writers)."""
        return await sweep.sweep_blobs(self._ctx)
