"""Sender identities: the addresses one member may send as (own mailbox, aliases, shared mailboxes).

Two indexed queries, always scoped by ``enterprise_id``: the open mailboxes the member uses (its own
plus the shared ones it belongs to), then the aliases of those mailboxes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from yunmail.storage.repos.addresses import every
from yunmail.storage.sql.schema import aliases, mailboxes, shared_mailbox_members


async def send_as_rows(conn: AsyncConnection, enterprise_id: int, member_id: int) -> list[dict[str, Any]]:
    """``{address, mailbox_id, kind, via_alias}`` rows for every address the member may send as.

    ``kind`` is the mailbox's (``personal`` or ``shared``); mailboxes in the recycle bin are left out.
    """
    shared_ids = select(shared_mailbox_members.c.mailbox_id).where(
        shared_mailbox_members.c.member_id == member_id
    )
    boxes = every(
        await conn.execute(
            select(mailboxes.c.id, mailboxes.c.address, mailboxes.c.kind).where(
                mailboxes.c.enterprise_id == enterprise_id,
                mailboxes.c.status == "open",
                or_(
                    mailboxes.c.member_id == member_id,
                    (mailboxes.c.kind == "shared") & mailboxes.c.id.in_(shared_ids),
                ),
            )
        )
    )
    if not boxes:
        return []
    kinds = {int(row["id"]): str(row["kind"]) for row in boxes}
    rows = [
        {"address": row["address"], "mailbox_id": int(row["id"]), "kind": row["kind"], "via_alias": False}
        for row in boxes
    ]
    alias_rows = await conn.execute(
        select(aliases.c.address, aliases.c.mailbox_id).where(
            aliases.c.enterprise_id == enterprise_id, aliases.c.mailbox_id.in_(list(kinds))
        )
    )
    for address, mailbox_id in alias_rows:
        rows.append(
            {
                "address": address,
                "mailbox_id": int(mailbox_id),
                "kind": kinds[int(mailbox_id)],
                "via_alias": True,
            }
        )
    return rows
