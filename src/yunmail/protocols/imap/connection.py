"""One IMAP connection's byte transport: reading with timeouts, writing with flow control, STARTTLS, COMPRESS.

It is an ``asyncio.Protocol`` (handed to ``net.Listeners`` as a protocol factory) rather than a
``StreamReader`` pair, because STARTTLS must discard every plaintext byte received before the
handshake (RFC 9051 §6.2.1, the CVE-2011-0411 class of command injection) and a ``StreamReader``
keeps such bytes in a private buffer. Here the buffer is ours.

Invariants:

* ``start_tls`` clears the receive buffer and calls ``loop.start_tls`` without yielding after the
  caller wrote the tagged OK, so no byte read before the handshake can reach the session.
* Reading is paused while more than ``_HIGH_WATER`` unread bytes are buffered; the session drains
  the buffer into its framer on every ``read``.
* After ``start_compress`` every byte in and out passes through raw DEFLATE (RFC 4978 §4: each
  write ends with a sync flush so the client can decode it at once).
"""

from __future__ import annotations

import asyncio
import ssl
import zlib
from collections.abc import Callable, Coroutine
from typing import Any, cast

_HIGH_WATER = 256 * 1024
SessionStarter = Callable[["Connection"], Coroutine[Any, Any, None]]


class Connection(asyncio.Protocol):
    """Bytes in and out for one client; the session task is started when the connection is made."""

    def __init__(self, start_session: SessionStarter) -> None:
        self._start_session = start_session
        self.transport: asyncio.Transport | None = None
        self.task: asyncio.Task[None] | None = None
        self.peer_ip = ""
        self.tls_active = False
        self._buf = bytearray()
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None
        self._paused_reading = False
        self._write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._inflater: Any = None
        self._deflater: Any = None
        self._notified = False

    # --- asyncio.Protocol ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TLS transport is not an ``asyncio.Transport`` subclass but has the same methods.
        self.transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.peer_ip = str(peer[0]) if isinstance(peer, tuple) else str(peer or "")
        self.tls_active = transport.get_extra_info("sslcontext") is not None
        self.task = asyncio.get_running_loop().create_task(self._start_session(self))

    def data_received(self, data: bytes) -> None:
        if self._inflater is not None:
            try:
                data = self._inflater.decompress(data)
            except zlib.error:
                self._eof = True
                self.abort()
                return
        self._buf += data
        self._wake()
        if len(self._buf) > _HIGH_WATER and not self._paused_reading and self.transport is not None:
            self._paused_reading = True
            self.transport.pause_reading()

    def eof_received(self) -> bool | None:
        self._eof = True
        self._wake()
        # Keep a half-closed plain connection open so answers to what was already sent still go
        # out (the session closes it when done); TLS transports cannot do that.
        return not self.tls_active

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._wake()
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_result(None)

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # --- the session's side ----------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._eof or self.transport is None or self.transport.is_closing()

    async def read(self) -> bytes:
        """Whatever arrived (at least one byte), or ``b""`` at end of stream (cancel-safe)."""
        while not self._buf and not self._eof:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        data = bytes(self._buf)
        self._buf.clear()
        if self._paused_reading and self.transport is not None and not self.transport.is_closing():
            self._paused_reading = False
            self.transport.resume_reading()
        return data

    def has_data(self) -> bool:
        return bool(self._buf) or self._eof

    def notify(self) -> None:
        """Wake a pending `wait` (the change feed has news for an IDLE session)."""
        self._notified = True
        self._wake()

    async def wait(self) -> None:
        """Until bytes arrive, the stream ends or `notify` is called (cancel-safe)."""
        while not self._buf and not self._eof and not self._notified:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self._notified = False

    def write(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing() or not data:
            return
        if self._deflater is not None:
            data = self._deflater.compress(data) + self._deflater.flush(zlib.Z_SYNC_FLUSH)
        self.transport.write(data)

    async def drain(self) -> None:
        if self._write_paused and not self.closed:
            self._drain_waiter = asyncio.get_running_loop().create_future()
            try:
                await self._drain_waiter
            finally:
                self._drain_waiter = None
        if self.transport is not None and self.transport.is_closing():
            raise ConnectionResetError("connection closed")

    async def start_tls(self, context: ssl.SSLContext, handshake_timeout: float) -> None:
        """Upgrade to TLS; plaintext received before the handshake is thrown away, never parsed."""
        assert self.transport is not None
        self._buf.clear()
        loop = asyncio.get_running_loop()
        transport = await loop.start_tls(
            self.transport, self, context, server_side=True, ssl_handshake_timeout=handshake_timeout
        )
        if transport is None:
            raise ConnectionResetError("TLS handshake did not complete")
        self.transport = transport
        self.tls_active = True

    def start_compress(self, pending: bytes) -> None:
        """Switch both directions to raw DEFLATE; ``pending`` is what the session read but did not
        parse yet (already compressed by the client)."""
        self._inflater = zlib.decompressobj(-15)
        self._deflater = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        raw = pending + bytes(self._buf)
        self._buf.clear()
        if raw:
            try:
                self._buf += self._inflater.decompress(raw)
            except zlib.error:
                self._eof = True
                self.abort()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
