"""The migrated database matches schema.py on every backend."""

from __future__ import annotations

from yunmail.storage import Database
from yunmail.storage.sql.migrations import pending_differences


async def test_migrations_produce_exactly_the_declared_schema(db: Database) -> None:
    async with db.read() as conn:
        differences = await conn.run_sync(pending_differences)
    assert differences == []


async def test_sqlite_runs_in_wal_with_full_sync(db: Database) -> None:
    if not db.is_sqlite:
        return
    async with db.read() as conn:
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        sync = (await conn.exec_driver_sql("PRAGMA synchronous")).scalar()
    assert (mode, sync) == ("wal", 2)
