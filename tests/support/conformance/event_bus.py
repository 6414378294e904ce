"""Conformance suite for the ``EventBus`` port: delivery across nodes, filtering, overflow, closing.

``make_pair()`` must return an async context manager yielding two buses that share one backend, as
two nodes would (the in-process bus passes the same instance twice). The context manager closes
both, and must tolerate a bus a check has already closed.

Nothing here sleeps: a check waits on a subscription with ``asyncio.timeout`` only as a guard
against hanging. Absence of an event is shown by ordering instead: events from one publisher
arrive in publish order, so when a later event arrives, an earlier one that was due would have too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

import pytest

from yunmail.events import (
    DomainStateChanged,
    Event,
    EventBus,
    MailboxChanged,
    MessageDelivered,
    Overflow,
    Subscription,
    SubscriptionClosed,
)

MakeBusPair = Callable[[], AbstractAsyncContextManager[tuple[EventBus, EventBus]]]
BusConformance = Callable[[MakeBusPair], Awaitable[None]]

GUARD_SECONDS = 10.0


def changed(mailbox_id: int, modseq: int) -> MailboxChanged:
    return MailboxChanged(mailbox_id=mailbox_id, modseq=modseq)


async def next_event(sub: Subscription) -> Event:
    async with asyncio.timeout(GUARD_SECONDS):
        return await sub.get()


async def next_events(sub: Subscription, count: int) -> list[Event]:
    return [await next_event(sub) for _ in range(count)]


async def check_event_from_another_node_reaches_a_subscriber(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        await node_a.publish(changed(1, 5))
        assert await next_event(sub) == changed(1, 5)


async def check_event_reaches_a_subscriber_on_the_publishing_node(make: MakeBusPair) -> None:
    async with make() as (node_a, _node_b):
        sub = await node_a.subscribe(["mailbox:1"])
        await node_a.publish(changed(1, 5))
        assert await next_event(sub) == changed(1, 5)


async def check_event_reaches_subscribers_on_both_nodes_once(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        on_a = await node_a.subscribe(["mailbox:1"])
        on_b = await node_b.subscribe(["mailbox:1"])
        await node_a.publish(changed(1, 5))
        await node_a.publish(changed(1, 6))
        assert (await next_events(on_a, 2), await next_events(on_b, 2)) == (
            [changed(1, 5), changed(1, 6)],
            [changed(1, 5), changed(1, 6)],
        )


async def check_every_event_kind_arrives_intact(make: MakeBusPair) -> None:
    events: list[Event] = [
        MailboxChanged(mailbox_id=3, modseq=9, folder_ids=(4, 5)),
        MessageDelivered(mailbox_id=3, folder_id=4, uid=77),
        DomainStateChanged(enterprise_id=2, domain_id=8, old_state="pending", new_state="verified"),
    ]
    async with make() as (node_a, node_b):
        sub = await node_b.subscribe(["mailbox:3", "enterprise:2"])
        for event in events:
            await node_a.publish(event)
        assert await next_events(sub, 3) == events


async def check_events_from_one_publisher_arrive_in_order(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        for modseq in range(1, 21):
            await node_a.publish(changed(1, modseq))
        assert await next_events(sub, 20) == [changed(1, m) for m in range(1, 21)]


async def check_subscriber_hears_only_its_topics(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        await node_a.publish(changed(2, 1))
        await node_a.publish(changed(10, 1))
        await node_a.publish(changed(1, 1))
        assert await next_event(sub) == changed(1, 1)


async def check_one_subscription_hears_all_its_topics(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1", "mailbox:2"])
        await node_a.publish(changed(2, 1))
        await node_a.publish(changed(3, 1))
        await node_a.publish(changed(1, 1))
        assert await next_events(sub, 2) == [changed(2, 1), changed(1, 1)]


async def check_publish_without_subscribers_is_harmless(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        await node_a.publish(changed(99, 1))
        sub = await node_b.subscribe(["mailbox:99"])
        await node_a.publish(changed(99, 2))
        assert await next_event(sub) == changed(99, 2)


async def check_closed_subscription_ends_and_others_keep_hearing(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        leaving = await node_b.subscribe(["mailbox:1"])
        staying = await node_b.subscribe(["mailbox:1"])
        await leaving.close()
        await node_a.publish(changed(1, 1))
        assert await next_event(staying) == changed(1, 1)
        assert [event async for event in leaving] == []


async def check_get_on_a_closed_subscription_raises(make: MakeBusPair) -> None:
    async with make() as (_node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        await sub.close()
        with pytest.raises(SubscriptionClosed):
            await sub.get()


async def check_resubscribing_after_the_last_subscriber_left_delivers_once(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        first = await node_b.subscribe(["mailbox:1"])
        await first.close()
        again = await node_b.subscribe(["mailbox:1"])
        await node_a.publish(changed(1, 1))
        await node_a.publish(changed(1, 2))
        assert await next_events(again, 2) == [changed(1, 1), changed(1, 2)]


async def check_overflow_is_reported_once_then_delivery_resumes(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        small = await node_b.subscribe(["mailbox:1"], queue_size=2)
        # The probe sees what the small queue was offered: once the probe has the last event, the
        # small queue has been offered all of them, without any waiting.
        probe = await node_b.subscribe(["mailbox:1"])
        for modseq in range(1, 6):
            await node_a.publish(changed(1, modseq))
        await next_events(probe, 5)
        assert await next_events(small, 3) == [changed(1, 1), changed(1, 2), Overflow()]
        await node_a.publish(changed(1, 6))
        assert await next_event(small) == changed(1, 6)


async def check_closing_a_bus_ends_a_waiting_consumer(make: MakeBusPair) -> None:
    async with make() as (_node_a, node_b):
        sub = await node_b.subscribe(["mailbox:1"])
        waiting = asyncio.Event()

        async def consume() -> list[Event]:
            waiting.set()
            return [event async for event in sub]

        consumer = asyncio.create_task(consume())
        await waiting.wait()
        await node_b.close()
        async with asyncio.timeout(GUARD_SECONDS):
            assert await consumer == []


async def check_closing_one_node_leaves_the_other_working(make: MakeBusPair) -> None:
    async with make() as (node_a, node_b):
        if node_a is node_b:
            return  # one in-process bus: there is no other node
        await node_b.subscribe(["mailbox:1"])
        await node_b.close()
        sub = await node_a.subscribe(["mailbox:1"])
        await node_a.publish(changed(1, 1))
        assert await next_event(sub) == changed(1, 1)


EVENT_BUS_CHECKS: tuple[BusConformance, ...] = (
    check_event_from_another_node_reaches_a_subscriber,
    check_event_reaches_a_subscriber_on_the_publishing_node,
    check_event_reaches_subscribers_on_both_nodes_once,
    check_every_event_kind_arrives_intact,
    check_events_from_one_publisher_arrive_in_order,
    check_subscriber_hears_only_its_topics,
    check_one_subscription_hears_all_its_topics,
    check_publish_without_subscribers_is_harmless,
    check_closed_subscription_ends_and_others_keep_hearing,
    check_get_on_a_closed_subscription_raises,
    check_resubscribing_after_the_last_subscriber_left_delivers_once,
    check_overflow_is_reported_once_then_delivery_resumes,
    check_closing_a_bus_ends_a_waiting_consumer,
    check_closing_one_node_leaves_the_other_working,
)


async def check_event_bus(make_bus_pair: MakeBusPair) -> None:
    """Run the whole suite against one implementation."""
    for conformance in EVENT_BUS_CHECKS:
        await conformance(make_bus_pair)
