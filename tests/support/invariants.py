"""The mail store's consistency checker (mox ``CheckConsistencyOnClose``): run after every mail-store test.

It reads the tables with its own queries, independent of the code under test, and reports every
violation at once:

* UIDs are >= 1 and < the folder's UIDNEXT; a tombstoned (expunged) UID is never in use again;
* HIGHESTMODSEQ >= every message and tombstone MODSEQ of the folder, and <= the mailbox MODSEQ;
* folder counters (message_count, unseen_count, total_bytes) equal the rows;
  ``mailboxes.used_bytes`` equals the sum of message sizes;
* UIDVALIDITY is unique within a mailbox and never above the mailbox's last handed-out value;
* message size = prefix + blob size; every message has a search-text row and no text is orphaned;
* ``blobs.refcount`` equals the number of referencing message rows, and every referenced blob
  exists in the blob store (unreferenced blob files are harmless and allowed).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select

from yunmail.storage import BlobStore, Database
from yunmail.storage.sql.schema import (
    blobs,
    expunged,
    folder_uidvalidity,
    folders,
    mailboxes,
    message_texts,
    messages,
)


async def store_problems(db: Database, blob_store: BlobStore) -> list[str]:
    """Every invariant violation found, as readable lines (empty when consistent)."""
    async with db.read() as conn:
        folder_rows = (await conn.execute(select(folders))).all()
        message_rows = (
            await conn.execute(
                select(
                    messages.c.id,
                    messages.c.mailbox_id,
                    messages.c.folder_id,
                    messages.c.uid,
                    messages.c.modseq,
                    messages.c.seen,
                    messages.c.size,
                    messages.c.blob_sha256,
                    messages.c.prefix,
                )
            )
        ).all()
        tombstones = (await conn.execute(select(expunged))).all()
        blob_rows = {r.sha256: r for r in (await conn.execute(select(blobs))).all()}
        mailbox_rows = {
            r.id: r
            for r in (
                await conn.execute(select(mailboxes.c.id, mailboxes.c.used_bytes, mailboxes.c.modseq))
            ).all()
        }
        last_uidvalidity = {r[0]: r[1] for r in (await conn.execute(select(folder_uidvalidity))).all()}
        text_ids = set((await conn.execute(select(message_texts.c.message_id))).scalars())
    stored_keys = set(await blob_store.keys())

    problems: list[str] = []
    folder_by_id = {f.id: f for f in folder_rows}
    by_folder: dict[int, list[Any]] = defaultdict(list)
    for m in message_rows:
        by_folder[m.folder_id].append(m)
    tombs_by_folder: dict[int, list[Any]] = defaultdict(list)
    for t in tombstones:
        tombs_by_folder[t.folder_id].append(t)

    uidvalidities: dict[int, list[int]] = defaultdict(list)
    for f in folder_rows:
        uidvalidities[f.mailbox_id].append(f.uidvalidity)
        mailbox = mailbox_rows[f.mailbox_id]
        rows = by_folder.get(f.id, [])
        tombs = tombs_by_folder.get(f.id, [])
        uids = [m.uid for m in rows]
        if len(uids) != len(set(uids)):
            problems.append(f"folder {f.id}: duplicate UIDs")
        for uid in uids:
            if not 1 <= uid < f.uidnext:
                problems.append(f"folder {f.id}: UID {uid} outside [1, UIDNEXT {f.uidnext})")
        live = set(uids)
        for t in tombs:
            if t.uid >= f.uidnext:
                problems.append(f"folder {f.id}: tombstone UID {t.uid} >= UIDNEXT")
            if t.uid in live:
                problems.append(f"folder {f.id}: UID {t.uid} reused after expunge")
        modseqs = [m.modseq for m in rows] + [t.modseq for t in tombs]
        if modseqs and max(modseqs) > f.highestmodseq:
            problems.append(f"folder {f.id}: HIGHESTMODSEQ {f.highestmodseq} < MODSEQ {max(modseqs)}")
        if f.highestmodseq > mailbox.modseq:
            problems.append(
                f"folder {f.id}: HIGHESTMODSEQ {f.highestmodseq} > mailbox MODSEQ {mailbox.modseq}"
            )
        counts = (
            len(rows),
            sum(1 for m in rows if not m.seen),
            sum(m.size for m in rows),
        )
        if counts != (f.message_count, f.unseen_count, f.total_bytes):
            problems.append(
                f"folder {f.id}: counters {(f.message_count, f.unseen_count, f.total_bytes)} != rows {counts}"
            )
    for mailbox_id, values in uidvalidities.items():
        if len(values) != len(set(values)):
            problems.append(f"mailbox {mailbox_id}: duplicate UIDVALIDITY")
        if max(values) > last_uidvalidity.get(mailbox_id, 0):
            problems.append(f"mailbox {mailbox_id}: UIDVALIDITY above the last handed out")

    used: Counter[int] = Counter()
    for m in message_rows:
        used[m.mailbox_id] += m.size
        folder = folder_by_id.get(m.folder_id)
        if folder is None or folder.mailbox_id != m.mailbox_id:
            problems.append(f"message {m.id}: folder {m.folder_id} is not in mailbox {m.mailbox_id}")
        if m.modseq > mailbox_rows[m.mailbox_id].modseq:
            problems.append(f"message {m.id}: MODSEQ above the mailbox MODSEQ")
        blob = blob_rows.get(m.blob_sha256)
        if blob is not None and m.size != len(m.prefix or b"") + blob.size:
            problems.append(f"message {m.id}: size {m.size} != prefix + blob")
        if m.id not in text_ids:
            problems.append(f"message {m.id}: no search text row")
        if m.blob_sha256 not in stored_keys:
            problems.append(f"message {m.id}: blob {m.blob_sha256[:12]} missing from the blob store")
    for mailbox_id, row in mailbox_rows.items():
        if row.used_bytes != used.get(mailbox_id, 0):
            problems.append(f"mailbox {mailbox_id}: used_bytes {row.used_bytes} != {used.get(mailbox_id, 0)}")
    orphan_texts = text_ids - {m.id for m in message_rows}
    if orphan_texts:
        problems.append(f"search text rows without message: {sorted(orphan_texts)[:5]}")

    refs = Counter(m.blob_sha256 for m in message_rows)
    for key, blob in blob_rows.items():
        if blob.refcount != refs.get(key, 0):
            problems.append(f"blob {key[:12]}: refcount {blob.refcount} != {refs.get(key, 0)} references")
    return problems


async def check_store_invariants(db: Database, blob_store: BlobStore) -> None:
    """Fail with the full list of violations, if any."""
    problems = await store_problems(db, blob_store)
    assert not problems, "mail store invariants violated:\n" + "\n".join(problems)
