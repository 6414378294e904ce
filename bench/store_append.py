"""Mail-store append throughput: messages/second for 1 KB and 100 KB messages on SQLite and PostgreSQL.

Modes, each with fsync'd blobs and committed rows (the durability rule holds in all of them):

* ``single``     -- one ``ingest`` after another (one commit per message);
* ``concurrent`` -- 32 tasks calling ``ingest`` at once (the store's group commit coalesces them);
* ``batch``      -- ``ingest_many`` with 50 messages (one recipient list / one commit).

Usage: ``.venv/bin/python bench/store_append.py [--seconds 3] [--pg URL] [--dir DIR]``. SQLite and
blob files go to a temporary directory on the data disk; PostgreSQL gets a throw-away database
(created and dropped here, never tables in the admin database). Prints one line per run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from yunmail.clock import SystemClock
from yunmail.events import InProcessBus
from yunmail.mailstore import IngestItem, MailStore
from yunmail.storage import Database, FileBlobStore, open_database
from yunmail.storage.sql.schema import domains, enterprises, mailboxes

PG_ADMIN_URL = os.environ.get("YUNMAIL_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
CONCURRENCY = 32
BATCH = 50
SIZES = {"1KB": 1024, "100KB": 100 * 1024}


def message(size: int) -> bytes:
    head = (
        f"Subject: bench {secrets.token_hex(4)}\r\nFrom: a@example.org\r\nTo: b@example.test\r\n\r\n".encode()
    )
    return head + os.urandom(max(0, size - len(head)) // 2).hex().encode()


async def new_mailbox(db: Database) -> int:
    tag = secrets.token_hex(4)
    now = SystemClock().now()
    async with db.transaction() as conn:
        eid = (
            await conn.execute(
                insert(enterprises)
                .values(name=tag, org_id=f"b{tag}", created_at=now)
                .returning(enterprises.c.id)
            )
        ).scalar_one()
        did = (
            await conn.execute(
                insert(domains)
                .values(enterprise_id=eid, name=f"{tag}.bench", ownership_token=tag, created_at=now)
                .returning(domains.c.id)
            )
        ).scalar_one()
        mid = (
            await conn.execute(
                insert(mailboxes)
                .values(enterprise_id=eid, domain_id=did, address=f"u@{tag}.bench", created_at=now)
                .returning(mailboxes.c.id)
            )
        ).scalar_one()
    return int(mid)


async def measure(seconds: float, step: Callable[[], Awaitable[int]]) -> float:
    """Messages per second while repeating ``step`` (which returns how many it stored) for ``seconds``."""
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        count += await step()
    return count / (time.perf_counter() - start)


async def run_backend(name: str, url: str, blob_dir: Path, seconds: float) -> None:
    db = await open_database(url)
    try:
        store = MailStore(db, FileBlobStore(blob_dir), InProcessBus(), SystemClock())
        for label, size in SIZES.items():
            mailbox = await new_mailbox(db)
            await store.provision(mailbox)
            pool = [message(size) for _ in range(200)]

            async def single(mailbox: int = mailbox, pool: list[bytes] = pool) -> int:
                await store.ingest(mailbox, secrets.choice(pool) + secrets.token_hex(8).encode())
                return 1

            async def concurrent(mailbox: int = mailbox, pool: list[bytes] = pool) -> int:
                await asyncio.gather(
                    *(
                        store.ingest(mailbox, secrets.choice(pool) + secrets.token_hex(8).encode())
                        for _ in range(CONCURRENCY)
                    )
                )
                return CONCURRENCY

            async def batch(mailbox: int = mailbox, pool: list[bytes] = pool) -> int:
                items = [
                    IngestItem(mailbox, secrets.choice(pool) + secrets.token_hex(8).encode())
                    for _ in range(BATCH)
                ]
                await store.ingest_many(items)
                return BATCH

            for mode, step in (("single", single), ("concurrent", concurrent), ("batch", batch)):
                rate = await measure(seconds, step)
                print(f"{name:10s} {label:6s} {mode:10s} {rate:9.0f} msg/s", flush=True)
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--pg", default=PG_ADMIN_URL, help="PostgreSQL admin URL ('' to skip)")
    parser.add_argument("--dir", default=None, help="directory for SQLite and blob files")
    args = parser.parse_args()
    print(f"cpus={os.cpu_count()} seconds/run={args.seconds} concurrency={CONCURRENCY} batch={BATCH}")
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="yunmail-bench-") as tmp:
        root = Path(tmp)
        await run_backend(
            "sqlite", f"sqlite+aiosqlite:///{root / 'bench.db'}", root / "blobs-sqlite", args.seconds
        )
        if args.pg:
            name = f"yunmail_bench_{secrets.token_hex(4)}"
            admin = create_async_engine(args.pg, isolation_level="AUTOCOMMIT")
            try:
                async with admin.connect() as conn:
                    await conn.execute(text(f'CREATE DATABASE "{name}"'))
                try:
                    url = f"{args.pg.rsplit('/', 1)[0]}/{name}"
                    await run_backend("postgresql", url, root / "blobs-pg", args.seconds)
                finally:
                    async with admin.connect() as conn:
                        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            finally:
                await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
