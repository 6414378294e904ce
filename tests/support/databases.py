"""Fresh databases for tests on every backend: SQLite files and PostgreSQL databases.

SQLite: the schema is migrated once into a template file that each test copies (fast and isolated).
PostgreSQL: one database per test run (``yunmail_t_<random>``), migrated once and truncated between
tests; dropped at the end. With ``CI=true`` an unreachable PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from yunmail.storage import Database, open_database
from yunmail.storage.sql.engine import create_engine
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
        self.name = f"yunmail_t_{secrets.token_hex(4)}"
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        self.url = f"{base}/{self.name}"

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
        engine = create_engine(self.url)
        try:
            async with engine.begin() as conn:
                names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        finally:
            await engine.dispose()


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
