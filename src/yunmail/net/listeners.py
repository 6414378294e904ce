"""Listening sockets and the connections they accept: binding, overload handling, caps, graceful drain.

Protocol servers plug in one of two ways:

* a **stream handler** ``async handler(reader, writer)`` (IMAP, POP3, the HTTP health endpoint), or
* a **protocol factory** ``() -> asyncio.Protocol`` (aiosmtpd's ``SMTP`` is a protocol).

Implementation notes (the invariants this module guards):

* We run our own accept loop instead of ``loop.create_server`` so that we decide, per accepted
  socket and before any TLS handshake, whether the peer is over its connection cap, and so that an
  overload errno from ``accept()`` (``EMFILE``, ``ENFILE``, ``ENOBUFS``, ``ENOMEM``) is logged and
  retried after a back-off instead of killing the listener (trio ``serve_listeners``).
* Every accepted connection is one task in ``Listeners``; the per-IP slot is released in that
  task's ``finally``, so a cap can never leak, whatever the handler does.
* ``drain()`` stops accepting first (closing the listening sockets), then waits for in-flight
  connections up to a deadline, then cancels what is left and waits for the cancellations to finish.
  Handlers that want to say goodbye early (SMTP 421, IMAP BYE) watch ``Listeners.stopping``.
* Resource handling: a handler owns its ``writer``; we close it after the handler returns anyway.
  Error handling: an exception escaping a handler is logged and counted in ``unhandled_errors``
  (tests assert it stays zero); it never stops the listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import ssl
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from yunmail import logging
from yunmail.config import parse_host_port
from yunmail.errors import ListenFailed
from yunmail.net.limits import NetLimits
from yunmail.net.tls import ServerTls

StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
ProtocolFactory = Callable[[], asyncio.BaseProtocol]
Accept = Callable[[socket.socket], Awaitable[tuple[socket.socket, Any]]]
_P = TypeVar("_P", bound=asyncio.BaseProtocol)

# accept() failing with these means "out of resources right now", not "listener broken".
ACCEPT_CAPACITY_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.ENOBUFS})
# The peer gave up between the handshake and our accept(); nothing to do but carry on.
ACCEPT_TRANSIENT_ERRNOS = frozenset({errno.ECONNABORTED, errno.EPROTO, errno.ECONNRESET, errno.EPERM})
ACCEPT_BACKOFF_SECONDS = 0.1
STREAM_BUFFER_BYTES = 64 * 1024

_log = logging.get("net.listeners")


@dataclass(frozen=True, slots=True)
class ListenerSpec:
    """One named front door: where to listen and who handles the connections.

    Exactly one of ``handler`` and ``protocol_factory`` is set. ``tls`` makes it an implicit-TLS
    listener (465, 993, 995). ``refusal`` is written to a plaintext connection refused by a cap
    (``421 4.7.0 ...``, ``* BYE ...``) before it is closed.
    """

    name: str
    addresses: tuple[str, ...]
    handler: StreamHandler | None = None
    protocol_factory: ProtocolFactory | None = None
    tls: ServerTls | None = None
    refusal: bytes = b""
    stream_buffer_bytes: int = STREAM_BUFFER_BYTES

    def __post_init__(self) -> None:
        if (self.handler is None) == (self.protocol_factory is None):
            raise ValueError(f"listener {self.name!r} needs exactly one of handler and protocol_factory")


@dataclass(frozen=True, slots=True)
class BoundAddress:
    name: str
    host: str
    port: int


@dataclass(slots=True)
class ConnectionCaps:
    """Open-connection counts per peer IP and in total; ``acquire`` refuses past either cap."""

    per_ip: int
    total: int
    _by_ip: Counter[str] = field(default_factory=Counter)
    _total: int = 0

    def acquire(self, ip: str) -> bool:
        if self._total >= self.total or self._by_ip[ip] >= self.per_ip:
            return False
        self._by_ip[ip] += 1
        self._total += 1
        return True

    def release(self, ip: str) -> None:
        self._by_ip[ip] -= 1
        if self._by_ip[ip] <= 0:
            del self._by_ip[ip]
        self._total -= 1

    def count(self, ip: str | None = None) -> int:
        return self._total if ip is None else self._by_ip[ip]


@dataclass(eq=False, slots=True)
class _Bound:
    spec: ListenerSpec
    sock: socket.socket
    address: BoundAddress
    task: asyncio.Task[None] | None = None


class Listeners:
    """Every listening socket of the process and every connection they accepted."""

    def __init__(
        self,
        limits: NetLimits | None = None,
        *,
        accept: Accept | None = None,
        backoff_seconds: float = ACCEPT_BACKOFF_SECONDS,
        prebound: Mapping[tuple[str, str], Sequence[socket.socket]] | None = None,
    ) -> None:
        self.limits = limits or NetLimits()
        self.caps = ConnectionCaps(self.limits.connections_per_ip, self.limits.connections_total)
        self.stopping = asyncio.Event()
        self.unhandled_errors = 0
        self._accept = accept
        self._backoff_seconds = backoff_seconds
        self._bound: list[_Bound] = []
        # Sockets bound by a pre-forking parent, by (listener, address text): taken instead of binding.
        self._prebound = dict(prebound or {})
        self._connections: set[asyncio.Task[None]] = set()

    # --- binding ---------------------------------------------------------------------------------

    async def add(self, spec: ListenerSpec) -> tuple[BoundAddress, ...]:
        """Bind every address of ``spec`` (port 0 = any free port) and start accepting."""
        if self.stopping.is_set():
            raise RuntimeError("listeners are stopping")
        bound: list[_Bound] = []
        try:
            for text in spec.addresses:
                host, port = parse_host_port(text)
                inherited = self._prebound.pop((spec.name, text), None)
                for sock in inherited if inherited is not None else await _bind(host, port):
                    sockname = sock.getsockname()
                    bound.append(_Bound(spec, sock, BoundAddress(spec.name, sockname[0], sockname[1])))
        except BaseException:
            for item in bound:
                item.sock.close()
            raise
        for item in bound:
            item.task = asyncio.create_task(self._accept_loop(item), name=f"accept-{spec.name}")
            self._bound.append(item)
            _log.info(
                "listening",
                extra={"fields": {"listener": spec.name, "address": format_address(item.address)}},
            )
        return tuple(item.address for item in bound)

    def addresses(self) -> dict[str, tuple[BoundAddress, ...]]:
        """Bound addresses by listener name, in binding order."""
        out: dict[str, list[BoundAddress]] = {}
        for item in self._bound:
            out.setdefault(item.spec.name, []).append(item.address)
        return {name: tuple(found) for name, found in out.items()}

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    # --- accepting -------------------------------------------------------------------------------

    async def _accept_loop(self, item: _Bound) -> None:
        loop = asyncio.get_running_loop()
        accept = self._accept or loop.sock_accept
        while True:
            try:
                conn, peer = await accept(item.sock)
            except OSError as exc:
                if exc.errno in ACCEPT_CAPACITY_ERRNOS:
                    _log.error(
                        "accept failed for lack of resources; backing off",
                        extra={"fields": {"listener": item.spec.name, "errno": errno.errorcode[exc.errno]}},
                    )
                    await asyncio.sleep(self._backoff_seconds)
                    continue
                if exc.errno in ACCEPT_TRANSIENT_ERRNOS:
                    continue
                # Anything else means the listening socket itself is broken: say so, stop this one.
                _log.exception(
                    "accept loop failed; listener stopped", extra={"fields": {"listener": item.spec.name}}
                )
                return
            self._admit(item.spec, conn, peer)

    def _admit(self, spec: ListenerSpec, conn: socket.socket, peer: Any) -> None:
        ip = str(peer[0]) if isinstance(peer, tuple) else str(peer)
        try:
            # Keepalive finds peers that vanished during a long IMAP IDLE.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        except OSError:  # already reset by the peer
            conn.close()
            return
        if self.stopping.is_set() or not self.caps.acquire(ip):
            _log.warning(
                "connection refused: cap reached", extra={"fields": {"listener": spec.name, "ip": ip}}
            )
            _refuse(conn, spec.refusal if spec.tls is None else b"")
            return
        task = asyncio.create_task(self._serve(spec, conn, ip), name=f"conn-{spec.name}-{ip}")
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    async def _serve(self, spec: ListenerSpec, conn: socket.socket, ip: str) -> None:
        try:
            if spec.handler is not None:
                await self._serve_stream(spec, spec.handler, conn)
            elif spec.protocol_factory is not None:
                await self._serve_protocol(spec, spec.protocol_factory, conn)
        except (ConnectionError, ssl.SSLError, TimeoutError) as exc:
            # The peer vanished or failed the TLS handshake: routine on the Internet.
            _log.debug(
                "connection ended", extra={"fields": {"listener": spec.name, "ip": ip, "error": repr(exc)}}
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            self.unhandled_errors += 1
            _log.exception("connection handler failed", extra={"fields": {"listener": spec.name, "ip": ip}})
        finally:
            self.caps.release(ip)

    async def _serve_stream(self, spec: ListenerSpec, handler: StreamHandler, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=spec.stream_buffer_bytes, loop=loop)
        protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
        transport, _ = await _connect(loop, lambda: protocol, conn, self._tls_options(spec))
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        try:
            await handler(reader, writer)
        finally:
            writer.close()
            try:
                # Bounded: a peer that stops reading must not hold the drain forever.
                async with asyncio.timeout(self.limits.tls_handshake_seconds):
                    await writer.wait_closed()
            except (ConnectionError, ssl.SSLError, TimeoutError):
                transport.abort()

    async def _serve_protocol(
        self, spec: ListenerSpec, factory: ProtocolFactory, conn: socket.socket
    ) -> None:
        loop = asyncio.get_running_loop()
        lost: asyncio.Future[None] = loop.create_future()

        def tracked() -> asyncio.BaseProtocol:
            protocol = factory()
            original = protocol.connection_lost

            # Wrap on the instance: aiosmtpd swaps transports on STARTTLS, but the SSL layer still
            # reports the end of the connection to this same protocol object.
            def connection_lost(exc: Exception | None) -> None:
                try:
                    original(exc)
                finally:
                    if not lost.done():
                        lost.set_result(None)

            protocol.connection_lost = connection_lost  # type: ignore[method-assign]
            return protocol

        transport, _ = await _connect(loop, tracked, conn, self._tls_options(spec))
        try:
            await lost
        except asyncio.CancelledError:
            transport.abort()
            raise

    def _tls_options(self, spec: ListenerSpec) -> dict[str, Any]:
        if spec.tls is None:
            return {}
        return {"ssl": spec.tls.context, "ssl_handshake_timeout": self.limits.tls_handshake_seconds}

    async def wait_connections_done(self) -> None:
        """Wait until every connection open right now has finished (tests, orderly shutdown)."""
        if self._connections:
            await asyncio.wait(set(self._connections))

    # --- stopping --------------------------------------------------------------------------------

    async def close_listening(self) -> None:
        """Stop accepting: close every listening socket. Open connections carry on."""
        self.stopping.set()
        for item in self._bound:
            if item.task is not None:
                item.task.cancel()
        for item in self._bound:
            if item.task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await item.task
            item.sock.close()

    async def drain(self, grace_seconds: float | None = None) -> int:
        """Stop accepting, wait up to ``grace_seconds`` for open connections, cancel the rest.

        Returns how many connections had to be cancelled.
        """
        await self.close_listening()
        deadline = self.limits.drain_seconds if grace_seconds is None else grace_seconds
        pending: set[asyncio.Task[None]] = set()
        if self._connections:
            _, pending = await asyncio.wait(set(self._connections), timeout=deadline)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
            _log.warning(
                "drain deadline passed; connections cancelled", extra={"fields": {"count": len(pending)}}
            )
        return len(pending)


async def _connect(
    loop: asyncio.AbstractEventLoop, factory: Callable[[], _P], conn: socket.socket, options: dict[str, Any]
) -> tuple[asyncio.Transport, _P]:
    """Hand ``conn`` to a transport; from then on the transport owns (and closes) the socket."""
    try:
        return await loop.connect_accepted_socket(factory, conn, **options)
    except BaseException:
        conn.close()
        raise


async def _bind(host: str, port: int) -> list[socket.socket]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ListenFailed(address=f"{host}:{port}", reason=str(exc)) from exc
    return _bind_infos(host, port, infos)


def bind_listening(address: str) -> list[socket.socket]:
    """Bind ``host:port`` now, without a loop: what a pre-forking parent hands its serving processes."""
    host, port = parse_host_port(address)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ListenFailed(address=f"{host}:{port}", reason=str(exc)) from exc
    return _bind_infos(host, port, infos)


def _bind_infos(host: str, port: int, infos: list[Any]) -> list[socket.socket]:
    sockets: list[socket.socket] = []
    seen: set[tuple[Any, ...]] = set()
    try:
        for family, kind, proto, _, sockaddr in infos:
            if (family, sockaddr) in seen:
                continue
            seen.add((family, sockaddr))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # Keep v4 and v6 binds separate so "0.0.0.0:25" and "[::]:25" can coexist.
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(sockaddr)
            except OSError as exc:
                raise ListenFailed(address=f"{host}:{port}", reason=exc.strerror or str(exc)) from exc
            sock.listen(socket.SOMAXCONN)
            sock.setblocking(False)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _refuse(conn: socket.socket, message: bytes) -> None:
    with contextlib.suppress(OSError):
        if message:
            conn.setblocking(False)
            conn.send(message)
    conn.close()


def format_address(address: BoundAddress) -> str:
    """``host:port`` with IPv6 hosts bracketed, as the config file writes them."""
    return f"[{address.host}]:{address.port}" if ":" in address.host else f"{address.host}:{address.port}"
