"""RedisCounters against the Counters conformance suite, across nodes, and key expiry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from support.conformance import check_id
from support.conformance.backends import REDIS_URL, delete_redis_prefix, redis_reachable, unique_prefix
from support.conformance.counters import COUNTER_CHECKS, T0, CounterConformance, check, fresh_key
from support.databases import require_or_skip
from yunmail.storage import RedisCounters


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    if not await redis_reachable():
        require_or_skip(f"Redis is not reachable at {REDIS_URL}")
    name = unique_prefix("yunmail-test:counters")
    try:
        yield name
    finally:
        await delete_redis_prefix(REDIS_URL, name)


@asynccontextmanager
async def redis_counters(prefix: str) -> AsyncIterator[RedisCounters]:
    counters = RedisCounters(REDIS_URL, prefix=prefix)
    try:
        yield counters
    finally:
        await counters.close()


@pytest.mark.parametrize("conformance", COUNTER_CHECKS, ids=check_id)
async def test_redis_counters_conform(conformance: CounterConformance, prefix: str) -> None:
    await conformance(lambda: redis_counters(prefix))


async def test_consumes_from_two_nodes_never_exceed_the_limit(prefix: str) -> None:
    key = fresh_key("nodes")
    async with redis_counters(prefix) as node_a, redis_counters(prefix) as node_b:
        nodes = [node_a, node_b]
        results = await asyncio.gather(*(nodes[i % 2].consume([check(key, limit=10)], T0) for i in range(60)))
        assert (sum(r.allowed for r in results), await node_b.peek(key, 60, T0)) == (10, 10)


async def test_counter_key_expires_with_its_window(prefix: str) -> None:
    key = fresh_key("ttl")
    async with redis_counters(prefix) as counters:
        await counters.consume([check(key, window=900)], T0 + 300)
    client = Redis.from_url(REDIS_URL)
    try:
        ttl = await client.ttl(prefix + key)
    finally:
        await client.aclose()
    # 600 s left in the window (plus one second of slack); never unlimited, never past the window.
    assert 0 < ttl <= 601


async def test_refused_consume_creates_no_key(prefix: str) -> None:
    key = fresh_key("refused")
    async with redis_counters(prefix) as counters:
        await counters.consume([check(key, amount=5, limit=1)], T0)
    client = Redis.from_url(REDIS_URL)
    try:
        assert await client.exists(prefix + key) == 0
    finally:
        await client.aclose()
