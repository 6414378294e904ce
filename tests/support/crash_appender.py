"""Crash-test helper process: appends messages to one mailbox forever, printing each acknowledged one.

Usage: ``python crash_appender.py DATABASE_URL BLOB_DIR MAILBOX_ID``

Three concurrent writers (two single ``ingest`` loops, exercising group commit, and one
``ingest_many`` loop) store random messages in INBOX, some with a delivery prefix. A line
``<uid> <sha256 of prefix+message>`` is printed and flushed only after the call returned, i.e.
after the store acknowledged it; the test kills this process with SIGKILL at a random moment.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import sys

from yunmail.clock import SystemClock
from yunmail.events import InProcessBus
from yunmail.mailstore import IngestItem, IngestResult, MailStore
from yunmail.storage import FileBlobStore, open_database


def _message(rng: random.Random) -> tuple[bytes, bytes]:
    body = os.urandom(rng.randint(10, 20_000)).hex().encode()
    data = b"Subject: crash test\r\nFrom: a@example.org\r\n\r\n" + body + b"\r\n"
    prefix = b"Received: by crash-test\r\n" if rng.random() < 0.3 else b""
    return prefix, data


def _ack(result: IngestResult, prefix: bytes, data: bytes) -> None:
    sys.stdout.write(f"{result.uid} {hashlib.sha256(prefix + data).hexdigest()}\n")
    sys.stdout.flush()


async def _single(store: MailStore, mailbox_id: int, rng: random.Random) -> None:
    while True:
        prefix, data = _message(rng)
        _ack(await store.ingest(mailbox_id, data, prefix=prefix), prefix, data)


async def _batches(store: MailStore, mailbox_id: int, rng: random.Random) -> None:
    while True:
        messages = [_message(rng) for _ in range(rng.randint(1, 5))]
        results = await store.ingest_many([IngestItem(mailbox_id, d, prefix=p) for p, d in messages])
        for result, (prefix, data) in zip(results, messages, strict=True):
            assert isinstance(result, IngestResult), result
            _ack(result, prefix, data)


async def main(url: str, blob_dir: str, mailbox_id: int) -> None:
    db = await open_database(url, migrate=False)
    store = MailStore(db, FileBlobStore(blob_dir), InProcessBus(), SystemClock())
    rng = random.Random()
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(_single(store, mailbox_id, random.Random(rng.random())))
        tasks.create_task(_single(store, mailbox_id, random.Random(rng.random())))
        tasks.create_task(_batches(store, mailbox_id, random.Random(rng.random())))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
