"""IMAP stress benchmark with a mail client's mix, like Dovecot's imaptest: Yunmail and Dovecot in one run.

``--clients`` clients (default 10) over ``--users`` users (default 20): each client picks a user at
random (seeded), so some mailboxes have several sessions that must see each other's changes. One
iteration of a client, one command at a time (no pipelining, as imaptest):

* SELECT INBOX;
* FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)]);
* FETCH (UID BODY.PEEK[]) of 1-3 random messages;
* STORE +FLAGS/-FLAGS of \\Seen, \\Flagged, \\Answered or $Label1..$Label5 on ~40 % of the messages;
* on about half the iterations (always when the mailbox is above ``--messages``) STORE +FLAGS
  (\\Deleted) on a few messages, then EXPUNGE;
* on about half the iterations (always when below ``--messages``) APPEND of a 4-10 KB message;
* on about half the iterations LIST "" "*" and STATUS INBOX.

Two modes, each ``--seconds`` long on the same server: ``keep`` (LOGIN once per client) and
``login`` (connect, LOGIN ... LOGOUT around every iteration, a new random user each time). Before
the first mode every INBOX is filled to ``--messages`` by APPEND (not timed).

Every session keeps imaptest's kind of model of its protocol state (tests/support/imap_model.py):
sequence->UID map from EXISTS/EXPUNGE/FETCH, flags announced by untagged FLAGS, RFC822.SIZE per UID
shared by the sessions of one user and compared with the length of FETCHed bodies. Reported per
server and mode: commands per second, per command count, p50 and p95 latency, refusals (BAD, or NO
other than NO [EXPUNGEISSUED] races) and state errors by kind; and the CPU used by the server
process tree, by the load generator and by the whole machine (2 cores here: if the load generator
is near 100 % of a core it is the bottleneck; ``--client-processes`` spreads it).

Yunmail runs as production does: ``yunmail init`` then ``yunmail serve --json`` (uvloop) as a
subprocess, SQLite in a temporary data dir or ``--database postgres`` (a fresh PostgreSQL database
at ``--pg-url``, dropped afterwards); members and mailboxes are created through the services (the
CLI's code path) with real argon2id passwords. ``--server-args "--processes 2"`` and
``--server-env YUNMAIL_X=Y`` pass options to ``yunmail serve``; ``--profile FILE`` runs it (one
process) under cProfile and prints where its time went; ``--yunmail-src OTHER/src`` runs another
source tree's server (before/after comparisons). Dovecot 2.3 runs in its
high-performance login mode (``service imap-login { service_count = 0 }``), Maildir in a
temporary directory, users from a passwd-file.

    .venv/bin/python bench/imap_stress.py                         # both modes, SQLite, Dovecot
    .venv/bin/python bench/imap_stress.py --database postgres --modes keep --seconds 20
    .venv/bin/python bench/imap_stress.py --no-dovecot --server-args "--processes 2"

The run stops by itself: each mode is bounded by ``--seconds`` (plus a grace for the last iteration).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pwd
import random
import re
import resource
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.imap_model import MailboxView, UidFacts  # noqa: E402

PASSWORD = "Bench-stress-2026"
DOMAIN = "bench.test"
DOVECOT = "/usr/sbin/dovecot"
FLAGS = ("\\Seen", "\\Flagged", "\\Answered", "$Label1", "$Label2", "$Label3", "$Label4", "$Label5")
WORDS = ("invoice", "meeting", "report", "budget", "travel", "合同", "会议", "quarterly", "launch", "review")
COMMANDS = (
    "LOGIN",
    "SELECT",
    "FETCH",
    "FETCH_BODY",
    "STORE",
    "STORE_DELETED",
    "EXPUNGE",
    "APPEND",
    "LIST",
    "STATUS",
    "LOGOUT",
)
# A refusal a race between sessions may cause: the message was expunged by another session.
RACE = re.compile(rb"EXPUNGEISSUED|no longer exist|expunged", re.IGNORECASE)
ITERATION_GRACE_SECONDS = 60.0


def user_name(i: int) -> str:
    return f"user{i}@{DOMAIN}"


def make_message(rng: random.Random, serial: int) -> bytes:
    """A plain-text message of 4-10 KB with a unique subject."""
    target = rng.randint(4096, 10240)
    head = (
        f"From: Sender {serial % 17} <sender{serial % 17}@example.org>\r\n"
        f"To: someone@{DOMAIN}\r\n"
        f"Subject: {' '.join(rng.choice(WORDS) for _ in range(3))} {serial}\r\n"
        f"Date: Mon, 02 Mar 2026 10:{serial % 60:02d}:00 +0800\r\n"
        f"Message-ID: <{serial}.{rng.getrandbits(32)}@example.org>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode()
    lines = []
    size = len(head)
    while size < target:
        line = (" ".join(rng.choice(WORDS) for _ in range(10)) + "\r\n").encode()
        lines.append(line)
        size += len(line)
    return head + b"".join(lines)


# --- the client --------------------------------------------------------------------------------------


class Refused(Exception):
    """A command ended in BAD or in a NO that no race explains."""


@dataclass
class Stats:
    """One load generator's tallies; merged across processes by the orchestrator."""

    latencies: dict[str, list[float]] = field(default_factory=dict)  # command -> ms
    refusals: Counter[str] = field(default_factory=Counter)
    races: Counter[str] = field(default_factory=Counter)
    state_errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=dict)  # kind -> its first few texts
    iterations: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # connections lost etc.

    def sample(self, kind: str, text: str) -> None:
        kept = self.samples.setdefault(kind, [])
        if len(kept) < 3:
            kept.append(text[:300])

    def to_json(self) -> dict[str, Any]:
        return {
            "latencies": self.latencies,
            "refusals": dict(self.refusals),
            "races": dict(self.races),
            "state_errors": dict(self.state_errors),
            "samples": self.samples,
            "iterations": self.iterations,
            "failures": dict(self.failures),
        }


def state_error_kind(text: str) -> str:
    """A short name for a model violation (see tests/support/imap_model.py)."""
    for needle, kind in (
        ("not announced in FLAGS", "keyword not announced in FLAGS"),
        ("before any untagged FLAGS", "FETCH FLAGS before FLAGS"),
        ("shrank", "EXISTS shrank"),
        ("EXPUNGE", "EXPUNGE out of range"),
        ("FETCH", "FETCH out of range"),
        ("changed UID", "UID changed"),
        ("not between", "UIDs not ascending"),
        ("VANISHED", "VANISHED unknown UID"),
        ("RFC822.SIZE", "size mismatch"),
    ):
        if needle in text:
            return kind
    return "other"


class Session:
    """One IMAP connection: one command at a time, untagged responses fed to the session's model."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stats: Stats) -> None:
        self.reader = reader
        self.writer = writer
        self.stats = stats
        self.tag = 0
        self.view = MailboxView()
        self.reported = 0  # violations already counted

    @classmethod
    async def connect(cls, port: int, stats: Stats) -> Session:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
        session = cls(reader, writer, stats)
        await session.response()
        return session

    async def response(self) -> bytes:
        """One response without CRLF; literal data dropped, its ``{n}`` marker kept."""
        line = await self.reader.readuntil(b"\r\n")
        if not line.endswith(b"}\r\n"):
            return line[:-2]
        parts = []
        while line.endswith(b"}\r\n") and b"{" in line:
            parts.append(line[:-2])
            size = int(line[line.rindex(b"{") + 1 : -3].rstrip(b"+"))
            await self.reader.readexactly(size)
            line = await self.reader.readuntil(b"\r\n")
        parts.append(line[:-2])
        return b"".join(parts)

    async def command(self, name: str, text: str, literal: bytes | None = None) -> list[bytes]:
        """Run one command; its latency is recorded under ``name``; the untagged responses returned."""
        self.tag += 1
        tag = b"s%d " % self.tag
        started = time.perf_counter()
        untagged: list[bytes] = []
        if literal is None:
            self.writer.write(tag + text.encode() + b"\r\n")
        else:
            self.writer.write(tag + text.encode() + b" {%d}\r\n" % len(literal))
            while not (line := await self.response()).startswith(b"+"):
                if line.startswith(tag):
                    return self._finish(name, text, tag, line, untagged, started)
                untagged.append(line)
            self.writer.write(literal + b"\r\n")
        while not (line := await self.response()).startswith(tag):
            if line.startswith(b"* BYE") and name != "LOGOUT":
                raise ConnectionError(f"{name}: {line[:100]!r}")
            untagged.append(line)
        return self._finish(name, text, tag, line, untagged, started)

    def _finish(
        self, name: str, text: str, tag: bytes, line: bytes, untagged: list[bytes], started: float
    ) -> list[bytes]:
        self.stats.latencies.setdefault(name, []).append(1000 * (time.perf_counter() - started))
        self.view.feed_all(untagged)
        if len(self.view.violations) > self.reported:
            for violation in self.view.violations[self.reported :]:
                kind = state_error_kind(violation)
                self.stats.state_errors[kind] += 1
                self.stats.sample(kind, violation)
            self.reported = len(self.view.violations)
        status = line[len(tag) :].split(b" ", 1)[0].upper()
        if status != b"OK":
            if status == b"NO" and RACE.search(line):
                self.stats.races[name] += 1
            else:
                kind = f"{status.decode()} {name}"
                self.stats.refusals[kind] += 1
                self.stats.sample(kind, f"{text[:80]} -> {line[:200].decode(errors='replace')}")
                raise Refused(name)
        return untagged

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


@dataclass
class Plan:
    port: int
    users: int
    target: int  # messages per mailbox the mix steers towards
    login_per_iteration: bool
    seconds: float
    seed: int


class StressClient:
    """One simulated mail client running iterations until the deadline."""

    def __init__(self, plan: Plan, index: int, stats: Stats, facts: dict[int, UidFacts]) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed * 1000 + index)
        self.stats = stats
        self.facts = facts
        self.user = self.rng.randrange(plan.users)
        self.session: Session | None = None
        self.serial = index * 1_000_000

    async def login(self) -> Session:
        session = await Session.connect(self.plan.port, self.stats)
        await session.command("LOGIN", f'LOGIN "{user_name(self.user)}" "{PASSWORD}"')
        session.view.name = f"{user_name(self.user)}#{id(session) % 10000}"
        return session

    async def run(self, deadline: float) -> None:
        while time.perf_counter() < deadline:
            try:
                await self.iteration()
                self.stats.iterations += 1
            except Refused:
                await self.drop()  # start the next iteration from a fresh session
            except (ConnectionError, asyncio.IncompleteReadError, OSError) as exc:
                self.stats.failures[type(exc).__name__] += 1
                self.stats.sample(type(exc).__name__, repr(exc))
                await self.drop()
        await self.drop(logout=True)

    async def drop(self, *, logout: bool = False) -> None:
        if self.session is None:
            return
        session, self.session = self.session, None
        if logout:
            with contextlib.suppress(Exception):
                await session.command("LOGOUT", "LOGOUT")
        await session.close()

    async def iteration(self) -> None:
        rng = self.rng
        if self.session is None:
            if self.plan.login_per_iteration:
                self.user = rng.randrange(self.plan.users)
            self.session = await self.login()
        session = self.session
        facts = self.facts.setdefault(self.user, UidFacts())
        session.view.reset()
        await session.command("SELECT", "SELECT INBOX")
        count = session.view.count
        if count:
            untagged = await session.command(
                "FETCH",
                "FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE "
                "BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])",
            )
            self.check_sizes(facts, untagged)
            picked = sorted(rng.sample(range(1, count + 1), min(count, rng.randint(1, 3))))
            untagged = await session.command(
                "FETCH_BODY", f"FETCH {','.join(map(str, picked))} (UID BODY.PEEK[])"
            )
            self.check_sizes(facts, untagged)
            size = max(1, round(count * 0.4))
            start = rng.randint(1, count - size + 1)
            flags = " ".join(rng.sample(FLAGS, rng.randint(1, 2)))
            await session.command(
                "STORE", f"STORE {start}:{start + size - 1} {rng.choice('+-')}FLAGS ({flags})"
            )
        count = session.view.count
        if count and (count > self.plan.target or rng.random() < 0.5):
            doomed = min(count, rng.randint(1, 3) + max(0, count - self.plan.target) // 2)
            chosen = sorted(rng.sample(range(1, count + 1), doomed))
            await session.command("STORE_DELETED", f"STORE {','.join(map(str, chosen))} +FLAGS (\\Deleted)")
            await session.command("EXPUNGE", "EXPUNGE")
        if session.view.count < self.plan.target or rng.random() < 0.5:
            self.serial += 1
            await session.command("APPEND", "APPEND INBOX", make_message(rng, self.serial))
        if rng.random() < 0.5:
            await session.command("LIST", 'LIST "" "*"')
            await session.command("STATUS", "STATUS INBOX (MESSAGES UNSEEN UIDNEXT)")
        if self.plan.login_per_iteration:
            await self.drop(logout=True)

    def check_sizes(self, facts: UidFacts, untagged: list[bytes]) -> None:
        """A UID's RFC822.SIZE and its body's length agree in every session of the user."""
        for line in untagged:
            uid = _UID.search(line)
            if uid is None:
                continue
            for found in (_SIZE.search(line), _BODY.search(line)):
                if found is not None and found.group(1) == b"0":
                    # RFC 2180 §4.1.3: a message another session expunged may be fetched as empty.
                    self.stats.races["empty FETCH"] += 1
                elif found is not None:
                    problem = facts.size(int(uid.group(1)), int(found.group(1)))
                    if problem is not None:
                        self.stats.state_errors["size mismatch"] += 1
                        self.stats.sample("size mismatch", problem)


_UID = re.compile(rb"[ (]UID (\d+)")
_SIZE = re.compile(rb"[ (]RFC822\.SIZE (\d+)")
_BODY = re.compile(rb"BODY\[\] \{(\d+)\}")


async def load(plan: Plan, clients: Sequence[int]) -> dict[str, Any]:
    """Run ``clients`` until ``plan.seconds`` pass; the stats and this process's CPU time."""
    stats = Stats()
    facts: dict[int, UidFacts] = {}
    workers = [StressClient(plan, i, stats, facts) for i in clients]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    deadline = started + plan.seconds
    try:
        async with asyncio.timeout(plan.seconds + ITERATION_GRACE_SECONDS):
            await asyncio.gather(*(worker.run(deadline) for worker in workers))
    except TimeoutError:
        stats.failures["timed out"] += 1
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    users = Counter(worker.user for worker in workers)
    return {
        **stats.to_json(),
        "elapsed": elapsed,
        "cpu": cpu,
        "sharing": sorted(users.values(), reverse=True),
    }


async def fill(port: int, users: int, messages: int) -> None:
    """Bring every INBOX to ``messages`` messages (untimed)."""
    gate = asyncio.Semaphore(10)

    async def one(user: int) -> None:
        async with gate:
            rng = random.Random(user)
            stats = Stats()
            session = await Session.connect(port, stats)
            await session.command("LOGIN", f'LOGIN "{user_name(user)}" "{PASSWORD}"')
            untagged = await session.command("STATUS", "STATUS INBOX (MESSAGES)")
            have = int(re.search(rb"MESSAGES (\d+)", b" ".join(untagged)).group(1))  # type: ignore[union-attr]
            for n in range(have, messages):
                await session.command("APPEND", "APPEND INBOX", make_message(rng, user * 1000 + n))
            await session.command("LOGOUT", "LOGOUT")
            await session.close()

    await asyncio.gather(*(one(user) for user in range(users)))


# --- CPU accounting ----------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds of one process (0 if it is gone or not ours to read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its descendants, including children they already reaped."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15]) / TICK  # utime stime cutime cstime
        children = [
            child
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return total
    return total + sum(tree_cpu(int(child)) for child in children)


def machine_busy() -> float:
    """CPU seconds the whole machine spent not idle, since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICK


# --- running a mode ----------------------------------------------------------------------------------


@dataclass
class ModeResult:
    server: str
    mode: str
    seconds: float
    stats: dict[str, Any]
    server_cpu: float
    client_cpu: float
    client_processes: int
    machine_cpu: float
    database_cpu: float  # PostgreSQL backends serving this server's database

    @property
    def commands(self) -> int:
        return sum(len(v) for v in self.stats["latencies"].values())

    @property
    def rate(self) -> float:
        return self.commands / self.seconds

    @property
    def cpu_ms_per_command(self) -> float:
        """Server (and its PostgreSQL backends') CPU per command: comparable on a shared machine."""
        return 1000 * (self.server_cpu + self.database_cpu) * self.seconds / max(1, self.commands)


def merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"latencies": {}, "samples": {}, "iterations": 0, "sharing": []}
    counters = ("refusals", "races", "state_errors", "failures")
    for name in counters:
        merged[name] = Counter()
    for result in results:
        for name, values in result["latencies"].items():
            merged["latencies"].setdefault(name, []).extend(values)
        for name in counters:
            merged[name].update(result[name])
        for kind, texts in result["samples"].items():
            merged["samples"].setdefault(kind, []).extend(texts)
        merged["iterations"] += result["iterations"]
        merged["sharing"] += result["sharing"]
    return merged


async def run_mode(server: Server, mode: str, args: argparse.Namespace) -> ModeResult:
    """Spawn the load generator processes, wait for them, account the CPU of everyone."""
    processes = max(1, args.client_processes)
    plan = {
        "port": server.port,
        "users": args.users,
        "target": args.messages,
        "login_per_iteration": mode == "login",
        "seconds": args.seconds,
        "seed": args.seed,
    }
    server_before, machine_before = tree_cpu(server.pid), machine_busy()
    database_before = await server.database_cpu()
    started = time.perf_counter()
    children = []
    for p in range(processes):
        clients = list(range(args.clients))[p::processes]
        spec = json.dumps({"plan": plan, "clients": clients})
        children.append(
            await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--worker", spec, stdout=asyncio.subprocess.PIPE
            )
        )
    outputs = [await child.communicate() for child in children]
    elapsed = time.perf_counter() - started
    server_cpu, machine_cpu = tree_cpu(server.pid) - server_before, machine_busy() - machine_before
    database_after = await server.database_cpu()
    database_cpu = sum(cpu - database_before.get(pid, 0.0) for pid, cpu in database_after.items())
    results = [json.loads(out.decode()) for out, _ in outputs]
    seconds = max(r["elapsed"] for r in results)
    return ModeResult(
        server.name,
        mode,
        seconds,
        merge(results),
        server_cpu / elapsed,
        sum(r["cpu"] for r in results) / elapsed,
        processes,
        machine_cpu / elapsed,
        database_cpu / elapsed,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summary(result: ModeResult) -> dict[str, Any]:
    """The numbers of one server and mode, without the raw latencies (for ``--json-out``)."""
    s = result.stats
    return {
        "server": result.server,
        "mode": result.mode,
        "ops_per_second": result.rate,
        "commands": result.commands,
        "iterations": s["iterations"],
        "cpu_cores": {
            "server": result.server_cpu,
            "postgresql": result.database_cpu,
            "load": result.client_cpu,
            "machine": result.machine_cpu,
        },
        "server_cpu_ms_per_command": result.cpu_ms_per_command,
        "latency_ms": {
            name: {"count": len(v), "p50": percentile(v, 0.5), "p95": percentile(v, 0.95)}
            for name, v in s["latencies"].items()
        },
        "refusals": dict(s["refusals"]),
        "state_errors": dict(s["state_errors"]),
        "races": dict(s["races"]),
        "failures": dict(s["failures"]),
        "samples": {kind: texts[:3] for kind, texts in s["samples"].items()},
    }


def report(result: ModeResult) -> None:
    s = result.stats
    database = f"its PostgreSQL backends {result.database_cpu:.2f}, " if result.database_cpu else ""
    print(
        f"\n{result.server} [{result.mode}] {result.commands} commands in {result.seconds:.1f} s = "
        f"{result.rate:.0f} ops/s, {s['iterations']} iterations; CPU (cores): server "
        f"{result.server_cpu:.2f}, load generator {result.client_cpu:.2f} in {result.client_processes} "
        f"process(es), {database}whole machine {result.machine_cpu:.2f} of {os.cpu_count()}; "
        f"server CPU {result.cpu_ms_per_command:.2f} ms per command"
    )
    if result.client_cpu / result.client_processes > 0.85:
        print("  warning: the load generator is near a full core: it may be the bottleneck")
    if result.mode == "keep":
        print(f"  sessions per user: {s['sharing']} (several on one mailbox see each other's changes)")
    print(f"  {'command':14s} {'count':>7s} {'/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s}")
    for name in COMMANDS:
        values = s["latencies"].get(name, [])
        if values:
            print(
                f"  {name:14s} {len(values):7d} {len(values) / result.seconds:7.1f} "
                f"{percentile(values, 0.5):8.2f} {percentile(values, 0.95):8.2f}"
            )
    print(f"  refusals (BAD / unexpected NO): {sum(s['refusals'].values())} {dict(s['refusals'])}")
    print(f"  state errors: {sum(s['state_errors'].values())} {dict(s['state_errors'])}")
    print(
        f"  expunge races (NO [EXPUNGEISSUED] or empty FETCH, not errors): "
        f"{sum(s['races'].values())} {dict(s['races'])}"
    )
    if s["failures"]:
        print(f"  connection failures: {dict(s['failures'])}")
    for kind, texts in s["samples"].items():
        print(f"    e.g. {kind}: {texts[0]}")


# --- servers -----------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    pid: int
    process: asyncio.subprocess.Process
    cleanup: list[Any] = field(default_factory=list)
    database: str | None = None  # PostgreSQL database name, to account its backends' CPU
    pg_url: str = ""

    async def database_cpu(self) -> dict[int, float]:
        """CPU seconds so far of each PostgreSQL backend connected to our database, by pid."""
        if self.database is None:
            return {}
        import asyncpg  # type: ignore[import-untyped]

        conn = await asyncpg.connect(self.pg_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", self.database)
        finally:
            await conn.close()
        return {int(row["pid"]): process_cpu(int(row["pid"])) for row in rows}

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        for step in self.cleanup:
            await step()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def yunmail_env(database_url: str, port: int, extra: list[str], source: Path) -> dict[str, str]:
    """The environment of every ``yunmail`` command: code from ``source``, only IMAP listens, on ``port``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH", "")]))
    for name in ("smtp", "submission", "smtps", "imaps", "pop3", "pop3s", "http", "https"):
        env[f"YUNMAIL_LISTEN_{name.upper()}"] = ""
    env["YUNMAIL_LISTEN_IMAP"] = f"127.0.0.1:{port}"
    env["YUNMAIL_DATABASE_URL"] = database_url
    env.pop("YUNMAIL_CONFIG", None)
    for item in extra:
        key, _, value = item.partition("=")
        env[key] = value
    return env


async def create_members(config: Path, users: int) -> None:
    """The enterprise, its trusted domain and ``users`` members with mailboxes (as the CLI does)."""
    from yunmail.config import load_settings
    from yunmail.directory import NewMember
    from yunmail.runtime import build_services, close_services

    services = await build_services(load_settings(config), migrate=False)
    try:
        enterprise = await services.directory.enterprises.create("Bench", "bench", "bench")
        domain = await services.domains.add(enterprise.id, DOMAIN, "bench", trust=True)
        for i in range(users):
            new = NewMember(
                name=f"User {i}", account=f"user{i}", password=PASSWORD, contact_email=f"u{i}@contact.example"
            )
            member = await services.directory.members.add(
                enterprise.id, new, "bench", require_password_change=False
            )
            await services.directory.mailboxes.open(
                enterprise.id, member.id, domain.id, "bench", local_part=f"user{i}"
            )
    finally:
        await close_services(services)


async def postgres_database(admin_url: str) -> tuple[str, Any]:
    """A fresh PostgreSQL database: its SQLAlchemy URL and a coroutine function that drops it."""
    import asyncpg

    name = f"yunmail_bench_{secrets.token_hex(4)}"
    plain = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    return f"{admin_url.rsplit('/', 1)[0]}/{name}", drop


def profiler(args: argparse.Namespace) -> list[str]:
    """``-m cProfile -o FILE`` when profiling: one serving process, written when it stops."""
    return ["-m", "cProfile", "-o", str(Path(args.profile).resolve())] if args.profile else []


def print_profile(path: str) -> None:
    """Where the server's time went: top functions by own time and by cumulative time."""
    import pstats

    stats = pstats.Stats(path)
    print(f"\nprofile of the yunmail server (fill and every mode) in {path}:")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)


async def start_yunmail(root: Path, args: argparse.Namespace) -> Server:
    data = root / "yunmail"
    port = free_port()
    cleanup = []
    database_url = ""
    if args.database == "postgres":
        database_url, drop = await postgres_database(args.pg_url)
        cleanup.append(drop)
    env = yunmail_env(database_url, port, args.server_env, Path(args.yunmail_src).resolve())
    config = data / "yunmail.toml"
    init = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "yunmail", "init", "--data-dir", str(data), "--hostname", "imap.bench.test",
        env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    if await init.wait():
        raise RuntimeError("yunmail init failed")
    # The members are created by the same code as the server runs (its schema may differ from ours).
    setup = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--setup", str(config), str(args.users), env=env
    )
    if await setup.wait():
        raise RuntimeError("creating the bench members failed")
    log = (root / "yunmail-serve.log").open("wb")
    extra = [*shlex.split(args.server_args), *(["--processes", "1"] if args.profile else [])]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *profiler(args), "-m", "yunmail", "serve", "--config", str(config), "--json",
        "--log-level", "warning", *extra, env=env, stdout=asyncio.subprocess.PIPE, stderr=log,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        async with asyncio.timeout(120):
            while True:
                line = await process.stdout.readline()
                if not line:
                    raise RuntimeError(f"yunmail serve exited; see {root / 'yunmail-serve.log'}")
                with contextlib.suppress(ValueError):
                    if json.loads(line).get("event") == "ready":
                        break
    except BaseException:
        process.kill()
        await process.wait()
        for step in cleanup:
            await step()
        raise
    drain = asyncio.ensure_future(process.stdout.read())  # keep its stdout from filling up
    cleanup.insert(0, lambda: drain)
    server = Server("yunmail", port, process.pid, process, cleanup)
    if database_url:
        server.database, server.pg_url = database_url.rsplit("/", 1)[1], args.pg_url
    return server


async def start_dovecot(root: Path, args: argparse.Namespace) -> Server:
    base = root / "dovecot"
    for sub in ("run", "home", "state"):
        (base / sub).mkdir(parents=True)
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:  # Dovecot refuses to run mail processes as root
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
        os.chown(base / "home", uid, gid)
    for directory in (root.parent, root, base):
        directory.chmod(0o755)
    passwd = base / "passwd"
    passwd.write_text(
        "".join(
            f"{user_name(i)}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{base}/home/{i}::\n" for i in range(args.users)
        )
    )
    passwd.chmod(0o644)
    port = free_port()
    config = base / "dovecot.conf"
    config.write_text(
        f"""protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:~/Maildir
mail_max_userip_connections = 1000
default_process_limit = 1000
default_client_limit = 10000
default_vsz_limit = 0
passdb {{
  driver = passwd-file
  args = {passwd}
}}
userdb {{
  driver = passwd-file
  args = {passwd}
}}
service imap-login {{
  service_count = 0
  process_min_avail = {os.cpu_count() or 1}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
    )
    process = await asyncio.create_subprocess_exec(
        DOVECOT, "-F", "-c", str(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)  # an external daemon binding its port: nothing to await
            continue
        writer.close()
        break
    else:
        process.kill()
        raise RuntimeError("dovecot did not start: " + (base / "dovecot.log").read_text(errors="replace"))
    return Server("dovecot", port, process.pid, process)


# --- the run -----------------------------------------------------------------------------------------


async def bench_server(name: str, root: Path, args: argparse.Namespace) -> list[ModeResult]:
    start = start_yunmail if name == "yunmail" else start_dovecot
    server = await start(root, args)
    results = []
    try:
        started = time.perf_counter()
        await fill(server.port, args.users, args.messages)
        print(
            f"{name}: filled {args.users} INBOXes to {args.messages} messages in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        for mode in args.modes.split(","):
            result = await run_mode(server, mode, args)
            report(result)
            results.append(result)
    finally:
        await server.stop()
    return results


async def main(args: argparse.Namespace) -> None:
    label = args.database + (f", serve {args.server_args}" if args.server_args else "")
    print(
        f"imap_stress: {args.clients} clients over {args.users} users, {args.seconds:.0f} s per mode "
        f"({args.modes}), ~{args.messages} messages per INBOX, yunmail on {label}, "
        f"{os.cpu_count()} cores, load avg before {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    servers = [] if args.no_yunmail else ["yunmail"]
    if not args.no_dovecot:
        if os.path.exists(DOVECOT):
            servers.append("dovecot")
        else:
            print("dovecot: not installed (Debian package dovecot-imapd): skipped")
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="imap-stress-") as tmp:
        Path(tmp).chmod(0o755)  # Dovecot's auth and mail processes run unprivileged
        results = {name: await bench_server(name, Path(tmp) / name, args) for name in servers}
    if args.profile and "yunmail" in results:
        print_profile(args.profile)
    if args.json_out:
        rows = [summary(r) for rs in results.values() for r in rs]
        Path(args.json_out).write_text(json.dumps(rows, indent=1))
    if "dovecot" in results and "yunmail" in results:
        print()
        for ours, theirs in zip(results["yunmail"], results["dovecot"], strict=True):
            efficiency = theirs.cpu_ms_per_command / ours.cpu_ms_per_command
            print(
                f"ratio yunmail/dovecot [{ours.mode}]: {ours.rate:.0f} / {theirs.rate:.0f} ops/s = "
                f"{ours.rate / theirs.rate:.3f}; server CPU per command {ours.cpu_ms_per_command:.2f} / "
                f"{theirs.cpu_ms_per_command:.2f} ms = {efficiency:.3f}"
            )


def run_worker(spec: str) -> None:
    job = json.loads(spec)
    plan = Plan(**job["plan"])
    coroutine = load(plan, job["clients"])
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(coroutine)
    else:
        result = uvloop.run(coroutine)
    print(json.dumps(result))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="per mode")
    parser.add_argument("--messages", type=int, default=30, help="messages per INBOX the mix keeps")
    parser.add_argument("--modes", default="keep,login", help="keep (LOGIN once), login (per iteration)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--server-args", default="", help='extra "yunmail serve" arguments, one string')
    parser.add_argument("--server-env", action="append", default=[], help="KEY=VALUE for yunmail")
    parser.add_argument("--client-processes", type=int, default=1, help="load generator processes")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-dovecot", action="store_true")
    parser.add_argument("--no-yunmail", action="store_true", help="Dovecot only (e.g. to size the load)")
    parser.add_argument("--dir", default=None, help="where the temporary data dirs go")
    parser.add_argument("--json-out", default=None, help="also write the summary here as JSON")
    parser.add_argument(
        "--yunmail-src",
        default=str(ROOT / "src"),
        help="the yunmail source tree the server runs (before/after)",
    )
    parser.add_argument(
        "--profile", default=None, help="run yunmail serve (one process) under cProfile, write and print it"
    )
    args = parser.parse_args()
    if args.seconds <= 0 or args.seconds > 600:
        parser.error("--seconds must be in (0, 600]")
    if set(args.modes.split(",")) - {"keep", "login"}:
        parser.error("--modes: keep, login or keep,login")
    return args


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        run_worker(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "--setup":
        asyncio.run(create_members(Path(sys.argv[2]), int(sys.argv[3])))
    else:
        arguments = parse_args()
        try:
            import uvloop
        except ImportError:
            asyncio.run(main(arguments))
        else:
            uvloop.run(main(arguments))
