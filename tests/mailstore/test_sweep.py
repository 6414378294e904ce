"""Maintenance sweep: blobs left unreferenced by a crash are removed, referenced ones never."""

from __future__ import annotations

import hashlib

from sqlalchemy import insert, select

from support.mailstore import make_message
from yunmail.mailstore import MailStore
from yunmail.storage import Database, FileBlobStore
from yunmail.storage.sql.schema import blobs as blob_table


async def test_sweep_removes_blob_file_without_row(
    store: MailStore, mailbox: int, blobs: FileBlobStore
) -> None:
    kept = make_message("kept")
    await store.ingest(mailbox, kept)
    await blobs.put(b"left behind by a crash between put and commit")
    assert await store.sweep_blobs() == 1
    assert await blobs.keys() == [hashlib.sha256(kept).hexdigest()]


async def test_sweep_removes_row_left_at_zero_and_its_file(
    store: MailStore, mailbox: int, db: Database, blobs: FileBlobStore
) -> None:
    key = await blobs.put(b"released, but the deleter crashed before reclaiming")
    async with db.transaction() as conn:
        await conn.execute(insert(blob_table).values(sha256=key, size=10, refcount=0))
    await store.sweep_blobs()
    async with db.read() as conn:
        rows = (await conn.execute(select(blob_table.c.sha256))).scalars().all()
    assert (rows, await blobs.keys()) == ([], [])


async def test_sweep_with_nothing_to_do_keeps_everything(
    store: MailStore, mailbox: int, blobs: FileBlobStore
) -> None:
    await store.ingest(mailbox, make_message())
    before = await blobs.keys()
    assert await store.sweep_blobs() == 0
    assert await blobs.keys() == before
