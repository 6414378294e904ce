"""Local delivery: filter chain -> folder routing -> per-recipient dedupe -> group-committed ingest.

Pipeline for one accepted message and its local mailboxes:

1. **filters**: every ``MessageFilter`` gives a ``FilterVerdict`` (deliver / junk / virus / reject).
   Spam and virus scanners plug in here later; today the chain is ``NoopFilter``, which records
   that nothing was checked. A ``reject`` stops the message (``ContentRejected``). Every verdict is
   kept in the stored message's ``meta`` so the admin's message trace can show it.
2. **folder routing**: virus beats junk beats inbox (PRODUCT §8: infected mail never reaches the
   inbox).
3. **dedupe**: a mailbox reached twice (direct recipient and through a group) gets one copy; the
   message's ``dedupe_key`` makes a client's retry after a lost ``250`` a no-op per mailbox.
4. **group commit**: the ingest items of concurrent ``deliver`` calls (many SMTP sessions) are
   gathered and stored by ONE ``MailStore.ingest_many`` call: one fsync'd blob per distinct
   message (directory syncs shared by the batch), one transaction and commit for everybody.
   Whoever arrives while a batch is in flight joins the next one, so no timer adds latency.
   ``deliver`` returns after its items are committed: only then may SMTP answer ``250``.

Invariants: ``deliver`` never returns before every item of its message has an outcome from a
committed (or refused) ``ingest_many``; a failed transaction fails exactly the callers whose items
were in it (the store may have coalesced this batch with other concurrent ingests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

from yunmail.delivery.automation import Automations, MailboxPlan
from yunmail.errors import ContentRejected, Unavailable, YunmailError
from yunmail.mailstore import IngestItem, IngestResult, MailStore, SpecialUse

# Items per ingest_many call: one transaction stays short enough for readers and for SQLite's lock.
MAX_BATCH_ITEMS = 512


class FilterAction(StrEnum):
    DELIVER = "deliver"
    JUNK = "junk"
    VIRUS = "virus"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class FilterVerdict:
    filter: str
    action: FilterAction
    reason: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"filter": self.filter, "action": self.action.value, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class LocalMessage:
    """One message for local mailboxes: the shared bytes and the trace headers we prepend."""

    data: bytes
    prefix: bytes
    mailbox_ids: tuple[int, ...]
    sender: str
    trace_id: str
    dedupe_key: str | None = None
    meta: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


class MessageFilter(Protocol):
    """A content check (spam, virus, attachment policy); must not modify the message."""

    @property
    def name(self) -> str: ...

    async def check(self, message: LocalMessage) -> FilterVerdict: ...


class NoopFilter:
    """The filter chain until real scanners exist: delivers, and says that nothing was scanned."""

    name = "noop"

    async def check(self, message: LocalMessage) -> FilterVerdict:
        return FilterVerdict(self.name, FilterAction.DELIVER, "no content filter configured")


@dataclass(frozen=True, slots=True)
class NotStored:
    """Handled without a stored copy, on the mailbox's own wish: ``forwarded`` or ``rejected-by-rule``
    (the sender gets a notice from us, so this is not a delivery failure)."""

    reason: str


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """Where one mailbox's copy went, or why it did not (a catalogue error, e.g. QuotaExceeded)."""

    mailbox_id: int
    folder: SpecialUse
    outcome: IngestResult | NotStored | YunmailError

    @property
    def ok(self) -> bool:
        return isinstance(self.outcome, IngestResult | NotStored)


def route(verdicts: Sequence[FilterVerdict]) -> SpecialUse:
    """The folder for a set of verdicts: virus beats junk beats inbox."""
    actions = {v.action for v in verdicts}
    if FilterAction.VIRUS in actions:
        return SpecialUse.VIRUS
    if FilterAction.JUNK in actions:
        return SpecialUse.JUNK
    return SpecialUse.INBOX


_Outcome = IngestResult | YunmailError


@dataclass(slots=True)
class _Waiter:
    items: list[IngestItem]
    future: asyncio.Future[list[_Outcome]]


class GroupCommitter:
    """Coalesces the ``ingest_many`` calls of concurrent callers into shared transactions.

    Up to ``pipeline`` batches are in flight (default 1: measured with ``bench/smtp_ingest.py``,
    more gives no gain: the store coalesces concurrent batches into one commit anyway, and the
    server is CPU-bound, not waiting on the blob syncs). Callers that arrive in the same event-loop
    turn always share a batch (the start is scheduled, not immediate).
    """

    def __init__(self, mailstore: MailStore, *, max_items: int = MAX_BATCH_ITEMS, pipeline: int = 1) -> None:
        self._mailstore = mailstore
        self._max_items = max_items
        self._pipeline = max(1, pipeline)
        self._waiting: list[_Waiter] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self._scheduled = False
        self.batches = 0  # how many ingest_many calls ran (tests, metrics)

    async def ingest(self, items: list[IngestItem]) -> list[_Outcome]:
        if not items:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[_Outcome]] = loop.create_future()
        self._waiting.append(_Waiter(items, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._start_batches)
        # Shielded: a caller that goes away must not abort a batch others wait for.
        return await asyncio.shield(future)

    def _start_batches(self) -> None:
        self._scheduled = False
        while self._waiting and len(self._in_flight) < self._pipeline:
            task = asyncio.create_task(self._run(self._take_batch()), name="local-delivery-commit")
            self._in_flight.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if self._waiting and not self._scheduled:
            self._start_batches()

    def _take_batch(self) -> list[_Waiter]:
        batch: list[_Waiter] = []
        count = 0
        while self._waiting:
            size = len(self._waiting[0].items)
            if batch and count + size > self._max_items:
                break
            batch.append(self._waiting.pop(0))
            count += size
        return batch

    async def _run(self, batch: list[_Waiter]) -> None:
        items = [item for waiter in batch for item in waiter.items]
        try:
            outcomes = await self._mailstore.ingest_many(items)
        except BaseException as exc:
            # Cancelled at shutdown, or the batch failed: every caller in it gets an answer.
            failure = exc if isinstance(exc, Exception) else Unavailable()
            for waiter in batch:
                if not waiter.future.done():
                    waiter.future.set_exception(failure)
            if not isinstance(exc, Exception):
                raise
            return
        self.batches += 1
        start = 0
        for waiter in batch:
            end = start + len(waiter.items)
            if not waiter.future.done():
                waiter.future.set_result(list(outcomes[start:end]))
            start = end


class LocalDelivery:
    """Runs the pipeline; one instance per process (it owns the group-commit queue)."""

    def __init__(
        self,
        mailstore: MailStore,
        *,
        filters: Sequence[MessageFilter] | None = None,
        max_batch_items: int = MAX_BATCH_ITEMS,
        pipeline: int = 1,
        automation: Automations | None = None,
    ) -> None:
        self._filters: tuple[MessageFilter, ...] = tuple(filters) if filters is not None else (NoopFilter(),)
        self.committer = GroupCommitter(mailstore, max_items=max_batch_items, pipeline=pipeline)
        self.automation = automation

    async def screen(self, message: LocalMessage) -> tuple[FilterVerdict, ...]:
        """Run the filter chain; ``ContentRejected`` on the first ``reject``."""
        verdicts: list[FilterVerdict] = []
        for check in self._filters:
            verdict = await check.check(message)
            verdicts.append(verdict)
            if verdict.action is FilterAction.REJECT:
                raise ContentRejected(filter=verdict.filter, reason=verdict.reason or "content refused")
        return tuple(verdicts)

    async def deliver(
        self, message: LocalMessage, *, extra_verdicts: Sequence[FilterVerdict] = ()
    ) -> tuple[DeliveryResult, ...]:
        """Store the message in each mailbox once; returns after the commit, one result per mailbox.

        ``extra_verdicts`` come from checks made before delivery (e.g. DMARC quarantine).
        """
        mailbox_ids = tuple(dict.fromkeys(message.mailbox_ids))
        if not mailbox_ids:
            return ()
        verdicts = (*extra_verdicts, *await self.screen(message))
        folder = route(verdicts)
        meta = {
            **message.meta,
            "trace_id": message.trace_id,
            "filters": [v.as_dict() for v in verdicts],
        }
        plans = await self.automation.plan(message, mailbox_ids, folder) if self.automation else {}

        def item(mailbox_id: int, plan: MailboxPlan | None) -> IngestItem:
            return IngestItem(
                mailbox_id=mailbox_id,
                data=message.data,
                folder=plan.folder if plan is not None and plan.folder is not None else folder,
                flags=plan.flags if plan is not None else (),
                prefix=message.prefix,
                dedupe_key=message.dedupe_key,
                meta=meta,
            )

        stored = [m for m in mailbox_ids if m not in plans or plans[m].store]
        outcomes = await self.committer.ingest([item(m, plans.get(m)) for m in stored]) if stored else []
        results = {
            mailbox_id: DeliveryResult(mailbox_id, folder, outcome)
            for mailbox_id, outcome in zip(stored, outcomes, strict=True)
        }
        if plans and self.automation is not None:
            # Forward/reply only for copies that are committed (or deliberately not stored).
            acting = {m: p for m, p in plans.items() if m not in results or results[m].ok}
            fallback = sorted(await self.automation.follow_up(message, acting))
            if fallback:  # a forward that replaced the copy failed: keep the mail after all
                again = await self.committer.ingest([item(m, None) for m in fallback])
                results.update(
                    {m: DeliveryResult(m, folder, o) for m, o in zip(fallback, again, strict=True)}
                )
        for mailbox_id in mailbox_ids:
            if mailbox_id not in results:  # rejected by a rule, or forwarded without a copy
                reason = "rejected-by-rule" if plans[mailbox_id].reject else "forwarded"
                results[mailbox_id] = DeliveryResult(mailbox_id, folder, NotStored(reason))
        return tuple(results[m] for m in mailbox_ids)
