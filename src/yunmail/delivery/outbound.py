"""The outbound queue worker: claims due rows under a lease, delivers per destination, retries or bounces.

Implementation notes (invariants):

* Crash safety: a row is ``sending`` only inside a lease (``repos.outbound``). A crashed or hung
  worker's rows become due again when the lease expires; the next attempt may repeat a hand-over
  the crashed one completed, which is SMTP's own at-least-once and nothing more.
* Order per row: deliver -> (notice) -> finish/reschedule. A notice is stored before the row
  changes, and it carries a dedupe key, so a crash in between neither loses nor doubles it.
* Concurrency: rows are grouped by recipient domain; each group is split into connection batches
  (one SMTP connection each, ``transport``). A global semaphore caps open connections and a
  per-domain one caps connections to the same destination.
* Retry: exponential backoff from ``first_retry`` (factor ``backoff_factor``, at most
  ``max_retry``), never past ``created_at + max_lifetime``; a deferral at or after that instant is
  final ("expired") and bounces with the last reply's cause (a ``452 4.2.2`` stays "mailbox full").
* A "delayed" notice goes once per row after ``delay_notice_after`` (None turns it off), if the
  sender's NOTIFY allows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from yunmail import logging
from yunmail.clock import Clock
from yunmail.delivery.bounces import LocalFailure, classify_local
from yunmail.delivery.dsn import DsnKind, FailedDelivery, Notifier
from yunmail.delivery.signing import DkimSigner
from yunmail.delivery.transport import AttemptResult, Envelope, Outcome
from yunmail.errors import YunmailError
from yunmail.security import new_token
from yunmail.storage import BlobStore, Database
from yunmail.storage.repos import blobrefs
from yunmail.storage.repos import outbound as rows_repo

__all__ = ["OutboundWorker", "RunReport", "Transport", "WorkerSettings"]

_log = logging.get("delivery.outbound")


class Transport(Protocol):
    async def deliver(self, domain: str, envelopes: Sequence[Envelope]) -> list[AttemptResult]: ...


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    batch_size: int = 200  # rows claimed per scan
    lease: dt.timedelta = dt.timedelta(minutes=15)  # longer than a connection batch can take
    poll_seconds: float = 5.0
    max_lifetime: dt.timedelta = dt.timedelta(days=5)
    delay_notice_after: dt.timedelta | None = dt.timedelta(hours=4)
    first_retry: dt.timedelta = dt.timedelta(minutes=5)
    max_retry: dt.timedelta = dt.timedelta(hours=4)
    backoff_factor: float = 2.0
    global_connections: int = 50
    per_domain_connections: int = 4
    messages_per_connection: int = 50


@dataclass(frozen=True, slots=True)
class RunReport:
    claimed: int = 0
    delivered: int = 0
    deferred: int = 0
    bounced: int = 0  # permanent failures and expiries
    delay_notices: int = 0
    lost_leases: int = 0

    def __add__(self, other: RunReport) -> RunReport:
        return RunReport(*(a + b for a, b in zip(_fields(self), _fields(other), strict=True)))


def _fields(report: RunReport) -> tuple[int, ...]:
    return (
        report.claimed,
        report.delivered,
        report.deferred,
        report.bounced,
        report.delay_notices,
        report.lost_leases,
    )


@dataclass(slots=True)
class _Tally:
    delivered: int = 0
    deferred: int = 0
    bounced: int = 0
    delay_notices: int = 0
    lost: int = 0
    zero_keys: list[str] = field(default_factory=list)


class OutboundWorker:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        clock: Clock,
        transport: Transport,
        notifier: Notifier,
        *,
        signer: DkimSigner | None = None,
        settings: WorkerSettings | None = None,
    ) -> None:
        self._db = db
        self._blobs = blobs
        self._clock = clock
        self._transport = transport
        self._notifier = notifier
        self._signer = signer
        self._settings = settings or WorkerSettings()

    async def run(self, stop: asyncio.Event) -> None:
        """Scan until ``stop`` is set; idle scans wait ``poll_seconds`` (or for ``stop``)."""
        while not stop.is_set():
            try:
                report = await self.run_once()
            except Exception:
                _log.exception("outbound scan failed")
                report = RunReport()
            if report.claimed < self._settings.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._settings.poll_seconds)

    async def run_once(self) -> RunReport:
        """Claim the due rows, deliver them, record every outcome; what happened."""
        s = self._settings
        now = self._clock.now()
        token = new_token(16)[:32]
        async with self._db.transaction() as conn:
            claimed = await rows_repo.claim_due(conn, now, now + s.lease, token, limit=s.batch_size)
        if not claimed:
            return RunReport()
        total = _Tally()
        everywhere = asyncio.Semaphore(s.global_connections)
        by_domain: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in claimed:
            by_domain[str(row["recipient_domain"])].append(row)
        async with asyncio.TaskGroup() as group:
            for domain, domain_rows in by_domain.items():
                here = asyncio.Semaphore(s.per_domain_connections)
                for batch in _batches(domain_rows, s.per_domain_connections, s.messages_per_connection):
                    group.create_task(self._batch(domain, batch, token, everywhere, here, total))
        await self._reclaim(total.zero_keys)
        return RunReport(
            len(claimed), total.delivered, total.deferred, total.bounced, total.delay_notices, total.lost
        )

    async def _batch(
        self,
        domain: str,
        rows: list[dict[str, Any]],
        token: str,
        everywhere: asyncio.Semaphore,
        here: asyncio.Semaphore,
        tally: _Tally,
    ) -> None:
        async with everywhere, here:
            try:
                originals = [await self._original(row) for row in rows]
                envelopes = [
                    await self._envelope(row, data) for row, data in zip(rows, originals, strict=True)
                ]
                results = await self._transport.deliver(domain, envelopes)
            except (YunmailError, OSError) as exc:
                # Storage trouble on our side: nobody was contacted, so just try later.
                _log.warning(
                    "outbound batch failed locally", extra={"fields": {"domain": domain, "error": str(exc)}}
                )
                cause = classify_local(LocalFailure.CONNECTION_LOST, f"local error: {exc}")
                originals = [b""] * len(rows)
                results = [AttemptResult(Outcome.DEFERRED, cause.text, cause) for _ in rows]
        await self._record(rows, originals, results, token, tally)

    async def _original(self, row: Mapping[str, Any]) -> bytes:
        return bytes(row["prefix"] or b"") + await self._blobs.get(str(row["blob_sha256"]))

    async def _envelope(self, row: Mapping[str, Any], data: bytes) -> Envelope:
        if self._signer is not None:
            try:
                data = (await self._signer.sign(data, str(row["sender"]))).data
            except YunmailError as exc:
                # A broken key must not hold mail back; the receiver treats it as unsigned.
                _log.warning("DKIM signing failed", extra={"fields": {"row": row["id"], "error": exc.code}})
        return Envelope(
            sender=str(row["sender"]),
            recipient=str(row["recipient"]),
            data=data,
            smtputf8=bool(row["smtputf8"]),
            body_8bit=bool(row["body_8bit"]),
        )

    async def _record(
        self,
        rows: Sequence[Mapping[str, Any]],
        originals: Sequence[bytes],
        results: Sequence[AttemptResult],
        token: str,
        tally: _Tally,
    ) -> None:
        s = self._settings
        now = self._clock.now()
        finished: list[Mapping[str, Any]] = []
        retries: list[tuple[Mapping[str, Any], dt.datetime, str]] = []
        delay_marks: list[Mapping[str, Any]] = []
        for row, original, result in zip(rows, originals, results, strict=True):
            if result.outcome is Outcome.DELIVERED:
                _log.info("delivered", extra={"fields": _trace(row, result)})
                tally.delivered += 1
                finished.append(row)
                continue
            expires_at = row["created_at"] + s.max_lifetime
            if result.outcome is Outcome.FAILED or now >= expires_at:
                _log.info("bounced", extra={"fields": _trace(row, result)})
                await self._notify(row, original, result, DsnKind.FAILURE, now, expired=now >= expires_at)
                tally.bounced += 1
                finished.append(row)
                continue
            tally.deferred += 1
            retries.append((row, self._next_attempt(row, now), result.reply))
            if (
                s.delay_notice_after is not None
                and row["delay_notified_at"] is None
                and now - row["created_at"] >= s.delay_notice_after
            ):
                notice = await self._notify(row, original, result, DsnKind.DELAY, now, retry_until=expires_at)
                if notice:
                    tally.delay_notices += 1
                delay_marks.append(row)
        async with self._db.transaction() as conn:
            for row in finished:
                done, zero = await rows_repo.finish(conn, int(row["enterprise_id"]), int(row["id"]), token)
                tally.lost += 0 if done else 1
                tally.zero_keys.extend(zero)
            # Marks first: both match the lease token, which rescheduling clears.
            for row in delay_marks:
                await rows_repo.mark_delay_notified(
                    conn, int(row["enterprise_id"]), int(row["id"]), token, now
                )
            for row, at, error in retries:
                if not await rows_repo.reschedule(
                    conn, int(row["enterprise_id"]), int(row["id"]), token, at, error
                ):
                    tally.lost += 1

    def _next_attempt(self, row: Mapping[str, Any], now: dt.datetime) -> dt.datetime:
        s = self._settings
        attempts = max(int(row["attempts"]), 1)
        seconds = s.first_retry.total_seconds() * s.backoff_factor ** (attempts - 1)
        delay = min(dt.timedelta(seconds=seconds), s.max_retry)
        # The last try lands exactly on the expiry instant, so a message gets its full lifetime.
        expires_at: dt.datetime = row["created_at"] + s.max_lifetime
        return min(now + delay, expires_at)

    async def _notify(
        self,
        row: Mapping[str, Any],
        original: bytes,
        result: AttemptResult,
        kind: DsnKind,
        now: dt.datetime,
        *,
        expired: bool = False,
        retry_until: dt.datetime | None = None,
    ) -> bool:
        cause = result.cause or classify_local(LocalFailure.EXPIRED, result.reply)
        failed = FailedDelivery(
            row_id=int(row["id"]),
            enterprise_id=int(row["enterprise_id"]),
            sender=str(row["sender"]),
            recipient=str(row["recipient"]),
            original=original,
            cause=cause,
            reply=result.reply,
            remote_host=result.remote_host,
            queued_at=row["created_at"],
            last_attempt_at=now,
            attempts=int(row["attempts"]),
            trace_id=str(row["trace_id"]),
            notify=row["dsn_notify"],
            ret=row["dsn_ret"],
            envid=row["dsn_envid"],
            orcpt=row["dsn_orcpt"],
            retry_until=retry_until,
            expired=expired,
        )
        try:
            outcome = await self._notifier.notify(failed, kind, now)
        except YunmailError as exc:
            # The sender's mailbox refused it (quota, closed): the row still finishes; the log keeps it.
            _log.warning("notice not stored", extra={"fields": {"row": row["id"], "error": exc.code}})
            return False
        return outcome.skipped is None

    async def _reclaim(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        try:
            async with self._db.transaction() as conn:
                for key in await blobrefs.claim_unreferenced(conn, sorted(set(keys))):
                    await self._blobs.delete(key)
        except Exception:
            _log.warning("blob reclaim deferred", exc_info=True)


def _batches(
    rows: list[dict[str, Any]], connections: int, per_connection: int
) -> Iterator[list[dict[str, Any]]]:
    """Split one domain's rows over at most ``connections`` parallel batches of bounded size."""
    size = max(1, min(per_connection, -(-len(rows) // max(1, connections))))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _trace(row: Mapping[str, Any], result: AttemptResult) -> dict[str, Any]:
    return {
        "trace_id": row["trace_id"],
        "row": row["id"],
        "recipient": row["recipient"],
        "attempt": row["attempts"],
        "reply": result.reply,
        "remote": result.remote_host,
        "tls": result.tls,
    }
