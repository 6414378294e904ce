"""InProcessBus against the EventBus conformance suite (one bus plays both nodes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from support.conformance import check_id
from support.conformance.event_bus import EVENT_BUS_CHECKS, BusConformance
from yunmail.events import EventBus, InProcessBus


@asynccontextmanager
async def one_bus_twice() -> AsyncIterator[tuple[EventBus, EventBus]]:
    bus = InProcessBus()
    try:
        yield bus, bus
    finally:
        await bus.close()


@pytest.mark.parametrize("conformance", EVENT_BUS_CHECKS, ids=check_id)
async def test_in_process_bus_conforms(conformance: BusConformance) -> None:
    await conformance(one_bus_twice)
