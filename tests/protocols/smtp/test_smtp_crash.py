"""Crash safety: SIGKILL the MX process under load; after a restart every message that got 250 is stored once.

The load comes from parallel Python senders (each message has its own Message-ID, so the test knows
exactly which ones were acknowledged). After the restart the senders retry everything that was not
acknowledged, as a real MTA would; the content-hash dedupe must keep every message at one copy.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from pathlib import Path

import aiosmtplib
import pytest

from support.factories import DirectoryFactory, FastHasher, RecordingMailStorage
from support.smtp import message, queue_aware_store_problems
from yunmail.clock import FakeClock
from yunmail.config import Settings
from yunmail.directory import Directory
from yunmail.domains import DomainRegistry
from yunmail.events import InProcessBus
from yunmail.mailstore import MailStore
from yunmail.storage import Database, FileBlobStore

SERVER = Path(__file__).with_name("mx_process.py")
SENDERS = 8
KILL_AFTER = 40


async def start_server(database_url: str, blob_dir: Path) -> tuple[asyncio.subprocess.Process, int]:
    # stdin is a pipe the server watches: if this test process dies, the server exits too.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SERVER),
        database_url,
        str(blob_dir),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    word, _, port = line.decode().partition(" ")
    assert word == "READY", line
    return process, int(port)


async def send_until_refused(port: int, recipient: str, queue: asyncio.Queue[bytes], acked: set[str]) -> None:
    """Send messages from ``queue`` until the server goes away; record the acknowledged Message-IDs."""
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=30)
    try:
        await client.connect()
        while not queue.empty():
            data = queue.get_nowait()
            try:
                await client.sendmail("load@sender.example", [recipient], data)
            except aiosmtplib.SMTPResponseException as exc:
                if exc.code >= 500:
                    raise  # a permanent refusal is a test failure, not a crash symptom
                queue.put_nowait(data)
                return
            except (aiosmtplib.SMTPException, OSError):
                queue.put_nowait(data)  # unacknowledged: retried after the restart
                return
            acked.add(message_id(data))
    except aiosmtplib.SMTPResponseException:
        raise
    except (aiosmtplib.SMTPException, OSError):
        return
    finally:
        client.close()


def message_id(data: bytes) -> str:
    line = next(x for x in data.split(b"\r\n") if x.startswith(b"Message-ID: "))
    return line.split(b" ", 1)[1].decode()


@pytest.mark.slow
async def test_every_acknowledged_message_survives_sigkill_exactly_once(
    tmp_path: Path, database_url: str, db: Database, bus: InProcessBus, clock: FakeClock
) -> None:
    blob_dir = tmp_path / "blobs"
    blobs = FileBlobStore(blob_dir)
    mailstore = MailStore(db, blobs, bus, clock)
    directory = Directory(db, clock, Settings(), mailstore, hasher=FastHasher())
    factory = DirectoryFactory(directory, DomainRegistry(db, clock), RecordingMailStorage())
    tenant = await factory.tenant()
    mailbox = await factory.mailbox(tenant, local_part="load")
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for i in range(400):
        queue.put_nowait(
            message("load@sender.example", mailbox.address, body=f"message {i}\r\n" + "x" * 98 + "\r\n")
        )
    acked: set[str] = set()

    process, port = await start_server(database_url, blob_dir)
    senders = [
        asyncio.create_task(send_until_refused(port, mailbox.address, queue, acked)) for _ in range(SENDERS)
    ]
    try:
        while len(acked) < KILL_AFTER and not all(s.done() for s in senders):
            await asyncio.wait(senders, timeout=0.05)  # progress check, not synchronisation
        process.send_signal(signal.SIGKILL)
        await process.wait()
        await asyncio.gather(*senders)
        acknowledged_before_kill = set(acked)

        process, port = await start_server(database_url, blob_dir)
        while not queue.empty():
            await asyncio.gather(
                *(send_until_refused(port, mailbox.address, queue, acked) for _ in range(SENDERS))
            )
    finally:
        if process.returncode is None:
            assert process.stdin is not None
            process.stdin.close()  # the server's cue to exit
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()

    summaries = await mailstore.list_messages(mailbox.id, "INBOX")
    stored = Counter(
        [message_id(await mailstore.read_message(mailbox.id, "INBOX", s.uid)) for s in summaries]
    )
    assert len(acknowledged_before_kill) >= KILL_AFTER
    assert acknowledged_before_kill <= set(stored)
    assert [mid for mid, count in stored.items() if count != 1] == []
    assert len(stored) == 400
    assert await queue_aware_store_problems(db, blobs) == []
