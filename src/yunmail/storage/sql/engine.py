"""Database engine and transactions for SQLite (embedded) and PostgreSQL (scale-out).

SQLite runs in WAL mode with ``synchronous=FULL`` so a committed transaction survives power loss.
Writers are serialised in-process with a lock and open their transaction with ``BEGIN IMMEDIATE``,
which turns SQLite's lazy lock upgrade (a classic source of ``database is locked`` deadlocks) into a
wait at the start. PostgreSQL uses asyncpg and ordinary ``READ COMMITTED`` transactions; code that
needs a counter to be race-free updates it with ``UPDATE ... RETURNING`` on the row.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool


class Database:
    """One engine plus the transaction discipline every repository call runs inside."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A read-write transaction: committed when the block ends, rolled back on error."""
        if self._write_lock is not None:
            async with self._write_lock, self.engine.begin() as conn:
                yield conn
        else:
            async with self.engine.begin() as conn:
                yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only snapshot (SQLite WAL readers never block the writer)."""
        async with self.engine.connect() as conn:
            await conn.execution_options(yunmail_readonly=True)
            try:
                yield conn
            finally:
                await conn.rollback()

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, poolclass=NullPool if parsed.database == ":memory:" else None)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the driver so we can issue BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("yunmail_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


async def open_database(url: str, *, migrate: bool = True) -> Database:
    """Create the engine and bring the schema up to date (Alembic)."""
    engine = create_engine(url)
    if migrate:
        from yunmail.storage.sql.migrations import upgrade_to_head

        async with engine.begin() as conn:
            await conn.run_sync(upgrade_to_head)
    return Database(engine)
