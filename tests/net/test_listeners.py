"""Listeners: binding, per-IP caps, overload errnos, handler failures and graceful drain."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from yunmail.errors import ListenFailed
from yunmail.net import BoundAddress, ConnectionCaps, Listeners, ListenerSpec, NetLimits


@pytest.fixture
async def listeners() -> AsyncIterator[Listeners]:
    edge = Listeners(NetLimits(connections_per_ip=1))
    try:
        yield edge
    finally:
        await edge.drain(grace_seconds=0)


async def _greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"hello\r\n")
    await writer.drain()


class Gate:
    """A handler that announces it started and then waits until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = False

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.entered.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        writer.write(b"done\r\n")
        await writer.drain()


async def _read_all(address: BoundAddress) -> bytes:
    reader, writer = await asyncio.open_connection(address.host, address.port)
    try:
        return await reader.read()
    finally:
        writer.close()


async def test_port_zero_binds_a_free_port_and_reports_it(listeners: Listeners) -> None:
    bound = await listeners.add(ListenerSpec("smtp", ("127.0.0.1:0",), handler=_greet))

    assert len(bound) == 1
    assert bound[0].name == "smtp"
    assert bound[0].host == "127.0.0.1"
    assert bound[0].port > 0
    assert listeners.addresses() == {"smtp": bound}


async def test_each_address_of_a_listener_is_bound(listeners: Listeners) -> None:
    bound = await listeners.add(ListenerSpec("imap", ("127.0.0.1:0", "127.0.0.1:0"), handler=_greet))

    assert len({address.port for address in bound}) == 2


async def test_stream_handler_serves_an_accepted_connection(listeners: Listeners) -> None:
    (address,) = await listeners.add(ListenerSpec("pop3", ("127.0.0.1:0",), handler=_greet))

    assert await _read_all(address) == b"hello\r\n"


async def test_connection_over_the_per_ip_cap_gets_the_refusal_and_is_closed(listeners: Listeners) -> None:
    gate = Gate()
    (address,) = await listeners.add(
        ListenerSpec("smtp", ("127.0.0.1:0",), handler=gate, refusal=b"421 4.7.0 Too many connections\r\n")
    )
    _, first = await asyncio.open_connection(address.host, address.port)
    await gate.entered.wait()

    refused = await _read_all(address)

    assert refused == b"421 4.7.0 Too many connections\r\n"
    assert listeners.caps.count("127.0.0.1") == 1
    gate.release.set()
    first.close()


async def test_per_ip_slot_is_released_when_the_connection_ends(listeners: Listeners) -> None:
    (address,) = await listeners.add(ListenerSpec("pop3", ("127.0.0.1:0",), handler=_greet))
    await _read_all(address)
    await listeners.wait_connections_done()

    assert listeners.caps.count("127.0.0.1") == 0
    assert await _read_all(address) == b"hello\r\n"


def test_caps_refuse_past_the_total_even_for_a_new_ip() -> None:
    caps = ConnectionCaps(per_ip=5, total=2)

    results = [caps.acquire("192.0.2.1"), caps.acquire("192.0.2.2"), caps.acquire("192.0.2.3")]

    assert results == [True, True, False]
    assert caps.count() == 2


async def test_drain_waits_for_an_in_flight_handler_to_finish(listeners: Listeners) -> None:
    gate = Gate()
    (address,) = await listeners.add(ListenerSpec("imap", ("127.0.0.1:0",), handler=gate))
    reader, writer = await asyncio.open_connection(address.host, address.port)
    await gate.entered.wait()

    drain = asyncio.create_task(listeners.drain(grace_seconds=60))
    await listeners.stopping.wait()
    gate.release.set()
    cancelled = await drain

    assert cancelled == 0
    assert await reader.read() == b"done\r\n"
    assert not gate.cancelled
    writer.close()


async def test_drain_stops_accepting_before_waiting(listeners: Listeners) -> None:
    gate = Gate()
    (address,) = await listeners.add(ListenerSpec("imap", ("127.0.0.1:0",), handler=gate))
    _, writer = await asyncio.open_connection(address.host, address.port)
    await gate.entered.wait()

    drain = asyncio.create_task(listeners.drain(grace_seconds=60))
    await listeners.close_listening()

    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(address.host, address.port)
    gate.release.set()
    await drain
    writer.close()


async def test_drain_cancels_handlers_still_running_at_the_deadline(listeners: Listeners) -> None:
    gate = Gate()
    (address,) = await listeners.add(ListenerSpec("imap", ("127.0.0.1:0",), handler=gate))
    reader, writer = await asyncio.open_connection(address.host, address.port)
    await gate.entered.wait()

    cancelled = await listeners.drain(grace_seconds=0)

    assert cancelled == 1
    assert gate.cancelled
    assert await reader.read() == b""
    assert listeners.caps.count() == 0
    writer.close()


async def test_accept_running_out_of_file_descriptors_backs_off_and_keeps_serving(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = [OSError(errno.EMFILE, "Too many open files")]

    async def accept(sock: socket.socket) -> tuple[socket.socket, Any]:
        if failures:
            raise failures.pop()
        return await asyncio.get_running_loop().sock_accept(sock)

    edge = Listeners(accept=accept, backoff_seconds=0)
    monkeypatch.setattr(logging.getLogger("yunmail"), "propagate", True)
    try:
        (address,) = await edge.add(ListenerSpec("smtp", ("127.0.0.1:0",), handler=_greet))
        with caplog.at_level(logging.ERROR, logger="yunmail.net.listeners"):
            greeting = await _read_all(address)
    finally:
        await edge.drain(grace_seconds=0)

    assert greeting == b"hello\r\n"
    assert [r.getMessage() for r in caplog.records] == ["accept failed for lack of resources; backing off"]


async def test_broken_listening_socket_stops_only_that_listener() -> None:
    broken_ports: set[int] = set()

    async def accept(sock: socket.socket) -> tuple[socket.socket, Any]:
        if sock.getsockname()[1] in broken_ports:
            raise OSError(errno.EBADF, "Bad file descriptor")
        return await asyncio.get_running_loop().sock_accept(sock)

    edge = Listeners(accept=accept)
    try:
        (broken,) = await edge.add(ListenerSpec("imap", ("127.0.0.1:0",), handler=_greet))
        broken_ports.add(broken.port)
        (working,) = await edge.add(ListenerSpec("pop3", ("127.0.0.1:0",), handler=_greet))

        assert await _read_all(working) == b"hello\r\n"
    finally:
        assert await edge.drain(grace_seconds=0) == 0


async def test_handler_exception_is_counted_and_the_listener_keeps_serving(listeners: Listeners) -> None:
    calls = 0

    async def flaky(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("bug in a protocol handler")
        await _greet(reader, writer)

    (address,) = await listeners.add(ListenerSpec("imap", ("127.0.0.1:0",), handler=flaky))

    first = await _read_all(address)
    await listeners.wait_connections_done()
    second = await _read_all(address)

    assert (first, second) == (b"", b"hello\r\n")
    assert listeners.unhandled_errors == 1


class _Echo(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transport is not a subclass

    def data_received(self, data: bytes) -> None:
        self.transport.write(data.upper())
        self.transport.close()


async def test_protocol_factory_listener_serves_and_releases_the_slot(listeners: Listeners) -> None:
    (address,) = await listeners.add(ListenerSpec("smtp", ("127.0.0.1:0",), protocol_factory=_Echo))
    reader, writer = await asyncio.open_connection(address.host, address.port)
    writer.write(b"ehlo\r\n")

    answer = await reader.read()
    await listeners.wait_connections_done()

    assert answer == b"EHLO\r\n"
    assert listeners.caps.count() == 0
    writer.close()


async def test_drain_aborts_protocol_connections_past_the_deadline(listeners: Listeners) -> None:
    connected = asyncio.Event()

    class Silent(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            connected.set()

    (address,) = await listeners.add(ListenerSpec("smtp", ("127.0.0.1:0",), protocol_factory=Silent))
    reader, writer = await asyncio.open_connection(address.host, address.port)
    await connected.wait()

    cancelled = await listeners.drain(grace_seconds=0)

    assert cancelled == 1
    assert await reader.read() == b""
    writer.close()


async def test_binding_an_address_in_use_fails_with_listen_failed(listeners: Listeners) -> None:
    (address,) = await listeners.add(ListenerSpec("smtp", ("127.0.0.1:0",), handler=_greet))

    with pytest.raises(ListenFailed) as caught:
        await listeners.add(ListenerSpec("imap", (f"127.0.0.1:{address.port}",), handler=_greet))

    assert caught.value.code == "LISTEN_FAILED"
    assert listeners.addresses() == {"smtp": (address,)}


def test_a_spec_needs_exactly_one_of_handler_and_protocol_factory() -> None:
    with pytest.raises(ValueError):
        ListenerSpec("smtp", ("127.0.0.1:0",))
    with pytest.raises(ValueError):
        ListenerSpec("smtp", ("127.0.0.1:0",), handler=_greet, protocol_factory=asyncio.Protocol)


def test_listeners_serve_and_drain_on_uvloop() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def scenario() -> tuple[bytes, bytes, int]:
        edge = Listeners()
        (stream,) = await edge.add(ListenerSpec("pop3", ("127.0.0.1:0",), handler=_greet))
        (proto,) = await edge.add(ListenerSpec("smtp", ("127.0.0.1:0",), protocol_factory=_Echo))
        greeting = await _read_all(stream)
        reader, writer = await asyncio.open_connection(proto.host, proto.port)
        writer.write(b"quit\r\n")
        echoed = await reader.read()
        writer.close()
        return greeting, echoed, await edge.drain(grace_seconds=5)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(scenario()) == (b"hello\r\n", b"QUIT\r\n", 0)
