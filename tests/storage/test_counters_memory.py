"""MemoryCounters against the Counters conformance suite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from support.conformance import check_id
from support.conformance.counters import COUNTER_CHECKS, CounterConformance
from yunmail.storage import Counters, MemoryCounters


@asynccontextmanager
async def memory_counters() -> AsyncIterator[Counters]:
    yield MemoryCounters()


@pytest.mark.parametrize("conformance", COUNTER_CHECKS, ids=check_id)
async def test_memory_counters_conform(conformance: CounterConformance) -> None:
    await conformance(memory_counters)
