"""Fresh databases for tests on every backend: SQLite files and PostgreSQL databases.

SQLite: the schema is migrated once into a template file that each test copies (fast and isolated).
PostgreSQL: one database per test run, so one per xdist worker (``yunmail_t_<worker>_<random>``),
migrated once and emptied between tests; dropped at the end. With ``CI=true`` an unreachable
PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from yunmail.storage import Database, open_database
from yunmail.storage.sql.schema import metadata

PG_ADMIN_URL = os.environ.get("YUNMAIL_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_or_skip(reason: str) -> None:
    """Skip on a laptop; fail under CI, where every external part must be present."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


async def make_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    db = await open_database(f"sqlite+aiosqlite:///{path}")
    await db.dispose()
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "yunmail.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


class PostgresTestDatabase:
    """A throw-away PostgreSQL database for one test run."""

    def __init__(self) -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, ... under xdist
        self.name = f"yunmail_t_{worker}_{secrets.token_hex(4)}"
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"
        self._dsn = self.url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._reset_sql: str | None = None

    async def create(self) -> None:
        admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        finally:
            await admin.dispose()
        db = await open_database(self.url)
        await db.dispose()

    async def drop(self) -> None:
        admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        finally:
            await admin.dispose()

    async def truncate(self) -> None:
        """Empty every table and restart every sequence, as a fresh migration would leave them.

        ``DELETE`` (children first) in one round trip takes milliseconds on the few rows a test
        leaves; ``TRUNCATE`` of all tables takes a few hundred (new files for every table), and this
        runs before each PostgreSQL test. Anything unexpected falls back to ``TRUNCATE ... CASCADE``.
        """
        connection = await asyncpg.connect(self._dsn)
        try:
            if self._reset_sql is None:
                sequences = await connection.fetch(
                    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences"
                )
                deletes = [f'DELETE FROM "{table.name}"' for table in reversed(metadata.sorted_tables)]
                restarts = [f"SELECT setval('{row[0]}', 1, false)" for row in sequences]
                self._reset_sql = "; ".join(deletes + restarts)
            try:
                async with connection.transaction():
                    await connection.execute(self._reset_sql)  # several statements: simple protocol
            except asyncpg.PostgresError:
                names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
                await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        finally:
            await connection.close()


async def postgres_reachable() -> bool:
    engine = create_async_engine(PG_ADMIN_URL)
    try:
        async with asyncio.timeout(5), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def open_test_database(url: str) -> Database:
    return await open_database(url, migrate=False)
