"""Search in one folder: the query AST (defined beside its SQL compiler in ``storage.repos.mail_search``).

The IMAP SEARCH command translates its wire AST into these keys; keys the store cannot answer
from its cached columns (arbitrary ``HEADER name``, BCC) are for the caller to post-filter.
"""

from __future__ import annotations

from yunmail.errors import InvalidInput
from yunmail.mailstore.context import StoreContext
from yunmail.mailstore.folders import resolve_folder
from yunmail.mailstore.model import FolderRef
from yunmail.storage.repos.mail_search import (
    AllMessages,
    And,
    BodyContains,
    HasFlag,
    HeaderContains,
    HeaderLike,
    ModSeqAtLeast,
    Not,
    Or,
    Received,
    SearchKey,
    Sent,
    Size,
    TextContains,
    UidIn,
    search_uids,
)

__all__ = [
    "AllMessages",
    "And",
    "BodyContains",
    "HasFlag",
    "HeaderContains",
    "HeaderLike",
    "ModSeqAtLeast",
    "Not",
    "Or",
    "Received",
    "SearchKey",
    "Sent",
    "Size",
    "TextContains",
    "UidIn",
    "search",
]


async def search(ctx: StoreContext, mailbox_id: int, folder: FolderRef, key: SearchKey) -> list[int]:
    """UIDs of the folder's messages matching ``key``, ascending."""
    async with ctx.db.read() as conn:
        row = await resolve_folder(conn, mailbox_id, folder)
        try:
            return await search_uids(conn, row.id, key)
        except ValueError as exc:
            raise InvalidInput(detail=str(exc)) from None
