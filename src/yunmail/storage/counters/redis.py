"""Rate counters in Redis for scale-out mode: one Lua script checks every window, then counts.

Each counter key is a Redis hash ``{w: window_start, c: count}`` under a prefix. Redis runs a script
atomically, so "check all, then increment all" cannot interleave with another node's consume. A hash
whose ``w`` is not the current window's start counts as zero. Keys expire when their window ends
(measured from the ``now`` the caller passes, so a test's fake time never deletes a live window).

Redis Cluster would need every key of one consume in a single hash slot; yunmail targets one Redis
(or a replicated primary), where that does not arise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from yunmail.storage.counters.base import CounterCheck, CounterResult, window_start

# ARGV holds four values per key: window start, amount, limit, ttl seconds.
# Reply: {allowed (1/0), index of the refused key (1-based, 0 when allowed), count per key...}.
_CONSUME = """
local n = #KEYS
local current = {}
for i = 1, n do
  local stored = redis.call('HMGET', KEYS[i], 'w', 'c')
  if stored[1] == ARGV[(i - 1) * 4 + 1] and stored[2] then
    current[i] = tonumber(stored[2])
  else
    current[i] = 0
  end
end
for i = 1, n do
  local base = (i - 1) * 4
  if current[i] + tonumber(ARGV[base + 2]) > tonumber(ARGV[base + 3]) then
    local refused = {0, i}
    for j = 1, n do refused[#refused + 1] = current[j] end
    return refused
  end
end
local done = {1, 0}
for i = 1, n do
  local base = (i - 1) * 4
  local total = current[i] + tonumber(ARGV[base + 2])
  redis.call('HSET', KEYS[i], 'w', ARGV[base + 1], 'c', total)
  redis.call('EXPIRE', KEYS[i], ARGV[base + 4])
  done[#done + 1] = total
end
return done
"""


class RedisCounters:
    """The ``Counters`` port on Redis, shared by every node."""

    def __init__(self, url: str, *, prefix: str = "yunmail:counters:") -> None:
        self._redis: Redis = Redis.from_url(url, decode_responses=True)
        self._prefix = prefix
        self._consume = self._redis.register_script(_CONSUME)

    async def consume(self, checks: list[CounterCheck], now: float) -> CounterResult:
        if not checks:
            return CounterResult(True, ())
        keys: list[str] = []
        args: list[int] = []
        for check in checks:
            start = window_start(now, check.window_seconds)
            # Seconds left in the window, plus one so the key outlives rounding at the boundary.
            ttl = max(1, math.ceil(start + check.window_seconds - now) + 1)
            keys.append(self._prefix + check.key)
            args.extend((start, check.amount, check.limit, ttl))
        reply: list[Any] = await self._consume(keys=keys, args=args)
        allowed, refused_index, *counts = (int(v) for v in reply)
        refused_key = checks[refused_index - 1].key if not allowed else None
        return CounterResult(bool(allowed), tuple(counts), refused_key)

    async def peek(self, key: str, window_seconds: int, now: float) -> int:
        stored, count = await self._redis.hmget(self._prefix + key, ["w", "c"])
        if stored is None or count is None or int(stored) != window_start(now, window_seconds):
            return 0
        return int(count)

    async def peek_many(self, keys: Sequence[tuple[str, int]], now: float) -> tuple[int, ...]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, _ in keys:
                pipe.hmget(self._prefix + key, ["w", "c"])
            replies: list[Any] = await pipe.execute()
        counts = []
        for (_, window), (stored, count) in zip(keys, replies, strict=True):
            current = stored is not None and count is not None and int(stored) == window_start(now, window)
            counts.append(int(count) if current else 0)
        return tuple(counts)

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.aclose()
