"""The mail store's public API is exactly ``__all__`` (httpx ``test_exported_members`` pattern)."""

from __future__ import annotations

import yunmail.mailstore as mailstore


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(mailstore) if not name.startswith("_")}
    submodules = {
        "changes",
        "context",
        "flags",
        "folders",
        "indexing",
        "ingest",
        "messages",
        "model",
        "parse_cache",
        "quota",
        "search",
        "store",
        "sweep",
    }
    assert public - submodules == set(mailstore.__all__)


def test_all_is_locked() -> None:
    assert sorted(mailstore.__all__) == sorted(
        [
            "ANSWERED", "DEFAULT_MAX_MESSAGE_BYTES", "DELETED", "DRAFT", "FLAGGED", "INBOX", "SEEN",
            "SEPARATOR",
            "AllMessages", "And", "BodyContains", "Change", "ChangeSet", "ChangeSubscription", "Changed",
            "CopyResult", "ExpungeResult", "FlagMode", "FlagUpdate", "Folder", "FolderRef", "FolderStatus",
            "HasFlag", "HeaderContains", "IngestItem", "IngestResult", "MailStore", "MessageFlags",
            "MessageInfo", "MessageSummary", "ModSeqAtLeast", "Not", "Or", "Received", "Resync", "SearchKey",
            "Sent", "Size", "SpecialUse", "StoredParse", "TextContains", "UidIn", "UidSet", "Usage",
            "parsed_message",
        ]
    )  # fmt: skip
