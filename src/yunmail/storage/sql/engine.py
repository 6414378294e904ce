"""Database engine and transactions for SQLite (embedded) and PostgreSQL (scale-out).

Every repository function takes the connection that ``Database.read()`` or
``Database.transaction()`` yields and awaits ``conn.execute(statement)``; the two backends differ
only behind that.

**PostgreSQL** uses asyncpg through SQLAlchemy's async engine and ordinary ``READ COMMITTED``
transactions; code that needs a counter to be race-free updates it with ``UPDATE ... RETURNING``.

**SQLite** (``storage/sql/sqlite.py``) runs statements on the event loop's own thread: an indexed
SQLite statement takes microseconds, far less than handing it to a driver thread and back (what
aiosqlite does, once per statement). Only the steps that can wait run on a thread: taking the
write lock (``BEGIN IMMEDIATE``, which may wait for another process) and ``COMMIT`` (fsync). Write
transactions are group-committed: blocks that arrive while one is running join the same SQLite
transaction, each inside its own SAVEPOINT, and the last one commits for all of them; none
returns before that commit, so nothing is acknowledged before it is durable, and a failing block
rolls back only its own savepoint.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager


class Database:
    """One database plus the transaction discipline every repository call runs inside."""

    dialect: str

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def transaction(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A read-write transaction: committed (durably) when the block ends, rolled back on error."""
        raise NotImplementedError

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A read-only snapshot (SQLite WAL readers never block the writer)."""
        raise NotImplementedError

    async def dispose(self) -> None:
        raise NotImplementedError


class AsyncEngineDatabase(Database):
    """PostgreSQL (asyncpg) through SQLAlchemy's async engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            try:
                yield conn
            finally:
                await conn.rollback()

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine for a PostgreSQL URL (test helpers and ``open_database``)."""
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False)


async def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open the database and bring the schema up to date (Alembic)."""
    from yunmail.storage.sql.migrations import upgrade_to_head

    if make_url(url).get_backend_name() == "sqlite":
        from yunmail.storage.sql.sqlite import SqliteDatabase

        sqlite = SqliteDatabase(url)
        if migrate:
            await sqlite.run_admin(upgrade_to_head)
        return sqlite
    engine = create_engine(url)
    if migrate:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_to_head)
    return AsyncEngineDatabase(engine)
