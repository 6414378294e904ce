"""Durability: a writer killed with SIGKILL at a random moment loses nothing it acknowledged.

A subprocess (``support/crash_appender.py``) appends messages and prints each acknowledged one;
the test kills it after a random number of acknowledgements (no sleeps), reopens the store and
checks every acknowledged message is present and byte-identical, SQLite's integrity check is ok,
and the store invariants hold (unreferenced blob files left by the kill are allowed). Three
kill/restart rounds per backend, so recovery after a crash is itself crashed into; at the end the
maintenance sweep removes exactly the unreferenced leftovers.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from support.databases import (
    PostgresTestDatabase,
    open_test_database,
    postgres_reachable,
    require_or_skip,
    sqlite_copy,
)
from support.invariants import store_problems
from support.mailstore import create_mailbox
from yunmail.clock import SystemClock
from yunmail.events import InProcessBus
from yunmail.mailstore import MailStore
from yunmail.storage import FileBlobStore
from yunmail.storage.sql.schema import messages

pytestmark = pytest.mark.slow

APPENDER = Path(__file__).resolve().parent.parent / "support" / "crash_appender.py"
ROUNDS = 3


@pytest.fixture
async def crash_database_url(backend: str, tmp_path: Path, sqlite_template: Path) -> AsyncIterator[str]:
    """A database of its own: a SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        yield sqlite_copy(sqlite_template, tmp_path)
        return
    if not await postgres_reachable():
        require_or_skip("PostgreSQL is not reachable at YUNMAIL_TEST_PG_URL")
    pg = PostgresTestDatabase()
    await pg.create()
    try:
        yield pg.url
    finally:
        await pg.drop()


async def _run_and_kill(
    url: str, blob_dir: Path, mailbox_id: int, acks_before_kill: int
) -> list[tuple[int, str]]:
    """Start the appender, SIGKILL it after that many acknowledgements; every acknowledged (uid, sha256)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(APPENDER),
        url,
        str(blob_dir),
        str(mailbox_id),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    acked: list[tuple[int, str]] = []
    while len(acked) < acks_before_kill:
        line = await proc.stdout.readline()
        if not line:
            raise AssertionError(f"appender died: {(await proc.stderr.read()).decode()}")
        uid, sha = line.split()
        acked.append((int(uid), sha.decode()))
    proc.send_signal(signal.SIGKILL)
    # Lines printed between our last read and the kill were acknowledged too.
    for line in (await proc.stdout.read()).splitlines():
        if line.strip():
            uid, sha = line.split()
            acked.append((int(uid), sha.decode()))
    await proc.wait()
    return acked


async def test_acknowledged_messages_survive_sigkill(crash_database_url: str, tmp_path: Path) -> None:
    rng = random.Random()
    blob_dir = tmp_path / "crash-blobs"
    blobs = FileBlobStore(blob_dir)
    db = await open_test_database(crash_database_url)
    store = MailStore(db, blobs, InProcessBus(), SystemClock())
    mailbox_id = await create_mailbox(db)
    await store.provision(mailbox_id)
    await db.dispose()

    acknowledged: dict[int, str] = {}
    for _ in range(ROUNDS):
        for uid, sha in await _run_and_kill(crash_database_url, blob_dir, mailbox_id, rng.randint(1, 60)):
            assert uid not in acknowledged, f"UID {uid} acknowledged twice"
            acknowledged[uid] = sha

        db = await open_test_database(crash_database_url)
        try:
            if db.is_sqlite:
                async with db.read() as conn:
                    assert (await conn.exec_driver_sql("PRAGMA integrity_check")).scalar() == "ok"
            store = MailStore(db, blobs, InProcessBus(), SystemClock())
            stored = {m.uid for m in await store.list_messages(mailbox_id, "INBOX")}
            assert set(acknowledged) <= stored
            for uid, sha in acknowledged.items():
                data = await store.read_message(mailbox_id, "INBOX", uid)
                assert hashlib.sha256(data).hexdigest() == sha, f"UID {uid} differs"
            assert await store_problems(db, blobs) == []
        finally:
            await db.dispose()

    # Leftovers of the kills (blobs put but never committed) are swept; referenced ones stay.
    db = await open_test_database(crash_database_url)
    try:
        store = MailStore(db, blobs, InProcessBus(), SystemClock())
        await store.sweep_blobs()
        async with db.read() as conn:
            referenced = set((await conn.execute(select(messages.c.blob_sha256))).scalars())
        assert set(await blobs.keys()) == referenced
        assert await store_problems(db, blobs) == []
    finally:
        await db.dispose()
