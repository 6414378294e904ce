"""Maintenance: remove blobs that a crash left without references (files without rows, rows at zero).

A crash between a writer's blob put and its commit leaves a file no row names; a crash between a
deleter's two transactions leaves a row at refcount zero. Both are harmless and this sweep removes
them, safely alongside live writers: each file is claimed through a locked zero row
(``blobrefs`` protocol), so a writer that needs the same content recreates it before committing.
Listing every blob key is a full scan of the blob store: run it from a maintenance job, not a
request.
"""

from __future__ import annotations

from yunmail.mailstore.context import StoreContext
from yunmail.storage.repos import blobrefs


async def sweep_blobs(ctx: StoreContext) -> int:
    """Delete unreferenced blob rows and files; how many blobs were examined as orphans."""
    async with ctx.db.read() as conn:
        zero = await blobrefs.unreferenced_keys(conn)
    await ctx.reclaim_blobs(zero)
    stored = await ctx.blobs.keys()
    async with ctx.db.read() as conn:
        known = await blobrefs.known_keys(conn, stored)
    orphans = [key for key in stored if key not in known]
    for key in orphans:
        await ctx.discard_blob(key, 0)
    return len(zero) + len(orphans)
