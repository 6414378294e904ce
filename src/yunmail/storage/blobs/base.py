"""The ``BlobStore`` port: bytes stored durably under their SHA-256, read whole or by range.

Reference counts live in SQL (``blobs`` table), not here: the store only guarantees that after
``put`` returns the bytes are on stable storage, and that ``delete`` removes them. Writers put the
blob before committing the row that references it; deleters commit the refcount drop first. A crash
between the two leaves an unreferenced blob (harmless, swept later), never a dangling reference.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Protocol


def blob_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(Protocol):
    async def put(self, data: bytes) -> str:
        """Store ``data`` durably; return its SHA-256 hex key. Idempotent."""
        ...

    async def put_many(self, blobs: Sequence[bytes]) -> list[str]:
        """Store every blob durably, as ``put`` does for each; their keys in the order given.

        Default semantics (what ``put_each`` does, and what an implementation without a cheaper
        path may delegate to): the same as calling ``put`` for each blob concurrently. Equal blobs
        are stored once. When it returns, every blob is on stable storage; when it raises, some may
        already be stored (unreferenced, swept later like any blob whose commit never came).
        Implementations may batch the syncs (one per directory instead of one per blob).
        """
        ...

    async def get(self, key: str) -> bytes:
        """The whole blob; ``KeyError`` when absent."""
        ...

    async def get_range(self, key: str, start: int, end: int | None = None) -> bytes:
        """Bytes ``[start:end]`` of the blob without reading the rest."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the blob; absent is not an error."""
        ...

    async def keys(self) -> list[str]:
        """Every stored key (integrity checks and sweeping)."""
        ...


async def put_each(store: BlobStore, blobs: Sequence[bytes]) -> list[str]:
    """``put_many``'s reference semantics: ``put`` each distinct blob concurrently, keys in order."""
    distinct = list(dict.fromkeys(blobs))
    keys = dict(zip(distinct, await asyncio.gather(*(store.put(b) for b in distinct)), strict=True))
    return [keys[b] for b in blobs]
