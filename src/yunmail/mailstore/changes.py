"""The change feed out of the store: changes in a folder since a MODSEQ, and live notices per mailbox.

IMAP IDLE and untagged updates, POP3 freshness and webmail push all consume this. Notices are
wake-ups, not data: a consumer that hears ``Changed`` calls ``changes_since`` with the MODSEQ it
last saw; one that hears ``Resync`` (its queue overflowed) re-reads the folder state. Subscribe
first, then read state, so that nothing committed in between is missed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType
from typing import TypeAlias

from yunmail.events import MailboxChanged, Overflow, Subscription, SubscriptionClosed
from yunmail.mailstore.context import StoreContext
from yunmail.mailstore.flags import flags_of_row
from yunmail.mailstore.folders import resolve_folder
from yunmail.mailstore.model import ChangeSet, FolderRef, MessageFlags
from yunmail.storage.repos import mail_state
from yunmail.storage.repos import messages as message_rows


@dataclass(frozen=True, slots=True)
class Changed:
    """The mailbox reached ``modseq``; ``folder_ids`` changed (empty: any folder may have)."""

    mailbox_id: int
    modseq: int
    folder_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Resync:
    """Notices were dropped because the consumer fell behind: re-read the state from the store."""

    mailbox_id: int


Change: TypeAlias = Changed | Resync


class ChangeSubscription:
    """Live changes of one mailbox; iterate it (ends when closed) or ``await get()``."""

    def __init__(self, mailbox_id: int, subscription: Subscription, initial: Change | None) -> None:
        self.mailbox_id = mailbox_id
        self._subscription = subscription
        self._initial = initial

    async def get(self) -> Change:
        """The next change; ``SubscriptionClosed`` once closed."""
        if self._initial is not None:
            change, self._initial = self._initial, None
            return change
        while True:
            event = await self._subscription.get()
            if isinstance(event, MailboxChanged):
                return Changed(event.mailbox_id, event.modseq, event.folder_ids)
            if isinstance(event, Overflow):
                return Resync(self.mailbox_id)
            # Other events on the mailbox topic (MessageDelivered) are notifications, not changes.

    def __aiter__(self) -> AsyncIterator[Change]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Change]:
        while True:
            try:
                change = await self.get()
            except SubscriptionClosed:
                return
            yield change

    async def close(self) -> None:
        await self._subscription.close()

    async def __aenter__(self) -> ChangeSubscription:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def subscribe(
    ctx: StoreContext, mailbox_id: int, *, since_modseq: int | None = None, queue_size: int = 256
) -> ChangeSubscription:
    """Subscribe to the mailbox's changes; with ``since_modseq``, a first ``Changed`` comes at once if
    the mailbox is already past it (nothing is lost between a client's last look and now). More than
    ``queue_size`` unread notices collapse into one ``Resync``."""
    subscription = await ctx.bus.subscribe([MailboxChanged(mailbox_id, 0).topic], queue_size=queue_size)
    initial: Change | None = None
    if since_modseq is not None:
        async with ctx.db.read() as conn:
            counters = (await mail_state.read_mailboxes(conn, [mailbox_id])).get(mailbox_id)
        if counters is not None and counters.modseq > since_modseq:
            initial = Changed(mailbox_id, counters.modseq, ())
    return ChangeSubscription(mailbox_id, subscription, initial)


async def changes_since(ctx: StoreContext, mailbox_id: int, folder: FolderRef, modseq: int) -> ChangeSet:
    """Messages added or changed after ``modseq`` and UIDs expunged after it (CONDSTORE/QRESYNC)."""
    async with ctx.db.read() as conn:
        row = await resolve_folder(conn, mailbox_id, folder)
        changed = await message_rows.select_changed_since(conn, row.id, modseq)
        vanished = await message_rows.select_vanished_since(conn, row.id, modseq)
    return ChangeSet(
        folder_id=row.id,
        uidvalidity=row.uidvalidity,
        highestmodseq=row.highestmodseq,
        changed=tuple(MessageFlags(m.uid, m.modseq, flags_of_row(m)) for m in changed),
        vanished=tuple(vanished),
    )
