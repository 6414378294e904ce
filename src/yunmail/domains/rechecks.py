"""Background DNS rechecks of domains: when each domain is checked next, and the worker's run over due ones.

DNS changes take minutes to 48 hours to show, so a domain still working towards its goal is checked
on a ladder measured from when it started (added, broken or switched to full mode): often in the
first hour, then backing off, until 48 hours; after that, and for every settled domain, once a day.
A check that could not reach a verdict (DNS trouble) is retried after ``RETRY_AFTER_UNKNOWN``.

Load is spread without randomness at run time: each domain's times are shifted by a jitter derived
from a hash of its id, so domains added together are not all checked in the same minute, and the
schedule is reproducible in tests (``FakeClock`` + ``run_due``, never sleeping).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yunmail import logging
from yunmail.clock import Clock
from yunmail.dns import Resolver
from yunmail.errors import DomainNotFound
from yunmail.mailauth.records import Deployment

if TYPE_CHECKING:
    from yunmail.domains.registry import CheckOutcome, DomainRegistry

__all__ = ["DAILY", "LADDER", "RETRY_AFTER_UNKNOWN", "Rechecker", "jitter", "next_check_time"]

_MINUTE = dt.timedelta(minutes=1)
# Offsets from the start of the wait: 1, 2, 5, 10, 20, 30 minutes … 48 hours.
LADDER = tuple(
    _MINUTE * minutes
    for minutes in (
        1,
        2,
        5,
        10,
        20,
        30,
        45,
        60,
        90,
        120,
        180,
        240,
        360,
        480,
        720,
        960,
        1440,
        1920,
        2400,
        2880,
    )
)
DAILY = dt.timedelta(days=1)
RETRY_AFTER_UNKNOWN = dt.timedelta(minutes=15)
_DAILY_SPREAD = dt.timedelta(hours=1)

_log = logging.get("domains.rechecks")


def jitter(domain_id: int, spread: dt.timedelta) -> dt.timedelta:
    """A fixed shift in ``[0, spread)`` for this domain, from a hash of its id."""
    seconds = int(spread.total_seconds())
    if seconds <= 0:
        return dt.timedelta(0)
    digest = hashlib.blake2b(str(domain_id).encode("ascii"), digest_size=8).digest()
    return dt.timedelta(seconds=int.from_bytes(digest, "big") % seconds)


def next_check_time(
    domain_id: int, *, settled: bool, since: dt.datetime, now: dt.datetime, unknown: bool = False
) -> dt.datetime:
    """When to check next: the ladder from ``since`` for a domain still waiting, else daily.

    ``settled``: the domain has reached its mode's goal. ``unknown``: the check that just ran had
    no verdict, so a settled domain is retried soon rather than tomorrow.
    """
    if settled:
        if unknown:
            return now + RETRY_AFTER_UNKNOWN + jitter(domain_id, _MINUTE)
        return now + DAILY + jitter(domain_id, _DAILY_SPREAD)
    previous = dt.timedelta(0)
    for offset in LADDER:
        at = since + offset
        if at > now:
            # Up to a tenth of the gap to the previous rung, so rungs never overlap or reorder.
            return at + jitter(domain_id, (offset - previous) / 10)
        previous = offset
    return now + DAILY + jitter(domain_id, _DAILY_SPREAD)


@dataclass(frozen=True, slots=True)
class RecheckRun:
    checked: tuple[CheckOutcome, ...]
    failed: tuple[int, ...]  # domain ids whose check raised (logged; retried after the lease)


class Rechecker:
    """Checks every domain whose ``next_check_at`` has come; the runtime calls ``run_due`` each minute."""

    def __init__(
        self,
        registry: DomainRegistry,
        resolver: Resolver,
        deployment: Deployment,
        clock: Clock,
        *,
        batch: int = 200,
        concurrency: int = 8,
        lease: dt.timedelta = dt.timedelta(minutes=10),
    ) -> None:
        self._registry = registry
        self._resolver = resolver
        self._deployment = deployment
        self._clock = clock
        self._batch = batch
        self._concurrency = concurrency
        self._lease = lease

    async def run_due(self, now: dt.datetime | None = None) -> RecheckRun:
        """Claim the domains due at ``now`` (default: the clock) and check them, a few at a time."""
        now = now or self._clock.now()
        due = await self._registry.claim_due(now, now + self._lease, self._batch)
        gate = asyncio.Semaphore(self._concurrency)
        checked: list[CheckOutcome] = []
        failed: list[int] = []

        async def one(enterprise_id: int, domain_id: int) -> None:
            async with gate:
                try:
                    outcome = await self._registry.check(
                        enterprise_id, domain_id, self._resolver, self._deployment, actor="system:recheck"
                    )
                except DomainNotFound:
                    pass  # removed after it was claimed: nothing to check
                except Exception:
                    _log.exception("domain recheck failed", extra={"fields": {"domain_id": domain_id}})
                    failed.append(domain_id)
                else:
                    checked.append(outcome)

        await asyncio.gather(*(one(enterprise_id, domain_id) for enterprise_id, domain_id in due))
        return RecheckRun(tuple(checked), tuple(sorted(failed)))

    async def run_once(self) -> RecheckRun:
        """The runtime worker's job."""
        return await self.run_due()
