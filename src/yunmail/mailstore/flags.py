"""Message flags: the five storable system flags, keyword syntax, and applying add/remove/replace.

System flags live in boolean columns, keywords in a JSON list. Keywords keep the spelling they were
first stored with and compare case-insensitively (RFC 9051 §2.3.2 treats flag names that way).
``\\Recent`` is a session flag the IMAP layer computes; it is refused here like any unknown system flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from yunmail.errors import InvalidInput
from yunmail.mailstore.model import FlagMode

SEEN = "\\Seen"
ANSWERED = "\\Answered"
FLAGGED = "\\Flagged"
DELETED = "\\Deleted"
DRAFT = "\\Draft"

# Canonical spelling -> column name.
SYSTEM_FLAGS = {SEEN: "seen", ANSWERED: "answered", FLAGGED: "flagged", DELETED: "deleted", DRAFT: "draft"}
_BY_LOWER = {name.lower(): name for name in SYSTEM_FLAGS}
# RFC 9051 §9 atom-specials (plus "]" resp-specials) may not appear in a keyword.
_KEYWORD_FORBIDDEN = frozenset('(){ %*"\\]')
MAX_KEYWORD_LENGTH = 128
MAX_KEYWORDS = 100


@dataclass(frozen=True, slots=True)
class FlagSet:
    """Validated flags: canonical system flags and keywords (first spelling kept)."""

    system: frozenset[str]
    keywords: tuple[str, ...]

    def names(self) -> frozenset[str]:
        return self.system | frozenset(self.keywords)


def parse_flags(flags: Iterable[str]) -> FlagSet:
    """Validate client-supplied flags; ``InvalidInput`` for unknown system flags or bad keywords."""
    system: set[str] = set()
    keywords: dict[str, str] = {}
    for flag in flags:
        if flag.startswith("\\"):
            canonical = _BY_LOWER.get(flag.lower())
            if canonical is None:
                raise InvalidInput(detail=f"flag {flag} cannot be stored")
            system.add(canonical)
            continue
        if (
            not flag
            or len(flag) > MAX_KEYWORD_LENGTH
            or any(ch in _KEYWORD_FORBIDDEN or not (0x21 <= ord(ch) <= 0x7E) for ch in flag)
        ):
            raise InvalidInput(detail=f"keyword {flag!r} is not a valid atom")
        keywords.setdefault(flag.lower(), flag)
    if len(keywords) > MAX_KEYWORDS:
        raise InvalidInput(detail=f"at most {MAX_KEYWORDS} keywords per message")
    return FlagSet(frozenset(system), tuple(keywords.values()))


def flags_of_row(row: Any) -> frozenset[str]:
    """The flag names of a message row (system flag columns + keyword list)."""
    names = {name for name, column in SYSTEM_FLAGS.items() if getattr(row, column)}
    names.update(row.keywords)
    return frozenset(names)


def apply_flags(
    current_system: Mapping[str, bool], current_keywords: Sequence[str], change: FlagSet, mode: FlagMode
) -> tuple[dict[str, bool], list[str]]:
    """New (column -> bool, keywords) after applying ``change`` with ``mode`` to the current state."""
    if mode is FlagMode.REPLACE:
        system = {column: name in change.system for name, column in SYSTEM_FLAGS.items()}
        return system, list(change.keywords)
    system = dict(current_system)
    wanted = mode is FlagMode.ADD
    for name in change.system:
        system[SYSTEM_FLAGS[name]] = wanted
    lowered = {k.lower() for k in change.keywords}
    if wanted:
        have = {k.lower() for k in current_keywords}
        keywords = list(current_keywords) + [k for k in change.keywords if k.lower() not in have]
        if len(keywords) > MAX_KEYWORDS:
            raise InvalidInput(detail=f"at most {MAX_KEYWORDS} keywords per message")
    else:
        keywords = [k for k in current_keywords if k.lower() not in lowered]
    return system, keywords
