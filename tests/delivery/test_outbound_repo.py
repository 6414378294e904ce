"""Outbound queue repository: leases, lost leases and due scans (both backends)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support.smtp import SmtpEnv, message, start_smtp_env, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.delivery.queue import OutboundMessage, OutboundRecipient
from yunmail.events import InProcessBus
from yunmail.storage import Database, FileBlobStore
from yunmail.storage.repos import outbound as rows

LEASE = dt.timedelta(minutes=15)


@pytest.fixture
async def env(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[SmtpEnv]:
    environment = await start_smtp_env(tmp_path, db, blobs, bus, clock)
    try:
        yield environment
    finally:
        await stop_smtp_env(environment)


async def queue_one(env: SmtpEnv) -> tuple[int, int]:
    tenant = await env.tenant()
    ids = await env.queue.enqueue(
        OutboundMessage(
            enterprise_id=tenant.enterprise.id,
            member_id=None,
            sender="amy@a.test",
            recipients=(OutboundRecipient("bob@b.test"),),
            data=message("amy@a.test", "bob@b.test"),
            prefix=b"",
            trace_id="T",
        )
    )
    return tenant.enterprise.id, ids[0]


async def test_claimed_row_is_not_claimed_again_while_leased(env: SmtpEnv, clock: FakeClock) -> None:
    await queue_one(env)
    now = clock.now()
    async with env.db.transaction() as conn:
        first = await rows.claim_due(conn, now, now + LEASE, "one")
        second = await rows.claim_due(conn, now, now + LEASE, "two")
    assert ([r["status"] for r in first], second) == (["sending"], [])


async def test_expired_lease_is_claimed_by_another_worker(env: SmtpEnv, clock: FakeClock) -> None:
    await queue_one(env)
    now = clock.now()
    async with env.db.transaction() as conn:
        await rows.claim_due(conn, now, now + LEASE, "one")
        later = now + LEASE
        taken = await rows.claim_due(conn, later, later + LEASE, "two")
    assert [(r["lease_token"], r["attempts"]) for r in taken] == [("two", 2)]


async def test_worker_that_lost_its_lease_cannot_finish_the_row(env: SmtpEnv, clock: FakeClock) -> None:
    enterprise_id, row_id = await queue_one(env)
    now = clock.now()
    async with env.db.transaction() as conn:
        await rows.claim_due(conn, now, now + LEASE, "one")
        await rows.claim_due(conn, now + LEASE, now + 2 * LEASE, "two")
        lost = await rows.finish(conn, enterprise_id, row_id, "one")
        moved = await rows.reschedule(conn, enterprise_id, row_id, "one", now, "x")
        done = await rows.finish(conn, enterprise_id, row_id, "two")
    assert (lost, moved, done[0]) == ((False, []), False, True)


async def test_rescheduled_row_is_due_only_at_its_next_attempt(env: SmtpEnv, clock: FakeClock) -> None:
    enterprise_id, row_id = await queue_one(env)
    now = clock.now()
    later = now + dt.timedelta(minutes=5)
    async with env.db.transaction() as conn:
        await rows.claim_due(conn, now, now + LEASE, "one")
        await rows.reschedule(conn, enterprise_id, row_id, "one", later, "451 try later")
        early = await rows.claim_due(conn, now, now + LEASE, "two")
        due = await rows.claim_due(conn, later, later + LEASE, "three")
    assert (early, [(r["attempts"], r["last_error"]) for r in due]) == ([], [(2, "451 try later")])
