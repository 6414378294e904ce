"""The recycle-bin worker: purges mailboxes that have sat in the recycle bin for the retention period.

The runtime calls ``run_once`` periodically (the interval is the runtime's choice; nothing here
sleeps). A mailbox recycled at ``t`` is purged by the first run at or after
``t + Settings.limits.recycle_bin_days``. Each purge re-checks, in its own transaction, that the
mailbox is still recycled and old enough, so a restore racing with the worker wins. A mailbox whose
purge fails (mail store trouble) is logged and retried on the next run; the others still go.
"""

from __future__ import annotations

import datetime as dt

from yunmail import logging
from yunmail.directory.context import DirectoryContext
from yunmail.directory.mailboxes import Mailboxes
from yunmail.errors import MailboxNotFound
from yunmail.storage.repos import mailboxes as mailbox_rows

WORKER_ACTOR = "system:recycle-bin"

_log = logging.get("yunmail.directory.recycle_bin")


class RecycleBinWorker:
    def __init__(self, ctx: DirectoryContext, mailboxes: Mailboxes, *, batch_size: int = 100) -> None:
        self._ctx = ctx
        self._mailboxes = mailboxes
        self._batch_size = batch_size

    async def run_once(self) -> list[int]:
        """Purge everything due now (by the clock); the purged mailbox ids."""
        return await self.purge_expired(self._ctx.now())

    async def purge_expired(self, now: dt.datetime) -> list[int]:
        """Purge every mailbox recycled at or before ``now - retention``; the purged mailbox ids."""
        cutoff = now - self._mailboxes.retention
        purged: list[int] = []
        failed: set[int] = set()
        while True:
            async with self._ctx.db.read() as conn:
                due = await mailbox_rows.expired(
                    conn, recycled_before=cutoff, limit=self._batch_size + len(failed)
                )
            pending = [(e, m) for e, m in due if m not in failed]
            if not pending:
                return purged
            for enterprise_id, mailbox_id in pending:
                try:
                    done = await self._mailboxes.purge_recycled(
                        enterprise_id, mailbox_id, WORKER_ACTOR, recycled_before=cutoff
                    )
                except MailboxNotFound:
                    continue  # purged by an administrator meanwhile
                except Exception:
                    _log.exception("recycle bin: purging mailbox %s failed; will retry", mailbox_id)
                    failed.add(mailbox_id)
                    continue
                if done:
                    purged.append(mailbox_id)
                else:
                    failed.add(mailbox_id)  # restored meanwhile: not ours to purge this run
