"""The stored parse of a message, decoded only when somebody reads it, and kept decoded per process.

Every message row carries its parse (``mime.ParsedMessage`` as JSON) so FETCH ENVELOPE or
BODYSTRUCTURE never re-parses the message. Decoding that JSON and rebuilding the object costs
more than the rest of a FETCH of flags, so the store hands out ``StoredParse``: the JSON text,
decoded on first use. The rebuilt ``ParsedMessage`` is kept in the store's ``ParseCache`` (an LRU
keyed by the message row id, one per ``MailStore`` and so per database); that is safe because a
row's content never changes (a copy is a new row, ids are never reused) and a moved row keeps it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

from yunmail.mime import ParsedMessage

# Decoded parses kept per store; a plain message's parse is a few KB.
CACHE_ENTRIES = 4096


class ParseCache:
    """Rebuilt ``ParsedMessage`` objects of one database's messages, least recently used dropped."""

    __slots__ = ("_decoded", "entries")

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self._decoded: OrderedDict[int, ParsedMessage] = OrderedDict()

    def get(self, message_id: int) -> ParsedMessage | None:
        found = self._decoded.get(message_id)
        if found is not None:
            self._decoded.move_to_end(message_id)
        return found

    def put(self, message_id: int, parsed: ParsedMessage) -> None:
        self._decoded[message_id] = parsed
        if len(self._decoded) > self.entries:
            self._decoded.popitem(last=False)


class StoredParse(Mapping[str, Any]):
    """The cached parse of message ``message_id``: a mapping (the JSON form) decoded lazily."""

    __slots__ = ("_cache", "_data", "_text", "message_id")

    def __init__(
        self, message_id: int, text: str | bytes | Mapping[str, Any] | None, cache: ParseCache | None = None
    ) -> None:
        self.message_id = message_id
        self._cache = cache
        if isinstance(text, Mapping):
            self._data: dict[str, Any] | None = dict(text)
            self._text: str | bytes | None = None
        else:
            self._data = None
            self._text = text

    def _mapping(self) -> dict[str, Any]:
        if self._data is None:
            try:
                loaded = json.loads(self._text) if self._text else {}
            except ValueError:
                loaded = {}
            self._data = loaded if isinstance(loaded, dict) else {}
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())

    def message(self) -> ParsedMessage | None:
        """The rebuilt ``ParsedMessage``; None when the stored form is missing or from an old format."""
        found = self._cache.get(self.message_id) if self._cache is not None else None
        if found is not None:
            return found
        data = self._mapping()
        if not data:
            return None
        try:
            parsed = ParsedMessage.from_dict(data)
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        if self._cache is not None:
            self._cache.put(self.message_id, parsed)
        return parsed


def parsed_message(info: Any) -> ParsedMessage | None:
    """The ``ParsedMessage`` of a ``MessageInfo`` (decoded once per process for stored rows)."""
    parsed = info.parsed
    if isinstance(parsed, StoredParse):
        return parsed.message()
    if not parsed:
        return None
    try:
        return ParsedMessage.from_dict(dict(parsed))
    except (ValueError, KeyError, TypeError, IndexError):
        return None
