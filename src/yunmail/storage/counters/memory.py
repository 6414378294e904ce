"""In-process counters for embedded mode and tests; one asyncio loop, so no lock is needed."""

from __future__ import annotations

from collections.abc import Sequence

from yunmail.storage.counters.base import CounterCheck, CounterResult, window_start


class MemoryCounters:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}

    def _current(self, key: str, window_seconds: int, now: float) -> int:
        start = window_start(now, window_seconds)
        stored = self._windows.get(key)
        return stored[1] if stored is not None and stored[0] == start else 0

    async def consume(self, checks: list[CounterCheck], now: float) -> CounterResult:
        current = [self._current(c.key, c.window_seconds, now) for c in checks]
        for check, count in zip(checks, current, strict=True):
            if count + check.amount > check.limit:
                return CounterResult(False, tuple(current), check.key)
        totals = []
        for check, count in zip(checks, current, strict=True):
            total = count + check.amount
            self._windows[check.key] = (window_start(now, check.window_seconds), total)
            totals.append(total)
        return CounterResult(True, tuple(totals))

    async def peek(self, key: str, window_seconds: int, now: float) -> int:
        return self._current(key, window_seconds, now)

    async def peek_many(self, keys: Sequence[tuple[str, int]], now: float) -> tuple[int, ...]:
        return tuple(self._current(key, window, now) for key, window in keys)

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)
