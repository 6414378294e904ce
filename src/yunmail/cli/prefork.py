"""A node of several serving processes: the parent binds the listeners, forks, watches and stops them.

Python runs one core per process, so ``yunmail serve`` runs ``[server] processes`` copies of the
server (one per core by default) over the same listening sockets, as Dovecot and Postfix run
several processes. The parent:

1. prepares storage once (migrations, the demo enterprise) and closes it again;
2. binds every configured listener (so port 0 resolves once, for everybody) and makes the local
   event-bus sockets (``storage.bus_local``) that carry mailbox changes between the processes;
3. forks the serving processes. Each builds its own services and event loop on the inherited
   sockets; process 0 alone runs the background workers (outbound queue, recycle bin, rechecks);
4. announces ``ready`` once every process said it is serving, then waits. A serving process that
   dies unexpectedly is started again (after a pause if it keeps dying). SIGTERM/SIGINT is passed
   on to every process, which stops in the runtime's order; the parent exits 0 when all have.

The parent never runs an event loop after the fork, so no loop, thread or database connection
crosses a ``fork``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from yunmail import logging
from yunmail.config import LISTENER_NAMES, Settings
from yunmail.net import NetLimits, bind_listening
from yunmail.runtime import NodeBusLinks, Runtime, build_services, close_services, node_bus_links

_log = logging.get("prefork")

_PR_SET_PDEATHSIG = 1
RESTART_PAUSE_SECONDS = 1.0
# A process that lived shorter than this before dying is "crashing": wait before restarting it.
MIN_HEALTHY_SECONDS = 5.0
READY_TIMEOUT_SECONDS = 120.0
# Beyond the connection drain: stopping workers and closing storage.
STOP_MARGIN_SECONDS = 15.0

Prebound = Mapping[tuple[str, str], Sequence[socket.socket]]
LoopRunner = Callable[[Coroutine[Any, Any, None]], None]


@dataclass(slots=True)
class _Child:
    index: int
    pid: int = 0
    started: float = 0.0
    ready_read: int = -1


@dataclass(slots=True)
class Node:
    """The parent's view of the node: sockets, bus links and serving processes."""

    settings: Settings
    processes: int
    run_loop: LoopRunner
    prebound: dict[tuple[str, str], list[socket.socket]] = field(default_factory=dict)
    links: NodeBusLinks | None = None
    children: dict[int, _Child] = field(default_factory=dict)
    stopping: bool = False

    def bind(self) -> None:
        listen = self.settings.listen
        try:
            for name in LISTENER_NAMES:
                for address in getattr(listen, name):
                    self.prebound[(name, address)] = bind_listening(address)
        except BaseException:
            self.close_sockets()
            raise
        self.links = node_bus_links(self.settings, self.processes)

    def bound_addresses(self) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        for (name, _), sockets in self.prebound.items():
            for sock in sockets:
                host, port = sock.getsockname()[:2]
                out.setdefault(name, []).append((host, port))
        return out

    def close_sockets(self) -> None:
        for sockets in self.prebound.values():
            for sock in sockets:
                sock.close()
        if self.links is not None:
            self.links.close()

    # --- children ---------------------------------------------------------------------------------

    def start(self, index: int) -> _Child:
        ready_read, ready_write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the serving process
            os.close(ready_read)
            code = 0
            try:
                self._serve_child(index, ready_write, parent)
            except BaseException:
                _log.exception("serving process failed", extra={"fields": {"process": index}})
                code = 1
            finally:
                # Never return into the parent's code (no atexit, no finally blocks of the parent).
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(ready_write)
        child = _Child(index, pid, time.monotonic(), ready_read)
        self.children[pid] = child
        return child

    def _serve_child(self, index: int, ready_write: int, parent: int) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        _stop_with_parent()
        if os.getppid() != parent:  # the parent died before we asked to follow it
            return
        link = self.links.link(index) if self.links is not None else None
        prebound = {key: list(socks) for key, socks in self.prebound.items()}

        async def main() -> None:
            services = await build_services(self.settings, migrate=False, bus_link=link)
            try:
                runtime = Runtime(services, prebound=prebound, run_workers=index == 0)
            except BaseException:
                await close_services(services)
                raise

            def ready(_: Runtime) -> None:
                os.write(ready_write, b"ready\n")
                os.close(ready_write)

            await runtime.run_until_signalled(ready)

        self.run_loop(main())

    def wait_ready(self, child: _Child, timeout: float) -> bool:
        """True once ``child`` reported it serves; False if it died or ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        data = b""
        with contextlib.suppress(OSError):
            os.set_blocking(child.ready_read, True)
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            readable, _, _ = select.select([child.ready_read], [], [], remaining)
            if not readable:
                return False
            chunk = os.read(child.ready_read, 64)
            if not chunk:
                return False
            data += chunk
        os.close(child.ready_read)
        child.ready_read = -1
        return True

    def stop_all(self) -> None:
        """SIGTERM to every serving process; whoever still runs a stop grace later gets SIGKILL, so
        the node always exits (its writes are durable or unacknowledged either way)."""
        if self.stopping:
            return
        self.stopping = True
        self.signal_all(signal.SIGTERM)
        killer = threading.Timer(stop_grace_seconds(self.settings), self.signal_all, (signal.SIGKILL,))
        killer.daemon = True
        killer.start()

    def signal_all(self, signum: int) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def supervise(self) -> int:
        """Reap and restart serving processes until asked to stop; 0 when all stopped in order."""
        failed = False
        while self.children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            child = self.children.pop(pid, None)
            if child is None:
                continue
            if child.ready_read >= 0:
                with contextlib.suppress(OSError):
                    os.close(child.ready_read)
            code = os.waitstatus_to_exitcode(status)
            if self.stopping:
                failed = failed or code not in (0, -signal.SIGTERM, -signal.SIGINT)
                continue
            _log.error(
                "serving process died; starting it again",
                extra={"fields": {"process": child.index, "pid": pid, "exit": code}},
            )
            if time.monotonic() - child.started < MIN_HEALTHY_SECONDS:
                time.sleep(RESTART_PAUSE_SECONDS)
            if not self.stopping:
                restarted = self.start(child.index)
                if self.wait_ready(restarted, READY_TIMEOUT_SECONDS):
                    _log.info(
                        "serving process restarted",
                        extra={"fields": {"process": restarted.index, "pid": restarted.pid}},
                    )
        return 1 if failed else 0


def serve_node(
    settings: Settings,
    processes: int,
    *,
    prepare: Coroutine[Any, Any, object],
    announce: Callable[[object, dict[str, list[tuple[str, int]]]], None],
    run_loop: LoopRunner,
    ready_timeout: float = READY_TIMEOUT_SECONDS,
) -> int:
    """Run ``processes`` serving processes; ``prepare`` runs once first (its result goes to ``announce``)."""
    prepared: list[object] = []

    async def run_prepare() -> None:
        prepared.append(await prepare)

    run_loop(run_prepare())
    node = Node(settings, processes, run_loop)
    node.bind()

    def stop(signum: int, _frame: object) -> None:
        node.stop_all()

    def reload(_signum: int, _frame: object) -> None:
        node.signal_all(signal.SIGHUP)

    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    try:
        started = [node.start(i) for i in range(processes)]
        for child in started:
            if not node.wait_ready(child, ready_timeout) and not node.stopping:
                _log.error("a serving process did not start", extra={"fields": {"process": child.index}})
                node.stop_all()
                node.supervise()
                return 1
        if not node.stopping:
            announce(prepared[0], node.bound_addresses())
        return node.supervise()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        node.close_sockets()


def stop_grace_seconds(settings: Settings) -> float:
    """How long the parent waits for its serving processes' orderly stop before killing them."""
    return NetLimits.from_settings(settings).drain_seconds + STOP_MARGIN_SECONDS


def _stop_with_parent() -> None:
    """Linux: get SIGTERM when the parent dies (even by SIGKILL), so no serving process is orphaned."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's SIGTERM still reaches us
        pass


def default_loop_runner(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.Runner`` on uvloop when installed (what ``yunmail serve`` uses)."""
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        pass
    else:
        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main)
