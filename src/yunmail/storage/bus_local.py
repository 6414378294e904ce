"""The event bus between the serving processes of one node (embedded mode): Unix datagram sockets.

A pre-forking parent creates one datagram socket pair per serving process before it forks
(``LocalBusLinks.create``); process *i* keeps the receiving end of pair *i* and the sending ends of
every other pair. ``publish`` delivers to this process's subscribers directly, then sends the
event's JSON as one datagram to every other process; each process reads its socket and fans the
events out to its own subscribers. Every event goes to every process (subscriptions are local), so
a subscription is live across the node as soon as ``subscribe`` returns.

Datagrams on a Unix socket are reliable and ordered per sender. A receiver that falls behind fills
its socket buffer: the sender then keeps the datagrams for that peer in a queue and sends them when
the socket drains, so nothing is dropped silently; past ``MAX_BACKLOG`` queued datagrams the peer
gets ``Overflow`` on its next readable datagram instead (its subscribers resynchronise from storage).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from yunmail.events import Event, InProcessBus, Overflow, QueueSubscription, event_from_json

log = logging.getLogger(__name__)

MAX_DATAGRAM = 64 * 1024
MAX_BACKLOG = 10_000
_OVERFLOW_MARK = b"!overflow"


@dataclass(frozen=True, slots=True)
class LocalBusLink:
    """What one serving process keeps: its receiving socket and a sending socket per other process."""

    index: int
    receive: socket.socket
    peers: tuple[socket.socket, ...]


class LocalBusLinks:
    """The socket pairs of a node's serving processes, made by the parent before it forks."""

    def __init__(self, count: int) -> None:
        self._pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM) for _ in range(count)]
        for receive, send in self._pairs:
            for sock in (receive, send):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1024 * 1024)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024 * 1024)

    @classmethod
    def create(cls, count: int) -> LocalBusLinks:
        return cls(count)

    def link(self, index: int) -> LocalBusLink:
        """Process ``index``'s view; call in the child after the fork."""
        peers = tuple(send for i, (_, send) in enumerate(self._pairs) if i != index)
        return LocalBusLink(index, self._pairs[index][0], peers)

    def close(self) -> None:
        for receive, send in self._pairs:
            receive.close()
            send.close()


class _Peer:
    __slots__ = ("backlog", "overflowed", "sock", "waiting")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.backlog: deque[bytes] = deque()
        self.overflowed = False
        self.waiting = False


class LocalBus(InProcessBus):
    """``EventBus`` shared by the serving processes of one node."""

    def __init__(self, link: LocalBusLink) -> None:
        super().__init__()
        self._link = link
        self._loop = asyncio.get_running_loop()
        self._peers = [_Peer(sock) for sock in link.peers]
        for sock in (link.receive, *link.peers):
            sock.setblocking(False)
        self._loop.add_reader(link.receive.fileno(), self._on_readable)
        self._closed = False

    async def subscribe(self, topics: Iterable[str], queue_size: int = 256) -> QueueSubscription:
        # Events published before this call are for the subscribers that existed then: hand out
        # whatever already sits in the socket before the new subscription joins.
        self._on_readable()
        return await super().subscribe(topics, queue_size)

    async def publish(self, event: Event) -> None:
        self.deliver_local(event)
        payload = event.to_json().encode()
        for peer in self._peers:
            self._send(peer, payload)

    def _send(self, peer: _Peer, payload: bytes) -> None:
        if peer.backlog or peer.waiting:
            self._queue(peer, payload)
            return
        try:
            peer.sock.send(payload)
        except BlockingIOError:
            self._queue(peer, payload)
        except OSError:
            log.warning("local bus peer unreachable; event not sent", exc_info=True)

    def _queue(self, peer: _Peer, payload: bytes) -> None:
        if len(peer.backlog) >= MAX_BACKLOG:
            # The peer is far behind: its subscribers must resync anyway, so drop the queue.
            peer.backlog.clear()
            peer.overflowed = True
        peer.backlog.append(payload)
        if not peer.waiting:
            peer.waiting = True
            self._loop.add_writer(peer.sock.fileno(), self._drain, peer)

    def _drain(self, peer: _Peer) -> None:
        if peer.overflowed:
            peer.backlog.appendleft(_OVERFLOW_MARK)
            peer.overflowed = False
        while peer.backlog:
            try:
                peer.sock.send(peer.backlog[0])
            except BlockingIOError:
                return
            except OSError:
                log.warning("local bus peer unreachable; queued events dropped", exc_info=True)
                peer.backlog.clear()
                break
            peer.backlog.popleft()
        peer.waiting = False
        self._loop.remove_writer(peer.sock.fileno())

    def _on_readable(self) -> None:
        while True:
            try:
                data = self._link.receive.recv(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                log.warning("local bus receive failed", exc_info=True)
                return
            if data == _OVERFLOW_MARK:
                for subs in list(self._subs.values()):
                    for sub in list(subs):
                        sub.overflow()
                continue
            try:
                event = event_from_json(data.decode())
            except (ValueError, KeyError, TypeError):
                log.warning("local bus dropped a malformed datagram")
                continue
            if not isinstance(event, Overflow):
                self.deliver_local(event)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self._link.receive.fileno())
            for peer in self._peers:
                if peer.waiting:
                    with contextlib.suppress(Exception):
                        self._loop.remove_writer(peer.sock.fileno())
        await super().close()
