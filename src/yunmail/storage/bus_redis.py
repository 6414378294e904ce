"""The event bus across nodes on Redis pub/sub: one channel per topic, one subscriber connection per bus.

Shape:
* ``publish`` hands the event to this node's subscribers directly, then PUBLISHes it to the topic's
  channel (``<prefix><topic>``) as ``<origin>\\n<event json>``. The reader drops messages carrying
  its own origin, so local subscribers see each event exactly once and without a round trip.
* Local subscriptions are reference-counted per topic: the first subscriber of a topic SUBSCRIBEs
  the channel, the last one to leave UNSUBSCRIBEs it. ``subscribe`` returns only after Redis has
  confirmed the subscription, so an event published afterwards on any node is delivered.
* One reader task per bus reads the subscriber connection and fans messages out to local
  ``QueueSubscription`` queues. If the connection breaks, the reader reconnects and redis-py
  re-subscribes the channels; each re-subscription confirmation gives that topic's subscribers one
  ``Overflow`` (events may have been missed; resynchronise from storage). It comes only once the
  channel is live again, so nothing published after the subscriber's resync can be lost.

Invariant: ``_remote`` (the channels Redis has confirmed or been asked to drop) changes only under
``_lock``, and always together with the local registry, so the two never disagree after a step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from yunmail.events import Event, InProcessBus, QueueSubscription, event_from_json

log = logging.getLogger(__name__)

_RETRY_SECONDS = 1.0


class RedisBus(InProcessBus):
    """``EventBus`` for scale-out mode; every node with the same Redis and prefix shares events."""

    def __init__(self, url: str, *, prefix: str = "yunmail:events:", confirm_timeout: float = 10.0) -> None:
        super().__init__()
        self._origin = secrets.token_hex(8)
        # Named connections make a node's bus visible (and killable) in CLIENT LIST.
        self.client_name = f"yunmail-bus-{self._origin}"
        self._redis: Redis = Redis.from_url(url, decode_responses=True, client_name=self.client_name)
        self._pubsub: PubSub = self._redis.pubsub()
        self._prefix = prefix
        self._confirm_timeout = confirm_timeout
        self._lock = asyncio.Lock()
        self._remote: set[str] = set()
        self._pending: dict[str, asyncio.Future[None]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._closed = False

    async def publish(self, event: Event) -> None:
        self.deliver_local(event)
        await self._redis.publish(self._prefix + event.topic, f"{self._origin}\n{event.to_json()}")

    async def subscribe(self, topics: Iterable[str], queue_size: int = 256) -> QueueSubscription:
        wanted = frozenset(topics)
        if self._closed:
            raise RuntimeError("event bus is closed")
        async with self._lock:
            missing = sorted(wanted - self._remote)
            if missing:
                await self._subscribe_remote(missing)
            return await super().subscribe(wanted, queue_size)

    async def _subscribe_remote(self, topics: list[str]) -> None:
        loop = asyncio.get_running_loop()
        waits = []
        for topic in topics:
            future: asyncio.Future[None] = loop.create_future()
            self._pending[self._prefix + topic] = future
            waits.append(future)
        try:
            await self._pubsub.subscribe(*(self._prefix + t for t in topics))
            if self._reader is None:
                self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")
            async with asyncio.timeout(self._confirm_timeout):
                await asyncio.gather(*waits)
        finally:
            for topic in topics:
                self._pending.pop(self._prefix + topic, None)
            for future in waits:
                if not future.done():
                    future.cancel()
                elif not future.cancelled():
                    future.exception()  # retrieved, so asyncio does not log it as forgotten
        self._remote.update(topics)

    async def _unsubscribe(self, sub: QueueSubscription) -> None:
        await super()._unsubscribe(sub)
        if self._closed or not any(t in self._remote for t in sub.topics):
            return
        async with self._lock:
            # Re-check under the lock: another task may have subscribed the topic again meanwhile.
            unused = sorted(t for t in sub.topics if t in self._remote and t not in self._subs)
            if unused and not self._closed:
                self._remote.difference_update(unused)
                try:
                    await self._pubsub.unsubscribe(*(self._prefix + t for t in unused))
                except (RedisError, OSError) as exc:
                    # Harmless: a stale channel only brings messages nobody here listens to.
                    log.warning("redis event bus: unsubscribe failed: %s", exc)

    async def _read(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=None)
            except (RedisError, OSError) as exc:
                # The next read reconnects and redis-py re-subscribes; the confirmations that
                # follow tell each topic's subscribers to resynchronise (see _dispatch).
                log.warning("redis event bus connection lost: %s", exc)
                self._fail_pending(exc)
                await asyncio.sleep(_RETRY_SECONDS)
                continue
            if message is not None:
                self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        channel = str(message["channel"])
        if kind == "subscribe":
            future = self._pending.get(channel)
            if future is not None:
                if not future.done():
                    future.set_result(None)
            else:
                # Unasked-for confirmation: the connection was re-established and the channel
                # re-subscribed, so its subscribers may have missed events while it was down.
                for sub in tuple(self._subs.get(channel.removeprefix(self._prefix), ())):
                    sub.overflow()
        elif kind == "message":
            origin, _, body = str(message["data"]).partition("\n")
            if origin != self._origin:
                self._deliver_text(body)

    def _deliver_text(self, body: str) -> None:
        try:
            event = event_from_json(body)
        except (ValueError, KeyError, TypeError):
            # A foreign or newer publisher on our prefix must not kill the reader.
            log.warning("redis event bus: dropped an unreadable message: %.200r", body)
            return
        self.deliver_local(event)

    def _fail_pending(self, exc: BaseException) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError(f"redis subscription failed: {exc}"))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await super().close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()
