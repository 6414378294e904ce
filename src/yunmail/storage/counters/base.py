"""The ``Counters`` port: atomic "add n if the total stays within the limit" over a time window.

Several limits must hold together (per message, per 15 minutes, per day, enterprise-wide), so the
port takes a batch of checks and applies all of them or none: a rejected message never consumes
part of a quota, and parallel sessions cannot overrun a limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CounterCheck:
    key: str
    amount: int
    limit: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class CounterResult:
    allowed: bool
    counts: tuple[int, ...]  # totals after the operation (or current totals when refused)
    refused_key: str | None = None


class Counters(Protocol):
    async def consume(self, checks: list[CounterCheck], now: float) -> CounterResult:
        """Add every ``amount`` if every window stays within its limit; otherwise add nothing."""
        ...

    async def peek(self, key: str, window_seconds: int, now: float) -> int: ...

    async def peek_many(self, keys: Sequence[tuple[str, int]], now: float) -> tuple[int, ...]:
        """The current count of each ``(key, window_seconds)``, in order, in one round trip."""
        ...

    async def reset(self, key: str) -> None: ...


def window_start(now: float, window_seconds: int) -> int:
    return int(now // window_seconds) * window_seconds
