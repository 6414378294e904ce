"""PostgresBus against the EventBus conformance suite: two buses on one database are two nodes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]
import pytest

from support.conformance import check_id
from support.conformance.backends import PG_DSN, unique_prefix
from support.conformance.event_bus import EVENT_BUS_CHECKS, BusConformance, changed, next_event
from support.databases import postgres_reachable, require_or_skip
from yunmail.events import EventBus, MailboxChanged, Overflow
from yunmail.storage import PostgresBus
from yunmail.storage.bus_postgres import channel_for


@pytest.fixture
async def prefix() -> str:
    if not await postgres_reachable():
        require_or_skip(f"PostgreSQL is not reachable at {PG_DSN}")
    return unique_prefix("yunmail_test", "_")


@asynccontextmanager
async def postgres_nodes(prefix: str) -> AsyncIterator[tuple[PostgresBus, PostgresBus]]:
    node_a, node_b = PostgresBus(PG_DSN, prefix=prefix), PostgresBus(PG_DSN, prefix=prefix)
    try:
        yield node_a, node_b
    finally:
        await node_a.close()
        await node_b.close()


@pytest.mark.parametrize("conformance", EVENT_BUS_CHECKS, ids=check_id)
async def test_postgres_bus_conforms(conformance: BusConformance, prefix: str) -> None:
    @asynccontextmanager
    async def pair() -> AsyncIterator[tuple[EventBus, EventBus]]:
        async with postgres_nodes(prefix) as nodes:
            yield nodes

    await conformance(pair)


def test_channel_is_a_short_identifier_whatever_the_topic() -> None:
    channels = [channel_for("yunmail_ev_", t) for t in ("mailbox:1", "domain:x/y z", "企业:3", "a" * 500)]
    assert [len(c) <= 63 and c.isidentifier() and c.isascii() for c in channels] == [True] * 4
    assert len(set(channels)) == 4


def test_prefix_that_is_not_an_identifier_is_refused() -> None:
    with pytest.raises(ValueError):
        PostgresBus(PG_DSN, prefix="Bad-Prefix;")


async def test_event_too_large_for_notify_is_refused(prefix: str) -> None:
    async with postgres_nodes(prefix) as (node_a, _):
        huge = MailboxChanged(mailbox_id=1, modseq=1, folder_ids=tuple(range(2000)))
        with pytest.raises(ValueError):
            await node_a.publish(huge)


async def kill_listener(bus: PostgresBus) -> None:
    """Terminate the bus's listening backend from the server side, as a failover would."""
    admin = await asyncpg.connect(PG_DSN)
    try:
        killed = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            bus.listener_name,
        )
        assert [row[0] for row in killed] == [True]
    finally:
        await admin.close()


async def test_lost_listener_tells_subscribers_to_resynchronise(prefix: str) -> None:
    async with postgres_nodes(prefix) as (_node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        await kill_listener(node_b)
        assert await next_event(sub) == Overflow()


async def test_delivery_resumes_after_the_listener_is_lost(prefix: str) -> None:
    async with postgres_nodes(prefix) as (node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        await kill_listener(node_b)
        assert await next_event(sub) == Overflow()
        await node_a.publish(changed(1, 1))
        assert await next_event(sub) == changed(1, 1)


async def test_unreadable_notice_is_dropped_and_delivery_goes_on(prefix: str) -> None:
    async with postgres_nodes(prefix) as (node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        raw = await asyncpg.connect(PG_DSN)
        try:
            await raw.execute("SELECT pg_notify($1, $2)", channel_for(prefix, "mailbox:1"), "x\n{not json")
        finally:
            await raw.close()
        await node_a.publish(changed(1, 1))
        assert await next_event(sub) == changed(1, 1)
