"""IMAP load benchmark: Yunmail against Dovecot in the same run, plus server memory per idle IDLE connection.

Phases (each server is a separate process, so its memory is its own):

1. **Throughput.** ``--clients`` concurrent clients, one user each, first fill their INBOX with
   ``--messages`` varied messages by APPEND, then for ``--seconds`` repeat a realistic mix:
   SELECT, FETCH headers of a page, FETCH one full body, SEARCH (UNSEEN / SUBJECT / TEXT), STORE,
   APPEND and a short IDLE. The same client code and message corpus drive Yunmail and Dovecot;
   ops/second of each and the ratio are printed.
2. **Idle memory.** A fresh Yunmail server; ``--idle`` connections log in, SELECT INBOX and IDLE.
   Server RSS after one warm connection and after all of them gives KB per idle connection.
   Dovecot gets the same with ``--dovecot-idle`` connections (its per-connection cost is a
   process each; PSS summed over its processes).

Dovecot runs in its documented high-performance mode (``imap-login`` ``service_count = 0`` and
``process_min_avail = 2``; ``imap`` ``service_count = 1000`` and ``process_min_avail = 4``) with
users from a passwd-file and Maildir in a temporary directory. Yunmail runs on SQLite in a
temporary directory on uvloop, as ``yunmail serve`` does, with an in-memory authenticator (login
cost is not what this measures).

Usage: ``.venv/bin/python bench/imap_load.py [--clients 50] [--seconds 20] [--messages 100]
[--idle 10000] [--dovecot-idle 1000] [--no-dovecot] [--dir DIR] [--profile FILE]``; with
``--profile`` the Yunmail server of the throughput phase runs under cProfile (read the file with
``python -m pstats``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PASSWORD = "bench-secret"
DOVECOT = "/usr/sbin/dovecot"
WORDS = ["invoice", "meeting", "report", "budget", "travel", "合同", "会议", "quarterly", "launch", "review"]
# Weights of the operations in the mix (per 100 operations).
MIX: dict[str, int] = {
    "select": 5,
    "fetch_headers": 25,
    "fetch_body": 25,
    "search": 10,
    "store": 20,
    "append": 10,
    "idle": 5,
}


def user_name(i: int) -> str:
    return f"user{i}@bench.test"


# --- message corpus --------------------------------------------------------------------------------


def make_message(rng: random.Random, n: int) -> bytes:
    """A varied message: plain text, HTML alternative or with an attachment, some with Chinese."""
    words = [rng.choice(WORDS) for _ in range(6)]
    subject = " ".join(words[:3])
    head = (
        f"From: Sender {n} <sender{n % 17}@example.org>\r\n"
        f"To: someone@bench.test\r\n"
        f"Subject: {subject} {n}\r\n"
        f"Date: Mon, 02 Mar 2026 10:{n % 60:02d}:00 +0800\r\n"
        f"Message-ID: <{n}.{rng.getrandbits(32)}@example.org>\r\n"
        f"MIME-Version: 1.0\r\n"
    )
    text = "\r\n".join(" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(rng.randint(5, 60)))
    kind = rng.random()
    if kind < 0.6:
        body = f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n"
    elif kind < 0.9:
        body = (
            'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
            f"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
            f"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            f"<html><body><p>{text}</p></body></html>\r\n"
            "--alt--\r\n"
        )
    else:
        blob = rng.randbytes(rng.randint(10_000, 120_000)).hex()
        lines = "\r\n".join(blob[i : i + 76] for i in range(0, len(blob), 76))
        body = (
            'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n'
            f"--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
            "--mix\r\nContent-Type: application/octet-stream; name=data.bin\r\n"
            "Content-Disposition: attachment; filename=data.bin\r\n\r\n"
            f"{lines}\r\n--mix--\r\n"
        )
    return (head + body).encode()


# --- a lean IMAP client ----------------------------------------------------------------------------


class Client:
    """Sends one command at a time and reads up to its tagged reply (literals skipped over)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.tag = 0
        self.exists = 0

    @classmethod
    async def connect(cls, port: int) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        client = cls(reader, writer)
        await client.line()
        return client

    async def line(self) -> bytes:
        """One response line; a literal it announces is read and dropped."""
        line = await self.reader.readuntil(b"\r\n")
        while line.endswith(b"}\r\n") and b"{" in line:
            size = int(line[line.rindex(b"{") + 1 : -3].rstrip(b"+"))
            await self.reader.readexactly(size)
            line = await self.reader.readuntil(b"\r\n")
        return line

    async def command(self, text: str, literal: bytes | None = None) -> list[bytes]:
        self.tag += 1
        tag = b"b%d " % self.tag
        if literal is None:
            self.writer.write(tag + text.encode() + b"\r\n")
        else:
            self.writer.write(tag + text.encode() + b" {%d}\r\n" % len(literal))
            reply = await self.line()
            if not reply.startswith(b"+"):
                raise RuntimeError(f"literal refused: {reply!r}")
            self.writer.write(literal + b"\r\n")
        untagged: list[bytes] = []
        while True:
            line = await self.line()
            if line.startswith(tag):
                if not line[len(tag) :].startswith(b"OK"):
                    raise RuntimeError(f"{text[:60]!r}: {line!r}")
                return untagged
            if line.endswith(b" EXISTS\r\n"):
                self.exists = int(line.split()[1])
            untagged.append(line)

    async def login(self, user: str) -> None:
        await self.command(f'LOGIN "{user}" "{PASSWORD}"')

    async def idle_start(self) -> None:
        self.tag += 1
        self.idle_tag = b"b%d " % self.tag
        self.writer.write(self.idle_tag + b"IDLE\r\n")
        while not (await self.line()).startswith(b"+"):
            pass

    async def idle_done(self) -> None:
        self.writer.write(b"DONE\r\n")
        while not (await self.line()).startswith(self.idle_tag):
            pass

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


# --- the load ----------------------------------------------------------------------------------------


async def one_op(client: Client, op: str, rng: random.Random) -> None:
    n = max(client.exists, 1)
    if op == "select":
        await client.command("SELECT INBOX")
    elif op == "fetch_headers":
        start = rng.randint(1, n)
        end = min(n, start + 19)
        await client.command(
            f"FETCH {start}:{end} (UID FLAGS RFC822.SIZE INTERNALDATE "
            "BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])"
        )
    elif op == "fetch_body":
        await client.command(f"FETCH {rng.randint(1, n)} (BODY.PEEK[])")
    elif op == "search":
        kind = rng.randint(0, 2)
        if kind == 0:
            await client.command("SEARCH UNSEEN")
        elif kind == 1:
            await client.command(f"SEARCH SUBJECT {rng.choice(WORDS[:5])}")
        else:
            await client.command(f"SEARCH TEXT {rng.choice(WORDS[:5])}")
    elif op == "store":
        sign = rng.choice("+-")
        flag = rng.choice(["\\Seen", "\\Flagged", "\\Answered"])
        await client.command(f"STORE {rng.randint(1, n)} {sign}FLAGS.SILENT ({flag})")
    elif op == "append":
        await client.command("APPEND INBOX", make_message(rng, rng.getrandbits(20)))
    elif op == "idle":
        await client.idle_start()
        await client.idle_done()


@dataclass(frozen=True, slots=True)
class LoadResult:
    ops: int
    seconds: float
    per_op: dict[str, tuple[int, float]]  # op -> (count, total seconds)

    @property
    def rate(self) -> float:
        return self.ops / self.seconds


async def fill(port: int, users: int, messages: int) -> None:
    async def one(i: int) -> None:
        rng = random.Random(i)
        client = await Client.connect(port)
        await client.login(user_name(i))
        for n in range(messages):
            await client.command("APPEND INBOX", make_message(rng, n))
        await client.close()

    await asyncio.gather(*(one(i) for i in range(users)))


async def run_load(port: int, clients: int, seconds: float) -> LoadResult:
    ops = list(MIX)
    weights = list(MIX.values())
    counts: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds

    async def one(i: int) -> None:
        rng = random.Random(1000 + i)
        client = await Client.connect(port)
        await client.login(user_name(i))
        await client.command("SELECT INBOX")
        while time.perf_counter() < deadline:
            op = rng.choices(ops, weights)[0]
            started = time.perf_counter()
            await one_op(client, op, rng)
            spent[op] += time.perf_counter() - started
            counts[op] += 1
        await client.command("LOGOUT")
        await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    per_op = {op: (counts[op], spent[op]) for op in ops}
    return LoadResult(sum(counts.values()), elapsed, per_op)


async def open_idle(port: int, count: int, users: int) -> list[Client]:
    """``count`` connections logged in (spread over ``users``), INBOX selected, in IDLE."""
    clients: list[Client] = []
    gate = asyncio.Semaphore(200)

    async def one(i: int) -> None:
        async with gate:
            client = await Client.connect(port)
            await client.login(user_name(i % users))
            await client.command("SELECT INBOX")
            await client.idle_start()
            clients.append(client)

    await asyncio.gather(*(one(i) for i in range(count)))
    return clients


# --- process memory ------------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    out = [pid]
    for tid in (pid,):
        try:
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except OSError:
            children = []
        for child in children:
            out.extend(descendants(int(child)))
    return out


def tree_pss_kb(pid: int) -> int:
    return sum(pss_kb(p) for p in descendants(pid))


# --- Yunmail server (child process) -------------------------------------------------------------


class BenchAuthenticator:
    """Logins from a dict (the shape of ``yunmail.auth.Authenticator`` the IMAP layer uses)."""

    def __init__(self, principals: dict[str, Any]) -> None:
        self.principals = principals

    async def authenticate(self, login: str, secret: str, *, channel: str, remote_ip: str) -> Any:
        from yunmail.errors import LoginInvalid

        found = self.principals.get(login.lower())
        if found is None or secret != PASSWORD:
            raise LoginInvalid()
        return found


@dataclass(frozen=True, slots=True)
class BenchPrincipal:
    kind: str
    enterprise_id: int
    member_id: int
    login: str
    mailbox_id: int | None
    address: str
    via_client_password: bool = False


async def serve(root: Path, users: int) -> None:
    """Run a Yunmail IMAP server over SQLite in ``root``; print ``READY <port>``; stop on SIGTERM."""
    from sqlalchemy import insert

    from yunmail.clock import SystemClock
    from yunmail.config import load_settings
    from yunmail.events import InProcessBus
    from yunmail.mailstore import MailStore
    from yunmail.net import Listeners, NetLimits
    from yunmail.protocols.imap.server import ImapServer
    from yunmail.storage import FileBlobStore, open_database
    from yunmail.storage.sql.schema import domains, enterprises, mailboxes

    clock = SystemClock()
    db = await open_database(f"sqlite+aiosqlite:///{root / 'yunmail.db'}")
    store = MailStore(db, FileBlobStore(root / "blobs"), InProcessBus(), clock)
    principals: dict[str, Any] = {}
    now = clock.now()
    async with db.transaction() as conn:
        eid = (
            await conn.execute(
                insert(enterprises)
                .values(name="bench", org_id="bench", created_at=now)
                .returning(enterprises.c.id)
            )
        ).scalar_one()
        did = (
            await conn.execute(
                insert(domains)
                .values(enterprise_id=eid, name="bench.test", ownership_token="bench", created_at=now)
                .returning(domains.c.id)
            )
        ).scalar_one()
        for i in range(users):
            mid = (
                await conn.execute(
                    insert(mailboxes)
                    .values(enterprise_id=eid, domain_id=did, address=user_name(i), created_at=now)
                    .returning(mailboxes.c.id)
                )
            ).scalar_one()
            principals[user_name(i)] = BenchPrincipal("member", eid, i + 1, user_name(i), mid, user_name(i))
    for principal in principals.values():
        await store.provision(principal.mailbox_id)
    settings = load_settings(
        env={},
        overrides={"hostname": "bench.test", "data_dir": str(root / "data"), "listen.imap": ["127.0.0.1:0"]},
    )
    limits = dataclasses.replace(
        NetLimits.from_settings(settings), connections_per_ip=1_000_000, connections_total=1_000_000
    )
    server = ImapServer(
        store,
        BenchAuthenticator(principals),
        clock,
        settings=settings,
        limits=limits,
        max_sessions_per_mailbox=1_000_000,
    )
    listeners = Listeners(limits)
    for spec in server.specs():
        await listeners.add(spec)
    port = listeners.addresses()["imap"][0].port
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"READY {port}", flush=True)
    await stop.wait()
    await server.close(grace_seconds=1.0)
    await listeners.drain(grace_seconds=1.0)
    await db.dispose()


@dataclass
class Server:
    name: str
    port: int
    pid: int
    stop: Callable[[], Any]


async def start_yunmail(root: Path, users: int) -> Server:
    root.mkdir(parents=True)
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "serve", str(root), str(users), stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    line = await process.stdout.readline()
    if not line.startswith(b"READY "):
        raise RuntimeError(f"yunmail did not start: {line!r}")

    async def stop() -> None:
        process.send_signal(signal.SIGTERM)
        await process.wait()

    return Server("yunmail", int(line.split()[1]), process.pid, stop)


# --- Dovecot (child process) ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_dovecot(root: Path, users: int) -> Server:
    root.mkdir(parents=True)
    root.chmod(0o755)
    for sub in ("run", "home", "state"):
        (root / sub).mkdir()
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:  # Dovecot refuses to run mail processes as root.
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
        os.chown(root / "home", uid, gid)
    passwd = root / "passwd"
    passwd.write_text(
        "".join(f"{user_name(i)}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{root}/home/{i}::\n" for i in range(users))
    )
    passwd.chmod(0o644)
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(
        f"""protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:~/Maildir
default_process_limit = 20000
default_client_limit = 40000
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
  process_min_avail = 2
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service imap {{
  service_count = 1000
  process_min_avail = 4
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
            await asyncio.sleep(0.05)  # waiting for an external daemon to bind
            continue
        writer.close()
        break
    else:
        raise RuntimeError("dovecot did not start: " + (root / "dovecot.log").read_text(errors="replace"))

    async def stop() -> None:
        process.terminate()
        await process.wait()

    return Server("dovecot", port, process.pid, stop)


# --- the run ---------------------------------------------------------------------------------------


def print_load(server: Server, result: LoadResult) -> None:
    print(f"{server.name:8s} {result.ops:8d} ops in {result.seconds:5.1f}s = {result.rate:8.0f} ops/s")
    for op, (count, spent) in result.per_op.items():
        mean = 1000 * spent / count if count else 0.0
        print(f"           {op:14s} {count:7d} ops  mean {mean:7.2f} ms")


async def throughput(root: Path, args: argparse.Namespace) -> None:
    rates: dict[str, float] = {}
    starters = [("yunmail", start_yunmail)]
    if not args.no_dovecot:
        if os.path.exists(DOVECOT):
            starters.append(("dovecot", start_dovecot))
        else:
            print("dovecot: not installed (Debian package dovecot-imapd); skipped")
    for name, start in starters:
        if args.profile and name == "yunmail":
            os.environ["YUNMAIL_BENCH_PROFILE"] = args.profile
        server = await start(root / f"load-{name}", args.clients)
        os.environ.pop("YUNMAIL_BENCH_PROFILE", None)
        try:
            started = time.perf_counter()
            await fill(server.port, args.clients, args.messages)
            print(
                f"{name:8s} filled {args.clients} x {args.messages} messages by APPEND in "
                f"{time.perf_counter() - started:.1f}s",
                flush=True,
            )
            result = await run_load(server.port, args.clients, args.seconds)
            print_load(server, result)
            rates[name] = result.rate
        finally:
            await server.stop()
    if "dovecot" in rates:
        print(f"ratio yunmail/dovecot = {rates['yunmail'] / rates['dovecot']:.2f}", flush=True)


async def idle_memory(server: Server, count: int, users: int, measure: Callable[[int], int]) -> None:
    warm = await open_idle(server.port, 1, users)
    before = measure(server.pid)
    clients = await open_idle(server.port, count, users)
    after = measure(server.pid)
    per = (after - before) / count
    print(
        f"{server.name:8s} idle: {count} IDLE connections: server memory {before / 1024:.1f} MB -> "
        f"{after / 1024:.1f} MB, {per:.1f} KB per connection",
        flush=True,
    )
    for client in warm + clients:
        client.writer.close()


async def idle(root: Path, args: argparse.Namespace) -> None:
    users = max(1, min(args.idle, 100))
    server = await start_yunmail(root / "idle-yunmail", users)
    try:
        await idle_memory(server, args.idle, users, rss_kb)
    finally:
        await server.stop()
    if not args.no_dovecot and os.path.exists(DOVECOT) and args.dovecot_idle:
        server = await start_dovecot(root / "idle-dovecot", users)
        try:
            await idle_memory(server, args.dovecot_idle, users, tree_pss_kb)
        finally:
            await server.stop()


async def main(args: argparse.Namespace) -> None:
    print(
        f"cpus={os.cpu_count()} clients={args.clients} seconds={args.seconds} messages/user={args.messages} "
        f"idle={args.idle} mix={MIX}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="yunmail-imap-bench-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # Dovecot's mail processes run unprivileged
        if args.seconds > 0:
            await throughput(root, args)
        if args.idle > 0:
            await idle(root, args)
        shutil.rmtree(root, ignore_errors=True)


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
        profile_to = os.environ.get("YUNMAIL_BENCH_PROFILE")
        if profile_to:  # where the server's time goes (load phase only: see --profile)
            import cProfile

            with cProfile.Profile() as profiler:
                run(serve(Path(sys.argv[2]), int(sys.argv[3])))
            profiler.dump_stats(profile_to)
        else:
            run(serve(Path(sys.argv[2]), int(sys.argv[3])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--messages", type=int, default=100, help="messages APPENDed per user before the load"
    )
    parser.add_argument("--idle", type=int, default=10_000, help="idle IDLE connections to Yunmail")
    parser.add_argument("--dovecot-idle", type=int, default=1000, help="idle IDLE connections to Dovecot")
    parser.add_argument("--no-dovecot", action="store_true")
    parser.add_argument("--dir", default=None, help="directory for the servers' data")
    parser.add_argument("--profile", default=None, help="write a cProfile of Yunmail's load phase here")
    run(main(parser.parse_args()))
