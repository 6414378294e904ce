"""The event bus across nodes on PostgreSQL LISTEN/NOTIFY, for deployments without Redis.

Shape (the same as the Redis bus):
* ``publish`` hands the event to this node's subscribers directly, then ``pg_notify``s the topic's
  channel with ``<origin>\\n<event json>``; the listener drops notices carrying its own origin.
* A topic maps to the channel ``<prefix><blake2b(topic)>``: channel names are identifiers of at most
  63 bytes, topics are free text. Receivers route by the event's own topic, so the hash is only a
  filter for what the server sends to this node.
* One listening connection per bus. ``subscribe`` returns after ``LISTEN`` has executed on it, so
  an event published afterwards on any node is delivered. The first subscriber of a topic LISTENs,
  the last one to leave UNLISTENs.
* If the listening connection dies, a background task reconnects and LISTENs again to every channel
  still wanted; then every subscriber gets one ``Overflow`` (resynchronise from storage). It comes
  only once the channels are live again, so nothing published after the resync can be lost.

NOTIFY payloads must stay under 8000 bytes; events are small wake-up notices, and a larger one is
refused with ``ValueError`` rather than truncated.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import secrets
from collections.abc import Iterable

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information

from yunmail.events import Event, InProcessBus, QueueSubscription, event_from_json

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 7999
_PREFIX = re.compile(r"^[a-z_][a-z0-9_]{0,30}$")
_RETRY_SECONDS = 1.0


def channel_for(prefix: str, topic: str) -> str:
    """The NOTIFY channel carrying ``topic``: a valid identifier whatever the topic contains."""
    return prefix + hashlib.blake2b(topic.encode(), digest_size=16).hexdigest()


class PostgresBus(InProcessBus):
    """``EventBus`` for scale-out mode; every node with the same database and prefix shares events."""

    def __init__(self, dsn: str, *, prefix: str = "yunmail_ev_") -> None:
        super().__init__()
        if not _PREFIX.match(prefix):
            raise ValueError(f"channel prefix must be a short lower-case identifier: {prefix!r}")
        # SQLAlchemy spells the URL postgresql+asyncpg://; asyncpg wants postgresql://.
        self._dsn = dsn.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._prefix = prefix
        self._origin = secrets.token_hex(8)
        # Names the listening backend in pg_stat_activity (operators, and tests that cut it off).
        self.listener_name = f"yunmail-bus-{self._origin}"
        self._lock = asyncio.Lock()
        self._remote: set[str] = set()
        self._listener: asyncpg.Connection | None = None
        self._pool: asyncpg.Pool | None = None
        self._reconnect: asyncio.Task[None] | None = None
        self._closed = False

    async def publish(self, event: Event) -> None:
        payload = f"{self._origin}\n{event.to_json()}"
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"event too large for NOTIFY: {event.kind}")
        self.deliver_local(event)
        pool = await self._publisher()
        await pool.execute("SELECT pg_notify($1, $2)", channel_for(self._prefix, event.topic), payload)

    async def _publisher(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=4)
        return self._pool

    async def subscribe(self, topics: Iterable[str], queue_size: int = 256) -> QueueSubscription:
        wanted = frozenset(topics)
        if self._closed:
            raise RuntimeError("event bus is closed")
        async with self._lock:
            listener = await self._connected()
            for topic in sorted(wanted - self._remote):
                await listener.add_listener(channel_for(self._prefix, topic), self._on_notify)
                self._remote.add(topic)
            return await super().subscribe(wanted, queue_size)

    async def _connected(self) -> asyncpg.Connection:
        """The listening connection (caller holds ``_lock``)."""
        if self._listener is None or self._listener.is_closed():
            listener = await asyncpg.connect(
                self._dsn, server_settings={"application_name": self.listener_name}
            )
            listener.add_termination_listener(self._on_terminated)
            for topic in sorted(self._remote):
                await listener.add_listener(channel_for(self._prefix, topic), self._on_notify)
            self._listener = listener
        return self._listener

    async def _unsubscribe(self, sub: QueueSubscription) -> None:
        await super()._unsubscribe(sub)
        if self._closed or not any(t in self._remote for t in sub.topics):
            return
        async with self._lock:
            # Re-check under the lock: another task may have subscribed the topic again meanwhile.
            unused = sorted(t for t in sub.topics if t in self._remote and t not in self._subs)
            self._remote.difference_update(unused)
            listener = self._listener
            if listener is None or listener.is_closed() or self._closed:
                return
            try:
                for topic in unused:
                    await listener.remove_listener(channel_for(self._prefix, topic), self._on_notify)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                # Harmless: a stale LISTEN only brings notices nobody here listens to.
                log.warning("postgres event bus: UNLISTEN failed: %s", exc)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        origin, _, body = payload.partition("\n")
        if origin == self._origin:
            return
        try:
            event = event_from_json(body)
        except (ValueError, KeyError, TypeError):
            # A foreign or newer publisher on our prefix must not break delivery.
            log.warning("postgres event bus: dropped an unreadable notice: %.200r", body)
            return
        self.deliver_local(event)

    def _on_terminated(self, conn: object) -> None:
        if self._closed or conn is not self._listener:
            return
        log.warning("postgres event bus: listening connection lost; reconnecting")
        if self._reconnect is None or self._reconnect.done():
            self._reconnect = asyncio.get_running_loop().create_task(
                self._reconnect_forever(), name="postgres-bus-reconnect"
            )

    async def _reconnect_forever(self) -> None:
        while not self._closed:
            try:
                async with self._lock:
                    await self._connected()
                    # Only now, with every channel listened to again, may subscribers resync:
                    # anything published from here on reaches them.
                    for sub in {sub for subs in self._subs.values() for sub in subs}:
                        sub.overflow()
                return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("postgres event bus: reconnect failed: %s", exc)
                await asyncio.sleep(_RETRY_SECONDS)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await super().close()
        if self._reconnect is not None:
            self._reconnect.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnect
        async with self._lock:
            if self._listener is not None:
                await self._listener.close()
                self._listener = None
            if self._pool is not None:
                await self._pool.close()
                self._pool = None
