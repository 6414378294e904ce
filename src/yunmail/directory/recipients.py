"""Recipient resolution for SMTP RCPT and delivery: a hosted address -> the mailbox ids it reaches.

This is on the SMTP hot path: one indexed lookup in ``addresses`` (joined with the mailbox status),
plus one more for a group's entries. Domains are matched case-insensitively (and as IDN A-labels);
local parts are matched case-insensitively too, because every hosted local part is stored in lower
case. The address space is platform-wide, so this is the one directory entry point that does not
take an enterprise id: the result names the enterprise that owns the address.
"""

from __future__ import annotations

from yunmail.directory.addressing import canonical_address
from yunmail.directory.model import Recipient
from yunmail.storage import Database
from yunmail.storage.repos import addresses as address_rows

_IN_RECYCLE_BIN = ("recycled", "purging")


class Recipients:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def resolve(self, address: str) -> Recipient | None:
        """Where mail to ``address`` goes; None when nothing here holds it.

        A mailbox (or an alias of one) in the recycle bin resolves with ``recycled=True``: refuse the
        mail with ``Recipient.require_deliverable()`` (MailboxRecycled).
        """
        canonical = canonical_address(address)
        if canonical is None:
            return None
        async with self._db.read() as conn:
            holder = await address_rows.occupant(conn, canonical)
            if holder is None:
                return None
            enterprise_id = int(holder["enterprise_id"])
            if holder["kind"] == "group":
                ids, external = await address_rows.group_targets(conn, int(holder["group_id"]))
                return Recipient(
                    address=canonical,
                    enterprise_id=enterprise_id,
                    kind="group",
                    mailbox_ids=tuple(dict.fromkeys(ids)),
                    external=tuple(dict.fromkeys(external)),
                )
        kind = "alias" if holder["kind"] == "alias" else "mailbox"
        if holder["mailbox_status"] in _IN_RECYCLE_BIN:
            return Recipient(address=canonical, enterprise_id=enterprise_id, kind=kind, recycled=True)
        return Recipient(
            address=canonical,
            enterprise_id=enterprise_id,
            kind=kind,
            mailbox_ids=(int(holder["mailbox_id"]),),
        )
