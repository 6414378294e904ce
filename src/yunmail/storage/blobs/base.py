"""The ``BlobStore`` port: bytes stored durably under their SHA-256, read whole or by range.

Reference counts live in SQL (``blobs`` table), not here: the store only guarantees that after
``put`` returns the bytes are on stable storage, and that ``delete`` removes them. Writers put the
blob before committing the row that references it; deleters commit the refcount drop first. A crash
between the two leaves an unreferenced blob (harmless, swept later), never a dangling reference.
"""

from __future__ import annotations

import hashlib
from typing import Protocol


def blob_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(Protocol):
    async def put(self, data: bytes) -> str:
        """Store ``data`` durably; return its SHA-256 hex key. Idempotent."""
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
