"""SMTP ingest benchmark: Yunmail's MX against Postfix 3.7, same machine, same run, same load.

Load: Postfix's ``smtp-source`` with 20 parallel sessions sending 4 KB messages to one mailbox.
A message counts when it is visible in its mailbox (Yunmail: a row in ``messages``; Postfix: a
file in the virtual maildir's ``new/``), not at ``250``. Both sides are durable: Yunmail fsyncs
blobs and commits SQLite with ``synchronous=FULL`` before answering; Postfix fsyncs its queue file
and the maildir file.

    .venv/bin/python bench/smtp_ingest.py                      # both, 5000 messages each
    .venv/bin/python bench/smtp_ingest.py --messages 2000 --no-postfix --uvloop --profile

Needs Debian's ``postfix`` package (``smtp-source`` and the Postfix daemons). The Postfix instance is
private: its own config, queue and maildir under a temporary directory, listening on a loopback
high port only, stopped at the end. It never touches port 25 or /etc/postfix's instance.
``--serve`` is the internal mode that runs the Yunmail server process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pstats
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DOMAIN = "bench.example"
MAILBOX = f"load@{DOMAIN}"
SENDER = "bench@sender.example"


# --- the Yunmail server process ------------------------------------------------------------------


async def serve(data_dir: Path, use_uvloop: bool) -> None:
    """Run the MX listener over ``data_dir`` (wired as the runtime does) until stdin closes."""
    from yunmail.config import ListenSettings, load_settings
    from yunmail.delivery import MailFlow
    from yunmail.net import Listeners, NetLimits
    from yunmail.protocols.smtp import SmtpContext, SmtpSettings, start_smtp
    from yunmail.runtime import build_services

    settings = load_settings(env={}, overrides={"data_dir": str(data_dir), "hostname": "mx.bench.test"})
    services = await build_services(settings, migrate=False)
    flow = MailFlow.build(
        db=services.db,
        blobs=services.blobs,
        counters=services.counters,
        clock=services.clock,
        mailstore=services.mailstore,
        recipients=services.directory.recipients,
        enterprises=services.directory.enterprises,
        hostname=settings.hostname,
        resolver=None,  # no SPF/DKIM/DMARC lookups: Postfix does none by default either
    )
    ctx = SmtpContext(
        settings=SmtpSettings(hostname=settings.hostname),
        inbound=flow.inbound,
        submission=flow.submission,
        authenticator=services.auth.login,
    )
    listen = ListenSettings(smtp=("127.0.0.1:0",), submission=(), smtps=())
    listeners = await start_smtp(ctx, listen, None, listeners=Listeners(NetLimits(connections_per_ip=1000)))
    print("READY", listeners.address("smtp")[1], flush=True)
    await asyncio.to_thread(sys.stdin.buffer.read)
    await listeners.wait_closed(grace_seconds=1)
    await services.db.dispose()
    del use_uvloop


def run_server(data_dir: Path, use_uvloop: bool, profile: Path | None) -> None:
    runner: Callable[[], None]
    if use_uvloop:
        import uvloop

        def runner() -> None:
            uvloop.run(serve(data_dir, use_uvloop))
    else:

        def runner() -> None:
            asyncio.run(serve(data_dir, use_uvloop))

    if profile is None:
        runner()
        return
    import cProfile

    cProfile.runctx("runner()", globals(), {"runner": runner}, str(profile))


async def prepare_yunmail(data_dir: Path) -> int:
    """Database, enterprise, trusted domain and the target mailbox; the mailbox id."""
    from yunmail.config import load_settings
    from yunmail.directory import NewMember
    from yunmail.domains import DomainRegistry
    from yunmail.runtime import build_services, close_services

    settings = load_settings(env={}, overrides={"data_dir": str(data_dir)})
    services = await build_services(settings)
    try:
        enterprise = await services.directory.enterprises.create("Bench", "bench", "bench")
        domain = await DomainRegistry(services.db, services.clock).add(
            enterprise.id, DOMAIN, "bench", trust=True
        )
        member = await services.directory.members.add(
            enterprise.id,
            NewMember(name="Load", account="load", contact_email="load@contact.example"),
            "bench",
        )
        mailbox = await services.directory.mailboxes.open(
            enterprise.id, member.id, domain.id, "bench", local_part="load"
        )
        return mailbox.id
    finally:
        await close_services(services)


# --- load and counting ---------------------------------------------------------------------------------


def smtp_source(port: int, messages: int, sessions: int, size: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            "smtp-source",
            "-s",
            str(sessions),
            "-m",
            str(messages),
            "-l",
            str(size),
            "-M",
            "client.bench.test",
            "-f",
            SENDER,
            "-t",
            MAILBOX,
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def measure(
    port: int, messages: int, sessions: int, size: int, count: Callable[[], int]
) -> tuple[int, float]:
    """Run the load; (messages visible, seconds from first connection to the last one visible)."""
    start_count = count()
    started = time.perf_counter()
    load = smtp_source(port, messages, sessions, size)
    seen, last_change = start_count, time.perf_counter()
    while True:
        time.sleep(0.02)
        now_count = count()
        if now_count != seen:
            seen, last_change = now_count, time.perf_counter()
        if seen - start_count >= messages:
            break
        # smtp-source finished and nothing new for a while: some messages never became visible.
        if load.poll() is not None and time.perf_counter() - last_change > 5:
            break
    load.wait()
    if load.returncode:
        raise RuntimeError(f"smtp-source failed: {load.stderr.read().decode() if load.stderr else ''}")
    return seen - start_count, last_change - started


def yunmail_commits(db_path: Path, mailbox_id: int) -> tuple[int, int]:
    """(messages, commits) in the mailbox: each ingest commit gives its rows one new MODSEQ."""
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT modseq) FROM messages WHERE mailbox_id = ?", (mailbox_id,)
        ).fetchone()
    return int(row[0]), int(row[1])


def yunmail_counter(db_path: Path, mailbox_id: int) -> Callable[[], int]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)

    def count() -> int:
        return int(
            conn.execute("SELECT count(*) FROM messages WHERE mailbox_id = ?", (mailbox_id,)).fetchone()[0]
        )

    return count


def maildir_counter(new_dir: Path) -> Callable[[], int]:
    def count() -> int:
        try:
            return len(os.listdir(new_dir))
        except FileNotFoundError:
            return 0

    return count


# --- Postfix ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postfix_instance(base: Path, port: int) -> tuple[Path, Path]:
    """A private Postfix: config dir and the maildir ``new/`` it delivers to."""
    conf, queue, data, vmail = (base / name for name in ("conf", "queue", "data", "vmail"))
    for directory in (conf, queue, data, vmail):
        directory.mkdir(parents=True)
    for parent in (base, base.parent):
        parent.chmod(0o755)  # Postfix's unprivileged daemons must reach their queue and maildir
    shutil.chown(data, "postfix")
    shutil.chown(vmail, "nobody", "nogroup")
    (conf / "main.cf").write_text(
        "\n".join(
            [
                "compatibility_level = 3.6",
                f"queue_directory = {queue}",
                f"data_directory = {data}",
                "command_directory = /usr/sbin",
                "daemon_directory = /usr/lib/postfix/sbin",
                "shlib_directory = /usr/lib/postfix",
                "meta_directory = /etc/postfix",
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "myhostname = postfix.bench.test",
                "mydestination =",
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                "smtpd_peername_lookup = no",
                "smtp_dns_support_level = disabled",
                "biff = no",
                f"virtual_mailbox_domains = {DOMAIN}",
                f"virtual_mailbox_base = {vmail}",
                f"virtual_mailbox_maps = inline:{{ {MAILBOX}=load/ }}",
                "virtual_uid_maps = static:65534",
                "virtual_gid_maps = static:65534",
                "virtual_minimum_uid = 100",
                f"maillog_file = {base / 'maillog'}",
                f"maillog_file_prefixes = {base}",
                "",
            ]
        )
    )
    master = []
    for line in Path("/etc/postfix/master.cf").read_text().splitlines():
        fields = line.split()
        if fields and not line.startswith(("#", " ", "\t")) and len(fields) >= 8:
            if fields[0] == "smtp" and fields[1] == "inet":
                fields[0] = f"127.0.0.1:{port}"
            fields[4] = "n"  # no chroot: the private queue is outside /var/spool/postfix
            line = " ".join(fields)
        master.append(line)
    (conf / "master.cf").write_text("\n".join(master) + "\n")
    return conf, vmail / "load" / "new"


def postfix(conf: Path, action: str) -> None:
    done = subprocess.run(["postfix", "-c", str(conf), action], capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"postfix {action} failed: {done.stderr.strip()} (see the maillog file)")


def wait_listening(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def bench_postfix(base: Path, messages: int, sessions: int, size: int) -> tuple[int, float]:
    port = free_port()
    conf, new_dir = postfix_instance(base / "postfix", port)
    postfix(conf, "check")
    postfix(conf, "start")
    try:
        wait_listening(port)
        measure(port, min(200, messages), sessions, size, maildir_counter(new_dir))  # warm-up
        return measure(port, messages, sessions, size, maildir_counter(new_dir))
    finally:
        postfix(conf, "stop")


# --- Yunmail ---------------------------------------------------------------------------------------------


def bench_yunmail(
    base: Path, messages: int, sessions: int, size: int, use_uvloop: bool, profile: Path | None
) -> tuple[int, float]:
    data_dir = base / "yunmail"
    mailbox_id = asyncio.run(prepare_yunmail(data_dir))
    command = [sys.executable, __file__, "--serve", str(data_dir)]
    if use_uvloop:
        command.append("--uvloop")
    if profile is not None:
        command += ["--profile", str(profile)]
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        word, _, port_text = server.stdout.readline().decode().partition(" ")
        if word != "READY":
            raise RuntimeError("the Yunmail server did not start")
        port = int(port_text)
        count = yunmail_counter(data_dir / "yunmail.db", mailbox_id)
        measure(port, min(200, messages), sessions, size, count)  # warm-up
        result = measure(port, messages, sessions, size, count)
        stored, commits = yunmail_commits(data_dir / "yunmail.db", mailbox_id)
        print(f"yunmail: {stored} messages in {commits} commits = {stored / max(1, commits):.1f} per commit")
        return result
    finally:
        assert server.stdin is not None
        server.stdin.close()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--size", type=int, default=4096, help="payload bytes per message")
    parser.add_argument("--no-postfix", action="store_true")
    parser.add_argument("--uvloop", action="store_true", help="run the Yunmail server on uvloop")
    parser.add_argument("--profile", type=Path, nargs="?", const=Path("smtp_ingest.prof"))
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        run_server(args.serve, args.uvloop, args.profile)
        return
    if shutil.which("smtp-source") is None:
        sys.exit("smtp-source not found: apt-get install postfix")
    with tempfile.TemporaryDirectory(prefix="smtp-ingest-") as tmp:
        base = Path(tmp)
        print(f"load: smtp-source, {args.sessions} sessions, {args.messages} messages of {args.size} bytes")
        seen, seconds = bench_yunmail(
            base, args.messages, args.sessions, args.size, args.uvloop, args.profile
        )
        ours = seen / seconds
        loop = "uvloop" if args.uvloop else "asyncio"
        print(f"yunmail ({loop}, sqlite): {seen} visible in {seconds:.2f} s = {ours:.0f} msgs/s")
        if args.profile is not None:
            pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(25)
        if args.no_postfix or shutil.which("postfix") is None:
            print("postfix: not run")
            return
        seen, seconds = bench_postfix(base, args.messages, args.sessions, args.size)
        theirs = seen / seconds
        print(f"postfix 3.7 (virtual maildir): {seen} visible in {seconds:.2f} s = {theirs:.0f} msgs/s")
        print(f"ratio yunmail/postfix: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
