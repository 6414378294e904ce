"""RedisBus against the EventBus conformance suite: two bus instances on one Redis are two nodes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from support.conformance import check_id
from support.conformance.backends import REDIS_URL, redis_reachable, unique_prefix
from support.conformance.event_bus import EVENT_BUS_CHECKS, BusConformance, changed, next_event
from support.databases import require_or_skip
from yunmail.events import EventBus, Overflow
from yunmail.storage import RedisBus


@pytest.fixture
async def prefix() -> str:
    if not await redis_reachable():
        require_or_skip(f"Redis is not reachable at {REDIS_URL}")
    return unique_prefix("yunmail-test:events")


@asynccontextmanager
async def redis_nodes(prefix: str) -> AsyncIterator[tuple[RedisBus, RedisBus]]:
    node_a, node_b = RedisBus(REDIS_URL, prefix=prefix), RedisBus(REDIS_URL, prefix=prefix)
    try:
        yield node_a, node_b
    finally:
        await node_a.close()
        await node_b.close()


@pytest.mark.parametrize("conformance", EVENT_BUS_CHECKS, ids=check_id)
async def test_redis_bus_conforms(conformance: BusConformance, prefix: str) -> None:
    @asynccontextmanager
    async def pair() -> AsyncIterator[tuple[EventBus, EventBus]]:
        async with redis_nodes(prefix) as nodes:
            yield nodes

    await conformance(pair)


async def test_buses_with_different_prefixes_do_not_hear_each_other(prefix: str) -> None:
    async with redis_nodes(prefix) as (node_a, _), redis_nodes(prefix + "other:") as (node_b, _):
        sub = await node_b.subscribe(["mailbox:1"])
        await node_a.publish(changed(1, 1))
        await node_b.publish(changed(1, 2))
        assert await next_event(sub) == changed(1, 2)


async def kill_subscriber_connection(bus: RedisBus) -> int:
    """Close the bus's subscriber connection from the server side, as a Redis restart would."""
    admin = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        clients = await admin.client_list()
        ids = [c["id"] for c in clients if c["name"] == bus.client_name and c["sub"] != "0"]
        for client_id in ids:
            await admin.client_kill_filter(_id=client_id)
        return len(ids)
    finally:
        await admin.aclose()


async def test_lost_connection_tells_subscribers_to_resynchronise(prefix: str) -> None:
    async with redis_nodes(prefix) as (_node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        assert await kill_subscriber_connection(node_b) == 1
        assert await next_event(sub) == Overflow()


async def test_delivery_resumes_after_a_lost_connection(prefix: str) -> None:
    async with redis_nodes(prefix) as (node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        await kill_subscriber_connection(node_b)
        assert await next_event(sub) == Overflow()
        await node_a.publish(changed(1, 1))
        assert await next_event(sub) == changed(1, 1)


async def test_unreadable_message_is_dropped_and_delivery_goes_on(prefix: str) -> None:
    async with redis_nodes(prefix) as (node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        raw = Redis.from_url(REDIS_URL)
        try:
            await raw.publish(prefix + "mailbox:1", "someone-else\n{not json")
        finally:
            await raw.aclose()
        await node_a.publish(changed(1, 1))
        assert await next_event(sub) == changed(1, 1)
