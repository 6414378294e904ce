"""SqlCounters against the Counters conformance suite, on SQLite and PostgreSQL, and across nodes.

Two ``Database`` objects on one URL stand in for two processes: each has its own connections and
(for SQLite) its own in-process write lock, so only the database's own locking keeps them honest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from support.conformance import check_id
from support.conformance.counters import COUNTER_CHECKS, T0, CounterConformance, check, fresh_key
from support.databases import open_test_database
from yunmail.storage import Counters, Database, SqlCounters


@pytest.fixture
async def second_node(database_url: str, db: Database) -> AsyncIterator[Database]:
    other = await open_test_database(database_url)
    try:
        yield other
    finally:
        await other.dispose()


@pytest.mark.parametrize("conformance", COUNTER_CHECKS, ids=check_id)
async def test_sql_counters_conform(conformance: CounterConformance, db: Database) -> None:
    @asynccontextmanager
    async def sql_counters() -> AsyncIterator[Counters]:
        yield SqlCounters(db)

    await conformance(sql_counters)


async def test_consumes_from_two_nodes_never_exceed_the_limit(db: Database, second_node: Database) -> None:
    key = fresh_key("nodes")
    nodes = [SqlCounters(db), SqlCounters(second_node)]
    results = await asyncio.gather(*(nodes[i % 2].consume([check(key, limit=10)], T0) for i in range(60)))
    assert (sum(r.allowed for r in results), await nodes[0].peek(key, 60, T0)) == (10, 10)


async def test_batches_from_two_nodes_on_overlapping_keys_stay_all_or_nothing(
    db: Database, second_node: Database
) -> None:
    # Opposite key orders on the two nodes: the sorted locking must keep them from deadlocking.
    first, second = fresh_key("a"), fresh_key("b")
    forward = [check(first, limit=12), check(second, limit=8)]
    backward = [check(second, limit=8), check(first, limit=12)]
    nodes = [SqlCounters(db), SqlCounters(second_node)]
    results = await asyncio.gather(
        *(nodes[i % 2].consume(forward if i % 2 else backward, T0) for i in range(40))
    )
    peeks = [await nodes[0].peek(first, 60, T0), await nodes[1].peek(second, 60, T0)]
    assert (sum(r.allowed for r in results), peeks) == (8, [8, 8])


async def test_counts_survive_a_new_counters_instance(db: Database, second_node: Database) -> None:
    key = fresh_key("persist")
    await SqlCounters(db).consume([check(key, amount=4)], T0)
    assert await SqlCounters(second_node).peek(key, 60, T0) == 4
