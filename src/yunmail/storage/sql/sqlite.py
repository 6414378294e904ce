"""SQLite for the embedded mode: statements on the loop thread, group-committed writes, one writer per node.

Why statements run inline: an indexed SQLite statement over pages in the OS cache costs a few
microseconds of CPU, while a round trip to a driver thread (aiosqlite) costs tens of microseconds
plus a loop wake-up, per statement. Steps that can *wait* never run inline:

* ``BEGIN IMMEDIATE`` waits for the write lock, which another serving process may hold. Before it,
  the writer takes an ``flock`` on ``<db>.writelock`` (on a thread): the kernel wakes the next
  writer the moment the lock is free, where SQLite's own busy handler would sleep and poll.
* ``COMMIT`` writes and fsyncs the WAL.

Invariants:

* One batch (one SQLite write transaction) at a time per process, guarded by ``_write_lock``;
  blocks run one after another inside it, each in its own SAVEPOINT.
* A batch commits when the block that ends finds nobody waiting to join (or the batch is full);
  the commit runs while ``_write_lock`` is held, so writers arriving meanwhile form the next batch.
* ``transaction()`` returns only after the COMMIT of its batch succeeded; if the COMMIT fails,
  every block of the batch fails with that error (none of them is acknowledged).
* ``synchronous=FULL`` in WAL mode: a committed transaction survives power loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.interfaces import _CoreAnyExecuteParams
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import QueuePool, StaticPool

from yunmail.storage.sql.engine import Database

T = TypeVar("T")

# Blocks per batch before it commits even with writers waiting (bounds a batch's latency).
MAX_BATCH_BLOCKS = 64
# Reader connections kept open between reads (more are opened when reads overlap).
MAX_IDLE_READERS = 8


class InlineConnection:
    """The slice of ``AsyncConnection`` the repositories use, over a synchronous connection.

    ``execute`` runs the statement at once on the calling (loop) thread; see the module docstring.
    ``Database`` hands it out typed as ``AsyncConnection`` so repositories stay backend-neutral.
    """

    __slots__ = ("sync_connection",)

    def __init__(self, sync_connection: Connection) -> None:
        self.sync_connection = sync_connection

    @property
    def dialect(self) -> Any:
        return self.sync_connection.dialect

    async def execute(
        self,
        statement: Any,
        parameters: _CoreAnyExecuteParams | None = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> Any:
        return self.sync_connection.execute(statement, parameters, execution_options=execution_options)

    async def scalar(self, statement: Any, parameters: Mapping[str, Any] | None = None) -> Any:
        return self.sync_connection.scalar(statement, parameters)

    async def scalars(self, statement: Any, parameters: Mapping[str, Any] | None = None) -> Any:
        return self.sync_connection.scalars(statement, parameters)

    async def exec_driver_sql(self, statement: str, parameters: Sequence[Any] | None = None) -> Any:
        return self.sync_connection.exec_driver_sql(statement, tuple(parameters or ()))

    async def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return fn(self.sync_connection, *args, **kwargs)

    @asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        savepoint = self.sync_connection.begin_nested()
        try:
            yield
        except BaseException:
            savepoint.rollback()
            raise
        else:
            savepoint.commit()


class _Batch:
    """One SQLite write transaction shared by the blocks that joined it."""

    __slots__ = ("blocks", "connection", "done")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.blocks = 0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class SqliteDatabase(Database):
    """``Database`` on one SQLite file (WAL, ``synchronous=FULL``)."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        database = parsed.database or ":memory:"
        in_memory = database == ":memory:"
        if not in_memory:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        self.dialect = "sqlite"
        self.path = None if in_memory else Path(database)
        self.sync_engine: Engine = create_engine(
            f"sqlite:///{database}",
            poolclass=StaticPool if in_memory else QueuePool,
            connect_args={"check_same_thread": False},
            **({} if in_memory else {"pool_size": 8, "max_overflow": -1}),
        )
        _configure(self.sync_engine)
        self._idle_readers: list[Connection] = []
        self._write_lock = asyncio.Lock()
        self._waiting = 0
        self._batch: _Batch | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._lock_fd: int | None = None
        if self.path is not None:
            self._lock_fd = os.open(f"{self.path}.writelock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    # --- reads -----------------------------------------------------------------------------------

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        # Readers keep their connection between uses: a pool checkout, return and reset cost more
        # than the short reads themselves. A read that fails closes its connection instead.
        connection = self._idle_readers.pop() if self._idle_readers else self.sync_engine.connect()
        try:
            connection.begin()
            yield cast(AsyncConnection, InlineConnection(connection))
            connection.rollback()
        except BaseException:
            with contextlib.suppress(Exception):
                connection.rollback()
            connection.close()
            raise
        if len(self._idle_readers) < MAX_IDLE_READERS:
            self._idle_readers.append(connection)
        else:
            connection.close()

    # --- writes ----------------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        self._waiting += 1
        try:
            await self._write_lock.acquire()
        finally:
            self._waiting -= 1
        batch: _Batch | None = None
        try:
            batch = self._batch
            if batch is None:
                batch = self._batch = await self._open_batch()
            savepoint = batch.connection.begin_nested()
            try:
                yield cast(AsyncConnection, InlineConnection(batch.connection))
            except BaseException:
                with contextlib.suppress(Exception):
                    savepoint.rollback()
                raise
            savepoint.commit()
            batch.blocks += 1
        finally:
            try:
                if batch is not None and (self._waiting == 0 or batch.blocks >= MAX_BATCH_BLOCKS):
                    self._batch = None
                    # Shielded: a cancelled caller must not cut the commit the other blocks wait for.
                    await asyncio.shield(self._commit(batch))
            finally:
                self._write_lock.release()
        # Our block succeeded: wait for the commit that makes it durable (maybe someone else's).
        await asyncio.shield(batch.done)

    async def _open_batch(self) -> _Batch:
        opening = asyncio.ensure_future(self._on_thread(self._begin_immediate))
        try:
            connection = await asyncio.shield(opening)
        except asyncio.CancelledError:
            # The thread may still take the lock: give it back as soon as it has.
            opening.add_done_callback(self._abandon)
            raise
        return _Batch(connection)

    def _abandon(self, opening: asyncio.Future[Connection]) -> None:
        if not opening.cancelled() and opening.exception() is None:
            self._thread.submit(self._rollback_sync, opening.result())

    def _rollback_sync(self, connection: Connection) -> None:
        try:
            with contextlib.suppress(Exception):
                connection.rollback()
            connection.close()
        finally:
            self._unlock()

    def _begin_immediate(self) -> Connection:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            connection = self.sync_engine.connect()
            try:
                connection.execution_options(yunmail_write=True).begin()
            except BaseException:
                connection.close()
                raise
        except BaseException:
            self._unlock()
            raise
        return connection

    async def _commit(self, batch: _Batch) -> None:
        """COMMIT the batch on the writer thread; its blocks learn the outcome through ``done``."""
        try:
            await self._on_thread(self._commit_sync, batch.connection)
        except BaseException as exc:
            if not batch.done.done():
                batch.done.set_exception(exc)
                batch.done.exception()  # retrieved here; each waiting block re-raises it
        else:
            if not batch.done.done():
                batch.done.set_result(None)

    def _commit_sync(self, connection: Connection) -> None:
        try:
            try:
                connection.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    connection.rollback()
                raise
            finally:
                connection.close()
        finally:
            self._unlock()

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    async def _on_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    # --- administration --------------------------------------------------------------------------

    async def run_admin(self, fn: Callable[[Connection], object]) -> None:
        """Run ``fn`` (migrations) in its own write transaction, on the writer thread."""
        async with self._write_lock:
            await self._on_thread(self._run_admin_sync, fn)

    def _run_admin_sync(self, fn: Callable[[Connection], object]) -> None:
        with self.sync_engine.connect() as connection:
            connection.execution_options(yunmail_write=True).begin()
            fn(connection)
            connection.commit()

    async def dispose(self) -> None:
        while self._idle_readers:
            self._idle_readers.pop().close()
        await self._on_thread(self.sync_engine.dispose)
        self._thread.shutdown(wait=True)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def _configure(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the driver so we can issue BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("yunmail_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
