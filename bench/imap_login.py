"""IMAP LOGIN latency of a repeated login against the full runtime with production argon2id.

A Yunmail server (``build_services`` + ``Runtime``, SQLite in a temporary directory, uvloop, the
production password hasher and the real ``Auth``) runs in a child process. ``--users`` members with
open mailboxes log in again and again from ``--clients`` concurrent clients: each iteration connects
(not timed), sends ``LOGIN`` (timed, from the write to the tagged reply) and ``LOGOUT``. The same
user logging in repeatedly is what mail programs do on every poll and every extra connection.

Prints p50 / p90 / p99 / max of LOGIN in milliseconds and logins per second.

Usage: ``.venv/bin/python bench/imap_login.py [--clients 1] [--users 1] [--logins 200] [--dir DIR]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PASSWORD = "Bench-secret-1"


async def serve(root: Path, users: int) -> None:
    """The full runtime on loopback ports; prints ``READY <imap port>``; stops on SIGTERM."""
    from yunmail.clock import SystemClock
    from yunmail.config import LISTENER_NAMES, load_settings
    from yunmail.directory import NewMember
    from yunmail.net import generate_self_signed
    from yunmail.runtime import Runtime, build_services

    settings = load_settings(
        env={},
        overrides={
            "hostname": "bench.test",
            "data_dir": str(root / "data"),
            **{f"listen.{name}": ["127.0.0.1:0"] for name in LISTENER_NAMES},
        },
    )
    generate_self_signed(
        settings.hostname, settings.tls.cert_file, settings.tls.key_file, now=dt.datetime.now(dt.UTC)
    )
    services = await build_services(settings, clock=SystemClock())
    actor = "bench"
    enterprise = await services.directory.enterprises.create("Bench", "bench", actor)
    domain = await services.domains.add(enterprise.id, "bench.test", actor, trust=True)
    for i in range(users):
        member = await services.directory.members.add(
            enterprise.id,
            NewMember(
                name=f"User {i}", account=f"user{i}", password=PASSWORD, contact_email=f"u{i}@contact.example"
            ),
            actor,
        )
        await services.directory.mailboxes.open(enterprise.id, member.id, domain.id, actor)
    runtime = Runtime(services)
    addresses = await runtime.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"READY {addresses['imap'][0].port}", flush=True)
    await stop.wait()
    await runtime.stop(grace_seconds=1.0)


async def read_tagged(reader: asyncio.StreamReader, tag: bytes) -> bytes:
    while True:
        line = await reader.readuntil(b"\r\n")
        if line.startswith(tag):
            return line


async def one_login(port: int, user: str) -> float:
    """Seconds from sending LOGIN to its tagged OK."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await reader.readuntil(b"\r\n")  # greeting
        started = time.perf_counter()
        writer.write(f'a1 LOGIN "{user}" "{PASSWORD}"\r\n'.encode())
        reply = await read_tagged(reader, b"a1 ")
        elapsed = time.perf_counter() - started
        if not reply.startswith(b"a1 OK"):
            raise RuntimeError(f"login refused: {reply!r}")
        writer.write(b"a2 LOGOUT\r\n")
        await read_tagged(reader, b"a2 ")
        return elapsed
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def measure(port: int, clients: int, users: int, logins: int) -> None:
    samples: list[float] = []
    per_client = max(1, logins // clients)

    async def client(i: int) -> None:
        for n in range(per_client):
            samples.append(await one_login(port, f"user{(i + n) % users}@bench"))

    for i in range(users):  # the first login of each user verifies argon2id; not what we measure
        await one_login(port, f"user{i}@bench")
    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.perf_counter() - started
    ms = sorted(s * 1000 for s in samples)
    q = statistics.quantiles(ms, n=100)
    print(
        f"clients={clients} users={users} logins={len(ms)}: LOGIN p50 {q[49]:.1f} ms, p90 {q[89]:.1f} ms, "
        f"p99 {q[98]:.1f} ms, max {ms[-1]:.1f} ms; {len(ms) / wall:.0f} logins/s",
        flush=True,
    )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="yunmail-login-bench-") as tmp:
        process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "serve", tmp, str(args.users), stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None
        try:
            line = await process.stdout.readline()
            if not line.startswith(b"READY "):
                raise RuntimeError(f"yunmail did not start: {line!r}")
            await measure(int(line.split()[1]), args.clients, args.users, args.logins)
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()


def run(coro: Any) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(coro)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        run(serve(Path(sys.argv[2]), int(sys.argv[3])))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--clients", type=int, default=1)
        parser.add_argument("--users", type=int, default=1)
        parser.add_argument("--logins", type=int, default=200)
        parser.add_argument("--dir", default=None)
        run(main(parser.parse_args()))
