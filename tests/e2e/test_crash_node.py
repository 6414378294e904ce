"""A whole node under IMAP and SMTP load, every serving process SIGKILLed: nothing acknowledged is lost.

A ``yunmail serve --processes 2`` node takes APPENDs and flag STOREs over IMAP and deliveries over
SMTP from several client threads at once (so writes from both processes share group commits and
the writer lock). Each client records what the server acknowledged: APPEND ``OK [APPENDUID]``,
STORE ``OK``, SMTP ``250``. Once enough is acknowledged, every process of the node is killed with
SIGKILL while the clients keep writing. A fresh single-process server on the same data directory
must then show every acknowledged message exactly once, every acknowledged flag, and SQLite must
pass its integrity check. No sleeps: the test waits on the clients' acknowledgement counter.
"""

from __future__ import annotations

import imaplib
import os
import re
import shutil
import signal
import smtplib
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support.serve_process import WATCHDOG_SECONDS, read_until_ready, serve_environment, yunmail_command
from yunmail.config import LISTENER_NAMES

pytestmark = pytest.mark.slow

APPENDS_BEFORE_KILL = 40
DELIVERIES_BEFORE_KILL = 20
USER, PASSWORD = "zhangwei@demo", "Demo-zhangwei-1"
RCPT = "lina@demo.yunmail.test"


@dataclass
class Server:
    process: subprocess.Popen[str]
    addresses: dict[str, tuple[str, int]]

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]


def _start(data_dir: Path, *args: str) -> Server:
    process = subprocess.Popen(
        yunmail_command("serve", "--config", str(data_dir / "yunmail.toml"), *args),
        env=serve_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    addresses: dict[str, tuple[str, int]] = {}
    for line in read_until_ready(process):
        parts = line.split()
        if len(parts) > 1 and parts[0] in LISTENER_NAMES and ":" in parts[1]:
            host, _, port = parts[1].rpartition(":")
            addresses[parts[0]] = (host, int(port))
    return Server(process, addresses)


@dataclass
class Acknowledged:
    """What the server confirmed, shared by the client threads (guarded by ``changed``)."""

    appended: dict[str, int] = field(default_factory=dict)  # Message-ID -> UID
    flagged: set[int] = field(default_factory=set)  # UIDs whose \\Flagged STORE got OK
    delivered: set[str] = field(default_factory=set)  # Message-IDs that got 250
    changed: threading.Condition = field(default_factory=threading.Condition)
    stop: threading.Event = field(default_factory=threading.Event)

    def enough(self) -> bool:
        return len(self.appended) >= APPENDS_BEFORE_KILL and len(self.delivered) >= DELIVERIES_BEFORE_KILL


def _imap_writer(server: Server, acks: Acknowledged, worker: int) -> None:
    n = 0
    try:
        client = imaplib.IMAP4(*server.addresses["imap"], timeout=WATCHDOG_SECONDS)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        while not acks.stop.is_set():
            n += 1
            mid = f"<imap-{worker}-{n}@crash.test>"
            body = f"Message-ID: {mid}\r\nSubject: crash {n}\r\n\r\nbody {n}\r\n".encode()
            status, data = client.append("INBOX", "", None, body)
            if status != "OK":
                continue
            found = re.search(rb"APPENDUID \d+ (\d+)", b" ".join(d for d in data if isinstance(d, bytes)))
            assert found, data
            uid = int(found.group(1))
            with acks.changed:
                acks.appended[mid] = uid
                acks.changed.notify_all()
            if n % 2 == 0 and client.uid("STORE", str(uid), "+FLAGS", r"(\Flagged)")[0] == "OK":
                with acks.changed:
                    acks.flagged.add(uid)
    except (OSError, imaplib.IMAP4.abort, imaplib.IMAP4.error, EOFError):
        return  # the node was killed under us


def _smtp_writer(server: Server, acks: Acknowledged, worker: int) -> None:
    n = 0
    try:
        with smtplib.SMTP(*server.addresses["smtp"], timeout=WATCHDOG_SECONDS) as smtp:
            while not acks.stop.is_set():
                n += 1
                mid = f"<smtp-{worker}-{n}@crash.test>"
                smtp.sendmail("a@example.org", [RCPT], f"Message-ID: {mid}\r\n\r\nhello {n}\r\n".encode())
                with acks.changed:
                    acks.delivered.add(mid)
                    acks.changed.notify_all()
    except (OSError, smtplib.SMTPException):
        return


def _message_ids(client: imaplib.IMAP4) -> dict[str, list[tuple[int, bytes]]]:
    """Message-ID -> [(UID, FLAGS)] of the selected folder."""
    status, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert status == "OK"
    found: dict[str, list[tuple[int, bytes]]] = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, header = item
        uid = int(re.search(rb"UID (\d+)", meta).group(1))  # type: ignore[union-attr]
        flags = re.search(rb"FLAGS \(([^)]*)\)", meta)
        mid = header.decode().split(":", 1)[1].strip()
        found.setdefault(mid, []).append((uid, flags.group(1) if flags else b""))
    return found


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "data"
    done = subprocess.run(
        yunmail_command("init", "--data-dir", str(target)),
        env=serve_environment(),
        capture_output=True,
        text=True,
        timeout=WATCHDOG_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    yield target
    shutil.rmtree(target, ignore_errors=True)


def test_sigkill_of_every_serving_process_loses_nothing_acknowledged(data_dir: Path) -> None:
    node = _start(data_dir, "--demo", "--processes", "2")
    acks = Acknowledged()
    threads = [threading.Thread(target=_imap_writer, args=(node, acks, i)) for i in range(4)]
    threads += [threading.Thread(target=_smtp_writer, args=(node, acks, i)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        with acks.changed:
            assert acks.changed.wait_for(acks.enough, timeout=WATCHDOG_SECONDS)
            appended, flagged, delivered = dict(acks.appended), set(acks.flagged), set(acks.delivered)
        for pid in node.children():
            os.kill(pid, signal.SIGKILL)
        node.process.kill()
        node.process.wait()
    finally:
        acks.stop.set()
        if node.process.poll() is None:
            node.process.kill()
        for thread in threads:
            thread.join(WATCHDOG_SECONDS)

    with sqlite3.connect(data_dir / "yunmail.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    again = _start(data_dir, "--processes", "1")
    try:
        client = imaplib.IMAP4(*again.addresses["imap"], timeout=WATCHDOG_SECONDS)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        inbox = _message_ids(client)
        client.logout()
        client = imaplib.IMAP4(*again.addresses["imap"], timeout=WATCHDOG_SECONDS)
        client.login("lina@demo", "Demo-lina-2")
        client.select("INBOX")
        lina = _message_ids(client)
        client.logout()
    finally:
        again.process.send_signal(signal.SIGTERM)
        again.process.communicate(timeout=WATCHDOG_SECONDS)

    for mid, uid in appended.items():
        assert [u for u, _ in inbox.get(mid, [])] == [uid], mid
        if uid in flagged:
            assert b"\\Flagged" in inbox[mid][0][1], mid
    for mid in delivered:
        assert len(lina.get(mid, [])) == 1, mid
