"""Rate counters in the ``counters`` table, atomic across tasks, processes and nodes.

Each key holds one window: ``(window_start, count)``. A row whose ``window_start`` is not the current
window's start counts as zero and is overwritten on the next successful consume.

Atomicity: ``consume`` reads every key, decides, and writes every key inside one transaction.
* SQLite: ``Database.transaction`` serialises writers in-process and opens with ``BEGIN IMMEDIATE``,
  which takes the database write lock before the read, so other processes wait for the commit.
* PostgreSQL (READ COMMITTED): the rows are first created if missing (``ON CONFLICT DO NOTHING``),
  then locked with ``SELECT ... FOR UPDATE``. Both steps go through the keys in sorted order, so two
  transactions touching overlapping key sets queue up instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.counters.base import CounterCheck, CounterResult, window_start
from yunmail.storage.sql.engine import Database
from yunmail.storage.sql.schema import counters


class SqlCounters:
    """The ``Counters`` port on the SQL database (embedded SQLite or shared PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def consume(self, checks: list[CounterCheck], now: float) -> CounterResult:
        if not checks:
            return CounterResult(True, ())
        starts = [window_start(now, c.window_seconds) for c in checks]
        async with self._db.transaction() as conn:
            if not self._db.is_sqlite:
                await self._create_missing(conn, checks, starts)
            stored = await self._read(conn, sorted({c.key for c in checks}), lock=True)
            current = [
                _count_in_window(stored.get(c.key), start) for c, start in zip(checks, starts, strict=True)
            ]
            for check, count in zip(checks, current, strict=True):
                if count + check.amount > check.limit:
                    return CounterResult(False, tuple(current), check.key)
            totals = [count + c.amount for c, count in zip(checks, current, strict=True)]
            for check, start, total in zip(checks, starts, totals, strict=True):
                await self._write(conn, check.key, start, total)
        return CounterResult(True, tuple(totals))

    async def peek(self, key: str, window_seconds: int, now: float) -> int:
        async with self._db.read() as conn:
            stored = await self._read(conn, [key], lock=False)
        return _count_in_window(stored.get(key), window_start(now, window_seconds))

    async def peek_many(self, keys: Sequence[tuple[str, int]], now: float) -> tuple[int, ...]:
        if not keys:
            return ()
        async with self._db.read() as conn:
            stored = await self._read(conn, sorted({key for key, _ in keys}), lock=False)
        return tuple(_count_in_window(stored.get(key), window_start(now, window)) for key, window in keys)

    async def reset(self, key: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(delete(counters).where(counters.c.key == key))

    async def _create_missing(
        self, conn: AsyncConnection, checks: Sequence[CounterCheck], starts: Sequence[int]
    ) -> None:
        first_start: dict[str, int] = {}
        for check, start in zip(checks, starts, strict=True):
            first_start.setdefault(check.key, start)
        rows = [{"key": key, "window_start": first_start[key], "count": 0} for key in sorted(first_start)]
        stmt = postgresql.insert(counters).values(rows).on_conflict_do_nothing(index_elements=["key"])
        await conn.execute(stmt)

    async def _read(
        self, conn: AsyncConnection, keys: Sequence[str], *, lock: bool
    ) -> dict[str, tuple[int, int]]:
        stmt = (
            select(counters.c.key, counters.c.window_start, counters.c.count)
            .where(counters.c.key.in_(keys))
            .order_by(counters.c.key)
        )
        if lock and not self._db.is_sqlite:
            stmt = stmt.with_for_update()
        result = await conn.execute(stmt)
        return {key: (int(start), int(count)) for key, start, count in result}

    async def _write(self, conn: AsyncConnection, key: str, start: int, total: int) -> None:
        insert: Any = sqlite.insert if self._db.is_sqlite else postgresql.insert
        stmt = (
            insert(counters)
            .values(key=key, window_start=start, count=total)
            .on_conflict_do_update(index_elements=["key"], set_={"window_start": start, "count": total})
        )
        await conn.execute(stmt)


def _count_in_window(stored: tuple[int, int] | None, start: int) -> int:
    if stored is None or stored[0] != start:
        return 0
    return stored[1]
