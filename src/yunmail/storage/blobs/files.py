"""Blob files under the data directory: ``blobs/ab/cd/<sha256>``, written atomically and fsync'd.

Write: temp file in the target directory -> write -> fsync(file) -> rename -> fsync(directory), so a
crash leaves either no file or the complete file, never a torn one. Blocking file work runs in a
worker thread to keep the event loop free.

``put_many`` (the ingest path's batch) writes, syncs, renames each file and syncs its leaf directory
in parallel worker threads, then syncs each newly created parent directory (and the root) once for
the whole batch; concurrent syncs let the filesystem journal merge their commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from yunmail.storage.blobs.base import blob_key

_KEY = re.compile(r"^[0-9a-f]{64}$")
# Blobs up to this size are read on the loop thread (see ``FileBlobStore.get``).
INLINE_READ_BYTES = 256 * 1024


class FileBlobStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise KeyError(key)
        return self.root / key[:2] / key[2:4] / key

    async def put(self, data: bytes) -> str:
        key = blob_key(data)
        await asyncio.to_thread(self._put_sync, key, data)
        return key

    def _put_sync(self, key: str, data: bytes) -> None:
        _fsync_dirs(*self._write_sync(key, data))

    async def put_many(self, blobs: Sequence[bytes]) -> list[str]:
        keys = [blob_key(data) for data in blobs]
        distinct = dict(zip(keys, blobs, strict=True))
        # Every write finishes (or cleans up its temp file) before a failure is raised.
        written = await asyncio.gather(
            *(asyncio.to_thread(self._write_sync, key, data) for key, data in distinct.items()),
            return_exceptions=True,
        )
        failures = [w for w in written if isinstance(w, BaseException)]
        if failures:
            raise failures[0]
        # Parents shared by several blobs (and the root) are synced once, in one thread hop: their
        # new entries were already committed by the file syncs' journal commits, so these are cheap.
        directories = {
            directory for dirs in written if not isinstance(dirs, BaseException) for directory in dirs
        }
        if directories:
            await asyncio.to_thread(_fsync_dirs, *sorted(directories, key=lambda d: (-len(d.parts), d)))
        return keys

    def _write_sync(self, key: str, data: bytes) -> tuple[Path, ...]:
        """Write the file (synced and renamed into place); the directories whose sync makes it durable."""
        path = self._path(key)
        directory = path.parent
        if path.exists():
            # A concurrent put may have renamed the file but not yet synced the directories; the
            # caller is about to commit a row that references this blob, so make the entry durable.
            return directory, directory.parent, directory.parent.parent
        created = not directory.exists()
        directory.mkdir(parents=True, exist_ok=True)
        # A unique temp name: concurrent puts of the same content (threads of this process or other
        # processes) must never write into one temp file.
        tmp = directory / f".{key}.{secrets.token_hex(8)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        # The leaf is (almost always) this blob's own, so it is synced here, in the same thread hop.
        _fsync_dir(directory)
        return (directory.parent, directory.parent.parent) if created else ()

    async def get(self, key: str) -> bytes:
        # Small blobs (most mail) are read on the loop thread: from the page cache that takes
        # microseconds, less than a hop to a worker thread. Big ones are read on a thread.
        try:
            fd = os.open(self._path(key), os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError as exc:
            raise KeyError(key) from exc
        try:
            size = os.fstat(fd).st_size
            if size <= INLINE_READ_BYTES:
                return _read_all(fd, size)
        finally:
            os.close(fd)
        try:  # the thread opens its own descriptor: a cancelled await must not close one it reads
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    async def get_range(self, key: str, start: int, end: int | None = None) -> bytes:
        return await asyncio.to_thread(self._range_sync, key, start, end)

    def _range_sync(self, key: str, start: int, end: int | None) -> bytes:
        try:
            with self._path(key).open("rb") as fh:
                fh.seek(start)
                return fh.read() if end is None else fh.read(max(0, end - start))
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    async def exists(self, key: str) -> bool:
        try:
            return await asyncio.to_thread(self._path(key).exists)
        except KeyError:
            return False

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete_sync, key)

    def _delete_sync(self, key: str) -> None:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            _fsync_dir(path.parent)

    async def keys(self) -> list[str]:
        return await asyncio.to_thread(self._keys_sync)

    def _keys_sync(self) -> list[str]:
        return sorted(p.name for p in self.root.glob("??/??/*") if _KEY.match(p.name))


def _read_all(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while True:
        chunk = os.read(fd, max(remaining, 65536))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        remaining -= len(chunk)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dirs(*directories: Path) -> None:
    for directory in directories:
        _fsync_dir(directory)
