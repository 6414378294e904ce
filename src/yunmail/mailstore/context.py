"""The ports every mail-store operation uses, and what each write does after commit: reclaim blobs, publish.

Reclaiming follows the protocol in ``storage.repos.blobrefs``: the reference drop is committed
first, then a second transaction deletes the still-unreferenced rows and their files. A crash in
between leaves an unreferenced file or a zero row (harmless, swept later), never a dangling row.

Both after-commit steps are best effort: the write is already durable and must be reported as
done, so their failures are logged, never raised (a lost notice is healed by the next change or a
resync; a leftover blob by a later sweep).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from yunmail import logging
from yunmail.clock import Clock
from yunmail.events import EventBus, MailboxChanged
from yunmail.mailstore.parse_cache import ParseCache
from yunmail.storage import BlobStore, Database
from yunmail.storage.repos import blobrefs

_log = logging.get("mailstore")


@dataclass(frozen=True, slots=True)
class StoreContext:
    db: Database
    blobs: BlobStore
    bus: EventBus
    clock: Clock
    max_message_bytes: int
    parses: ParseCache = field(default_factory=ParseCache)

    def now(self) -> dt.datetime:
        return self.clock.now()

    async def publish(self, mailbox_id: int, modseq: int, folder_ids: Iterable[int]) -> None:
        try:
            await self.bus.publish(MailboxChanged(mailbox_id, modseq, tuple(sorted(set(folder_ids)))))
        except Exception:
            _log.warning("change notice lost", exc_info=True, extra={"fields": {"mailbox": mailbox_id}})

    async def reclaim_blobs(self, keys: Iterable[str]) -> None:
        """Delete blobs whose last reference was dropped in a committed transaction."""
        wanted = sorted(set(keys))
        if not wanted:
            return
        try:
            async with self.db.transaction() as conn:
                for key in await blobrefs.claim_unreferenced(conn, wanted):
                    await self.blobs.delete(key)
        except Exception:
            _log.warning("blob reclaim deferred", exc_info=True, extra={"fields": {"blobs": len(wanted)}})

    async def discard_blob(self, key: str, size: int) -> None:
        # ``size`` only fills the reserved row until it is claimed (or a writer's upsert sets it).
        """Delete a blob that was put but never referenced (its ingest failed), unless someone else did."""
        try:
            async with self.db.transaction() as conn:
                await blobrefs.reserve_unreferenced(conn, key, size)
                for claimed in await blobrefs.claim_unreferenced(conn, [key]):
                    await self.blobs.delete(claimed)
        except Exception:
            _log.warning("orphan blob left for the sweeper", exc_info=True)
