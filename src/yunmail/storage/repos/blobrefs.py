"""Reference counts of message blobs (``blobs`` table): add on ingest/copy, release on expunge, claim at zero.

Protocol that keeps "no row references a missing blob" true with concurrent writers and deleters
(the blob store itself knows nothing of references):

* A writer puts the blob file first, then in its transaction upserts the row (``add_refs``). When
  the upsert created the row or revived it from zero, the writer re-checks that the file exists
  (and rewrites it if not) before committing: a deleter may have removed it in between.
* A deleter drops counts in its transaction (``release_refs``, rows stay at zero), commits, then in
  a second transaction deletes the zero rows it still finds (``claim_unreferenced``, which locks
  them) and removes their files before committing. A writer's upsert on the same row waits for
  that transaction and then recreates the row, which triggers its re-check above.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.sql.schema import blobs

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class BlobRef:
    """``count`` new references to the blob ``sha256`` of ``size`` bytes."""

    sha256: str
    size: int
    count: int


# Hot statements are built once: building one costs far more than running it (see storage/sql).
_ADD_EXISTING = (
    update(blobs)
    .where(blobs.c.sha256 == bindparam("b_key"))
    .values(refcount=blobs.c.refcount + bindparam("b_n"))
)
_RELEASE = (
    update(blobs)
    .where(blobs.c.sha256 == bindparam("b_key"))
    .values(refcount=blobs.c.refcount - bindparam("b_n"))
)
_AT_ZERO = select(blobs.c.sha256).where(
    blobs.c.sha256.in_(bindparam("keys", expanding=True)), blobs.c.refcount <= 0
)
_CLAIM = (
    delete(blobs)
    .where(blobs.c.sha256.in_(bindparam("keys", expanding=True)), blobs.c.refcount <= 0)
    .returning(blobs.c.sha256)
)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _insert(conn: AsyncConnection) -> PgInsert | SqliteInsert:
    """The dialect's INSERT, which has ``ON CONFLICT`` on both backends."""
    return sqlite_insert(blobs) if conn.dialect.name == "sqlite" else pg_insert(blobs)


async def add_refs(conn: AsyncConnection, refs: Iterable[BlobRef]) -> list[str]:
    """Add references (rows locked in key order); the keys whose row was created or revived from zero.

    For those keys the caller must make sure the blob file still exists before committing.
    """
    merged: dict[str, BlobRef] = {}
    for ref in refs:
        seen = merged.get(ref.sha256)
        merged[ref.sha256] = ref if seen is None else BlobRef(ref.sha256, ref.size, seen.count + ref.count)
    keys = sorted(merged)
    fresh: list[str] = []
    for chunk in _chunks(keys):
        ins = _insert(conn).values(
            [{"sha256": k, "size": merged[k].size, "refcount": merged[k].count} for k in chunk]
        )
        # size too: a sweeper may have reserved the row with an unknown (zero) size.
        stmt = ins.on_conflict_do_update(
            index_elements=[blobs.c.sha256],
            set_={"refcount": blobs.c.refcount + ins.excluded.refcount, "size": ins.excluded.size},
        ).returning(blobs.c.sha256, blobs.c.refcount)
        for sha256, refcount in (await conn.execute(stmt)).all():
            if refcount == merged[sha256].count:
                fresh.append(sha256)
    return fresh


async def add_existing_refs(conn: AsyncConnection, counts: Mapping[str, int]) -> None:
    """Add references to blobs already referenced by rows in this transaction's view (copies)."""
    if not counts:
        return
    await conn.execute(_ADD_EXISTING, [{"b_key": k, "b_n": counts[k]} for k in sorted(counts)])


async def release_refs(conn: AsyncConnection, counts: Mapping[str, int]) -> list[str]:
    """Drop references; the keys now at zero (their rows stay until ``claim_unreferenced``)."""
    if not counts:
        return []
    keys = sorted(counts)
    await conn.execute(_RELEASE, [{"b_key": k, "b_n": counts[k]} for k in keys])
    zero: list[str] = []
    for chunk in _chunks(keys):
        zero.extend((await conn.execute(_AT_ZERO, {"keys": list(chunk)})).scalars())
    return zero


async def reserve_unreferenced(conn: AsyncConnection, sha256: str, size: int) -> None:
    """Make sure a row exists (refcount 0 if new) so that ``claim_unreferenced`` can lock it."""
    stmt = (
        _insert(conn)
        .values(sha256=sha256, size=size, refcount=0)
        .on_conflict_do_nothing(index_elements=[blobs.c.sha256])
    )
    await conn.execute(stmt)


async def claim_unreferenced(conn: AsyncConnection, keys: Iterable[str]) -> list[str]:
    """Delete the rows among ``keys`` that are still at zero; the caller deletes their files before commit."""
    claimed: list[str] = []
    for chunk in _chunks(sorted(set(keys))):
        claimed.extend((await conn.execute(_CLAIM, {"keys": list(chunk)})).scalars())
    return claimed


async def unreferenced_keys(conn: AsyncConnection) -> list[str]:
    """Rows left at zero (a deleter crashed between its two transactions); swept by ``claim_unreferenced``."""
    return list((await conn.execute(select(blobs.c.sha256).where(blobs.c.refcount <= 0))).scalars())


async def known_keys(conn: AsyncConnection, keys: Sequence[str]) -> set[str]:
    """The subset of ``keys`` that have a row."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        found.update((await conn.execute(select(blobs.c.sha256).where(blobs.c.sha256.in_(chunk)))).scalars())
    return found
