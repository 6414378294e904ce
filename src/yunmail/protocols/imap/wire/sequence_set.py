"""Sequence sets (RFC 9051 §9 ``sequence-set``): parse, render, membership and iteration.

A set is a tuple of ranges as the client wrote them (either order, ``*`` kept symbolic), or the
SEARCHRES marker ``$`` (RFC 5182 §2.1), which the session replaces with its saved result.
``*`` means "the largest number in use" (RFC 9051 §9: the message count for sequence numbers,
the highest UID, or UIDNEXT-1 ... the caller passes that value as ``star``). Ranges are
normalised to ``min:max`` when resolved, so ``559:*`` always includes the last UID even when 559
exceeds it (RFC 9051 §6.4.8).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from yunmail.protocols.imap.wire.errors import WireError

MAX_NUMBER = 0xFFFFFFFF  # RFC 9051 §9: nz-number and uniqueid are 32-bit unsigned

_NUMBER = rb"(?:[1-9][0-9]{0,9}|\*)"
_SET_RE = re.compile(rb"%s(?::%s)?(?:,%s(?::%s)?)*" % (_NUMBER, _NUMBER, _NUMBER, _NUMBER))


@dataclass(frozen=True, slots=True)
class SeqRange:
    """``start:stop`` as written; ``None`` stands for ``*``. A single number has start == stop."""

    start: int | None
    stop: int | None

    def __post_init__(self) -> None:
        for n in (self.start, self.stop):
            if n is not None and not 1 <= n <= MAX_NUMBER:
                raise ValueError(f"sequence number {n} is outside 1..{MAX_NUMBER}")

    def bounds(self, star: int) -> tuple[int, int]:
        """The normalised ``(low, high)`` with ``*`` replaced by ``star``."""
        a = star if self.start is None else self.start
        b = star if self.stop is None else self.stop
        return (a, b) if a <= b else (b, a)

    def render(self) -> str:
        a = "*" if self.start is None else str(self.start)
        if self.start == self.stop:
            return a
        return f"{a}:{'*' if self.stop is None else self.stop}"


@dataclass(frozen=True, slots=True)
class SequenceSet:
    """A parsed ``sequence-set``; ``saved`` is the SEARCHRES ``$`` (then ``ranges`` is empty)."""

    ranges: tuple[SeqRange, ...] = ()
    saved: bool = False

    def __post_init__(self) -> None:
        if self.saved and self.ranges:
            raise ValueError("'$' cannot be combined with other ranges")
        if not self.saved and not self.ranges:
            raise ValueError("a sequence set needs at least one range")

    # --- construction ------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: bytes | str, *, allow_saved: bool = True) -> SequenceSet:
        """Parse the whole of ``text``; raise `WireError` when it is not a sequence set."""
        data = text.encode("ascii", "replace") if isinstance(text, str) else bytes(text)
        if data == b"$":
            if not allow_saved:
                raise WireError("'$' (SEARCHRES) is not allowed here")
            return SAVED
        if not _SET_RE.fullmatch(data):
            raise WireError(f"invalid sequence set: {data[:40]!r}")
        ranges = []
        for item in data.split(b","):
            a, _, b = item.partition(b":")
            start = None if a == b"*" else int(a)
            stop = start if not b else (None if b == b"*" else int(b))
            if (start is not None and start > MAX_NUMBER) or (stop is not None and stop > MAX_NUMBER):
                raise WireError(f"sequence number out of range in {data[:40]!r}")
            ranges.append(SeqRange(start, stop))
        return cls(tuple(ranges))

    @classmethod
    def single(cls, number: int) -> SequenceSet:
        return cls((SeqRange(number, number),))

    @classmethod
    def span(cls, start: int | None, stop: int | None) -> SequenceSet:
        return cls((SeqRange(start, stop),))

    @classmethod
    def of(cls, numbers: Iterable[int]) -> SequenceSet:
        """The compact set of the given numbers, ascending runs merged (e.g. for COPYUID)."""
        items = sorted(set(numbers))
        if not items:
            raise ValueError("a sequence set needs at least one number")
        ranges: list[SeqRange] = []
        low = high = items[0]
        for n in items[1:]:
            if n == high + 1:
                high = n
                continue
            ranges.append(SeqRange(low, high))
            low = high = n
        ranges.append(SeqRange(low, high))
        return cls(tuple(ranges))

    # --- rendering -----------------------------------------------------------------------------

    def render(self) -> str:
        if self.saved:
            return "$"
        return ",".join(r.render() for r in self.ranges)

    def __str__(self) -> str:
        return self.render()

    # --- semantics -----------------------------------------------------------------------------

    @property
    def has_star(self) -> bool:
        return any(r.start is None or r.stop is None for r in self.ranges)

    def max_number(self) -> int | None:
        """The largest explicit number (``*`` ignored), e.g. to answer BAD for seq > EXISTS."""
        values = [n for r in self.ranges for n in (r.start, r.stop) if n is not None]
        return max(values) if values else None

    def intervals(self, star: int) -> list[tuple[int, int]]:
        """Sorted, merged, inclusive ``(low, high)`` intervals with ``*`` = ``star``."""
        self._require_resolved()
        spans = sorted(r.bounds(star) for r in self.ranges)
        merged: list[tuple[int, int]] = []
        for low, high in spans:
            if merged and low <= merged[-1][1] + 1:
                if high > merged[-1][1]:
                    merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        return merged

    def contains(self, number: int, star: int) -> bool:
        """Whether ``number`` is in the set when ``*`` means ``star``."""
        self._require_resolved()
        for r in self.ranges:
            low, high = r.bounds(star)
            if low <= number <= high:
                return True
        return False

    def iter_numbers(self, star: int, *, limit: int | None = None) -> Iterator[int]:
        """Ascending distinct numbers of the set within ``1..limit`` (``limit`` defaults to ``star``).

        For message sequence numbers pass the message count as ``star``: numbers beyond it are
        skipped (whether that deserves BAD is the session's decision, RFC 9051 §6.4.5).
        """
        top = star if limit is None else limit
        for low, high in self.intervals(star):
            if low > top:
                break
            yield from range(max(low, 1), min(high, top) + 1)

    def select(self, uids: Sequence[int]) -> list[int]:
        """The members of ``uids`` (ascending) that the set names; ``*`` is the last UID.

        Uses bisection per interval, so ``1:*`` over a large mailbox costs one slice.
        """
        if not uids:
            return []
        out: list[int] = []
        for low, high in self.intervals(uids[-1]):
            i = bisect.bisect_left(uids, low)
            j = bisect.bisect_right(uids, high)
            out.extend(uids[i:j])
        return out

    def _require_resolved(self) -> None:
        if self.saved:
            raise ValueError("'$' must be replaced by the saved search result first (RFC 5182)")


SAVED = SequenceSet(saved=True)
"""The SEARCHRES marker ``$`` (RFC 5182 §2.1)."""

ALL = SequenceSet((SeqRange(1, None),))
"""``1:*``."""
