"""Typed events and the ``EventBus`` port that carries them between services and sessions.

Events are small wake-up notices, not the data itself: a subscriber that hears
``MailboxChanged(mailbox_id, modseq)`` reads what changed from the mail store. That keeps the bus
cheap and lets a subscriber that fell behind (queue overflow, another node) catch up from storage.

Topics are strings derived from the event (``mailbox:42``, ``domain:7``, ``enterprise:3``); a
subscriber listens to one or more topics. The in-process bus here serves embedded mode; the Redis
and PostgreSQL buses in ``storage`` serve scale-out mode and pass the same conformance suite.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Protocol

__all__ = [
    "EVENT_TYPES",
    "DomainStateChanged",
    "Event",
    "EventBus",
    "InProcessBus",
    "MailboxChanged",
    "MessageDelivered",
    "Overflow",
    "QueueSubscription",
    "Subscription",
    "SubscriptionClosed",
    "event_from_json",
]


@dataclass(frozen=True, slots=True)
class Event:
    kind: ClassVar[str] = "event"

    @property
    def topic(self) -> str:
        raise NotImplementedError

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, **asdict(self)}, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class MailboxChanged(Event):
    """Something in a mailbox (any folder) changed; ``modseq`` is the mailbox's new high-water mark."""

    kind: ClassVar[str] = "mailbox_changed"
    mailbox_id: int
    modseq: int
    folder_ids: tuple[int, ...] = ()

    @property
    def topic(self) -> str:
        return f"mailbox:{self.mailbox_id}"


@dataclass(frozen=True, slots=True)
class MessageDelivered(Event):
    """A message arrived from outside (SMTP, migration); webmail shows a notification."""

    kind: ClassVar[str] = "message_delivered"
    mailbox_id: int
    folder_id: int
    uid: int

    @property
    def topic(self) -> str:
        return f"mailbox:{self.mailbox_id}"


@dataclass(frozen=True, slots=True)
class DomainStateChanged(Event):
    kind: ClassVar[str] = "domain_state_changed"
    enterprise_id: int
    domain_id: int
    old_state: str
    new_state: str

    @property
    def topic(self) -> str:
        return f"enterprise:{self.enterprise_id}"


@dataclass(frozen=True, slots=True)
class Overflow(Event):
    """Delivered to a subscriber whose queue filled up: events were dropped; resynchronise."""

    kind: ClassVar[str] = "overflow"

    @property
    def topic(self) -> str:
        return "*"


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls for cls in (MailboxChanged, MessageDelivered, DomainStateChanged, Overflow)
}


def event_from_json(text: str) -> Event:
    data: dict[str, Any] = json.loads(text)
    cls = EVENT_TYPES[data.pop("kind")]
    if cls is MailboxChanged:
        data["folder_ids"] = tuple(data.get("folder_ids", ()))
    return cls(**data)


class SubscriptionClosed(Exception):
    """``get()`` on a subscription that was closed, by its owner or by the bus shutting down."""


class Subscription(Protocol):
    """An open subscription; iterate it for events, close it when done.

    Closing (the subscription or its bus) ends iteration, also for a consumer already waiting.
    """

    def __aiter__(self) -> AsyncIterator[Event]: ...

    async def get(self) -> Event: ...

    async def close(self) -> None: ...


class EventBus(Protocol):
    async def publish(self, event: Event) -> None: ...

    async def subscribe(self, topics: Iterable[str], queue_size: int = 256) -> Subscription: ...

    async def close(self) -> None: ...


@dataclass(eq=False)
class QueueSubscription:
    """Bounded queue of events for one subscriber; overflow collapses to a single ``Overflow``."""

    topics: frozenset[str]
    queue_size: int
    _bus: Any
    _queue: asyncio.Queue[Event | None] = field(init=False)
    _overflowed: bool = field(default=False, init=False)
    closed: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        # Unbounded on purpose: offer() enforces queue_size (+ one Overflow), and close() must
        # always be able to add its wake-up marker (None) for a consumer blocked in get().
        self._queue = asyncio.Queue()

    def offer(self, event: Event) -> None:
        if self.closed or self._overflowed:
            return
        if self._queue.qsize() >= self.queue_size:
            self.overflow()
            return
        self._queue.put_nowait(event)

    def overflow(self) -> None:
        """Report lost events (full queue, or a bus that lost its connection): one ``Overflow``
        until the subscriber reads it; events offered meanwhile are dropped, since it resyncs."""
        if self.closed or self._overflowed:
            return
        self._overflowed = True
        self._queue.put_nowait(Overflow())

    async def get(self) -> Event:
        if self.closed:
            raise SubscriptionClosed
        event = await self._queue.get()
        if event is None:
            self._queue.put_nowait(None)  # pass the marker on to any other waiter
            raise SubscriptionClosed
        if isinstance(event, Overflow):
            self._overflowed = False
        return event

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            try:
                event = await self.get()
            except SubscriptionClosed:
                return
            yield event

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._queue.put_nowait(None)
            await self._bus._unsubscribe(self)


class InProcessBus:
    """Event bus for one process (embedded mode)."""

    def __init__(self) -> None:
        self._subs: dict[str, set[QueueSubscription]] = {}

    async def publish(self, event: Event) -> None:
        self.deliver_local(event)

    def deliver_local(self, event: Event) -> None:
        for sub in tuple(self._subs.get(event.topic, ())):
            sub.offer(event)

    async def subscribe(self, topics: Iterable[str], queue_size: int = 256) -> QueueSubscription:
        sub = QueueSubscription(frozenset(topics), queue_size, self)
        for topic in sub.topics:
            self._subs.setdefault(topic, set()).add(sub)
        return sub

    async def _unsubscribe(self, sub: QueueSubscription) -> None:
        for topic in sub.topics:
            subs = self._subs.get(topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[topic]

    def topics(self) -> set[str]:
        return set(self._subs)

    async def close(self) -> None:
        for subs in list(self._subs.values()):
            for sub in list(subs):
                await sub.close()
