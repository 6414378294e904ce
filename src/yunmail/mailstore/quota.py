"""Usage accounting and the quota rule: a mailbox may hold at most ``quota_bytes`` (None = unlimited).

``used_bytes`` on the mailbox row is kept equal to the sum of its message sizes (prefix included)
by every write in the same transaction; ingest and copy refuse what would exceed the quota.
"""

from __future__ import annotations

from yunmail.errors import MailboxNotFound
from yunmail.mailstore.context import StoreContext
from yunmail.mailstore.model import Usage
from yunmail.storage.repos import folders as folder_rows
from yunmail.storage.repos import mail_state


def exceeds(used_bytes: int, quota_bytes: int | None, extra: int) -> bool:
    """Would adding ``extra`` bytes go over the quota?"""
    return quota_bytes is not None and used_bytes + extra > quota_bytes


async def usage(ctx: StoreContext, mailbox_id: int) -> Usage:
    async with ctx.db.read() as conn:
        counters = (await mail_state.read_mailboxes(conn, [mailbox_id])).get(mailbox_id)
        if counters is None:
            raise MailboxNotFound()
        rows = await folder_rows.list_folders(conn, mailbox_id)
    return Usage(counters.used_bytes, counters.quota_bytes, sum(r.message_count for r in rows))
