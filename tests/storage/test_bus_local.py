"""LocalBus (the serving processes of one node) against the EventBus conformance suite.

Two buses on the links of one ``LocalBusLinks`` are two serving processes; here they share a loop,
which exercises the same sockets a fork would inherit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from support.conformance import check_id
from support.conformance.event_bus import EVENT_BUS_CHECKS, BusConformance, changed, next_event
from yunmail.events import EventBus, Overflow
from yunmail.storage import LocalBus, LocalBusLinks, bus_local


@asynccontextmanager
async def local_nodes(count: int = 2) -> AsyncIterator[list[LocalBus]]:
    links = LocalBusLinks.create(count)
    buses = [LocalBus(links.link(i)) for i in range(count)]
    try:
        yield buses
    finally:
        for bus in buses:
            await bus.close()
        links.close()


@pytest.mark.parametrize("conformance", EVENT_BUS_CHECKS, ids=check_id)
async def test_local_bus_conforms(conformance: BusConformance) -> None:
    @asynccontextmanager
    async def pair() -> AsyncIterator[tuple[EventBus, EventBus]]:
        async with local_nodes() as (node_a, node_b):
            yield node_a, node_b

    await conformance(pair)


async def test_event_reaches_every_other_process_of_the_node() -> None:
    async with local_nodes(4) as buses:
        subs = [await bus.subscribe(["mailbox:7"]) for bus in buses]
        await buses[2].publish(changed(7, 3))
        for sub in subs:
            assert await next_event(sub) == changed(7, 3)


async def test_malformed_datagram_is_dropped_and_delivery_goes_on() -> None:
    links = LocalBusLinks.create(2)
    bus = LocalBus(links.link(1))
    try:
        sub = await bus.subscribe(["mailbox:1"])
        raw = links.link(0).peers[0]
        raw.send(b"{not json")
        raw.send(changed(1, 5).to_json().encode())
        assert await next_event(sub) == changed(1, 5)
    finally:
        await bus.close()
        links.close()


async def test_a_peer_that_falls_behind_gets_overflow_instead_of_unbounded_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bus_local, "MAX_BACKLOG", 10)
    links = LocalBusLinks.create(2)
    sender, receiver = LocalBus(links.link(0)), LocalBus(links.link(1))
    try:
        sub = await receiver.subscribe(["mailbox:1"], queue_size=1_000_000)
        # Publishing never yields to the loop, so the receiver reads nothing meanwhile: its socket
        # buffer fills, then the sender's backlog for it passes the cap.
        published = 0
        while not sender._peers[0].overflowed:
            published += 1
            await sender.publish(changed(1, published))
        assert len(sender._peers[0].backlog) <= 10
        # The receiver catches up: what its socket held, then Overflow, then the short backlog.
        events = []
        while not isinstance(events[-1:] and events[-1], Overflow):
            events.append(await next_event(sub))
        received = [e.modseq for e in events[:-1]]
        assert received == list(range(1, len(received) + 1))
        assert len(received) < published
    finally:
        await sender.close()
        await receiver.close()
        links.close()
