"""Conformance suite for the ``Counters`` port: limits per window, roll-over, all-or-nothing, races.

``make_counters()`` must return an async context manager yielding a ``Counters`` implementation.
Every check uses fresh random keys, so implementations backed by a shared server need no wiping
between checks. Time is always passed in (``now``); nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from yunmail.storage.counters.base import CounterCheck, CounterResult, Counters

MakeCounters = Callable[[], AbstractAsyncContextManager[Counters]]
CounterConformance = Callable[[MakeCounters], Awaitable[None]]

# Midnight UTC, so the 60 s, 15 min, hour and day windows all start here.
T0 = 86400.0 * 19675
MINUTE = 60
DAY = 86400


def fresh_key(name: str) -> str:
    return f"{name}:{secrets.token_hex(6)}"


def check(key: str, amount: int = 1, limit: int = 10, window: int = MINUTE) -> CounterCheck:
    return CounterCheck(key=key, amount=amount, limit=limit, window_seconds=window)


async def check_consume_within_limit_is_allowed_and_counted(make: MakeCounters) -> None:
    key = fresh_key("within")
    async with make() as counters:
        result = await counters.consume([check(key, amount=3, limit=5)], T0)
        assert result == CounterResult(allowed=True, counts=(3,), refused_key=None)
        assert await counters.peek(key, MINUTE, T0) == 3


async def check_consume_reaching_the_limit_exactly_is_allowed(make: MakeCounters) -> None:
    key = fresh_key("exact")
    async with make() as counters:
        await counters.consume([check(key, amount=3, limit=5)], T0)
        result = await counters.consume([check(key, amount=2, limit=5)], T0 + 1)
        assert result == CounterResult(allowed=True, counts=(5,), refused_key=None)


async def check_consume_over_the_limit_is_refused_and_counts_nothing(make: MakeCounters) -> None:
    key = fresh_key("over")
    async with make() as counters:
        await counters.consume([check(key, amount=4, limit=5)], T0)
        result = await counters.consume([check(key, amount=2, limit=5)], T0 + 1)
        assert result == CounterResult(allowed=False, counts=(4,), refused_key=key)
        assert await counters.peek(key, MINUTE, T0 + 1) == 4


async def check_amount_larger_than_the_limit_is_refused_on_an_empty_window(make: MakeCounters) -> None:
    key = fresh_key("huge")
    async with make() as counters:
        result = await counters.consume([check(key, amount=401, limit=400)], T0)
        assert result == CounterResult(allowed=False, counts=(0,), refused_key=key)


async def check_next_window_starts_from_zero(make: MakeCounters) -> None:
    key = fresh_key("rollover")
    async with make() as counters:
        await counters.consume([check(key, amount=5, limit=5)], T0)
        refused = await counters.consume([check(key, limit=5)], T0 + MINUTE - 0.5)
        allowed = await counters.consume([check(key, limit=5)], T0 + MINUTE)
        assert (refused.allowed, allowed) == (False, CounterResult(True, (1,), None))


async def check_peek_counts_only_the_window_of_now(make: MakeCounters) -> None:
    key = fresh_key("peek-window")
    async with make() as counters:
        await counters.consume([check(key, amount=7, limit=10)], T0 + 10)
        seen = [await counters.peek(key, MINUTE, t) for t in (T0, T0 + 59, T0 + 60, T0 + 3600)]
        assert seen == [7, 7, 0, 0]


async def check_peek_of_an_unknown_key_is_zero(make: MakeCounters) -> None:
    async with make() as counters:
        assert await counters.peek(fresh_key("unknown"), MINUTE, T0) == 0


async def check_keys_are_counted_independently(make: MakeCounters) -> None:
    first, second = fresh_key("first"), fresh_key("second")
    async with make() as counters:
        await counters.consume([check(first, amount=4)], T0)
        await counters.consume([check(second, amount=1)], T0)
        assert (await counters.peek(first, MINUTE, T0), await counters.peek(second, MINUTE, T0)) == (4, 1)


async def check_allowed_batch_counts_every_window(make: MakeCounters) -> None:
    burst, day = fresh_key("burst"), fresh_key("day")
    async with make() as counters:
        batch = [check(burst, amount=2, limit=500, window=900), check(day, amount=2, limit=1000, window=DAY)]
        await counters.consume(batch, T0)
        result = await counters.consume(batch, T0 + 5)
        assert result == CounterResult(allowed=True, counts=(4, 4), refused_key=None)
        assert [await counters.peek(burst, 900, T0 + 5), await counters.peek(day, DAY, T0 + 5)] == [4, 4]


async def check_refused_batch_leaves_every_window_untouched(make: MakeCounters) -> None:
    first, full, last = fresh_key("first"), fresh_key("full"), fresh_key("last")
    async with make() as counters:
        await counters.consume([check(full, amount=1, limit=1)], T0)
        result = await counters.consume(
            [check(first, limit=10), check(full, limit=1), check(last, limit=10)], T0 + 1
        )
        assert result == CounterResult(allowed=False, counts=(0, 1, 0), refused_key=full)
        peeks = [await counters.peek(k, MINUTE, T0 + 1) for k in (first, full, last)]
        assert peeks == [0, 1, 0]


async def check_refusal_names_the_first_failing_check(make: MakeCounters) -> None:
    small, tiny = fresh_key("small"), fresh_key("tiny")
    async with make() as counters:
        result = await counters.consume([check(small, amount=3, limit=2), check(tiny, amount=3, limit=1)], T0)
        assert result.refused_key == small


async def check_empty_batch_is_allowed(make: MakeCounters) -> None:
    async with make() as counters:
        assert await counters.consume([], T0) == CounterResult(allowed=True, counts=(), refused_key=None)


async def check_reset_clears_the_window(make: MakeCounters) -> None:
    key = fresh_key("reset")
    async with make() as counters:
        await counters.consume([check(key, amount=5, limit=5)], T0)
        await counters.reset(key)
        assert await counters.peek(key, MINUTE, T0) == 0
        result = await counters.consume([check(key, amount=5, limit=5)], T0)
        assert result == CounterResult(allowed=True, counts=(5,), refused_key=None)


async def check_reset_of_an_unknown_key_is_harmless(make: MakeCounters) -> None:
    key = fresh_key("never-used")
    async with make() as counters:
        await counters.reset(key)
        assert await counters.peek(key, MINUTE, T0) == 0


async def check_parallel_consumes_never_exceed_the_limit(make: MakeCounters) -> None:
    key = fresh_key("race")
    async with make() as counters:
        results = await asyncio.gather(*(counters.consume([check(key, limit=10)], T0) for _ in range(100)))
        granted = sorted(r.counts[0] for r in results if r.allowed)
        assert granted == list(range(1, 11))
        assert await counters.peek(key, MINUTE, T0) == 10


async def check_parallel_batches_stay_all_or_nothing(make: MakeCounters) -> None:
    burst, day = fresh_key("p-burst"), fresh_key("p-day")
    async with make() as counters:
        batch = [check(day, limit=30, window=DAY), check(burst, limit=10, window=900)]
        results = await asyncio.gather(*(counters.consume(batch, T0) for _ in range(60)))
        assert sum(r.allowed for r in results) == 10
        assert [await counters.peek(day, DAY, T0), await counters.peek(burst, 900, T0)] == [10, 10]


async def check_peek_many_reads_each_key_in_its_own_window_in_order(make: MakeCounters) -> None:
    hour, minute, unknown = fresh_key("pm-hour"), fresh_key("pm-minute"), fresh_key("pm-unknown")
    async with make() as counters:
        await counters.consume([check(hour, amount=3, window=3600), check(minute, amount=2)], T0)
        seen = await counters.peek_many([(minute, MINUTE), (unknown, MINUTE), (hour, 3600)], T0 + 90)
        assert seen == (0, 0, 3)  # the minute window has rolled over, the hour's has not


async def check_peek_many_of_the_same_key_twice_answers_twice(make: MakeCounters) -> None:
    key = fresh_key("pm-twice")
    async with make() as counters:
        await counters.consume([check(key, amount=4)], T0)
        assert await counters.peek_many([(key, MINUTE), (key, MINUTE)], T0) == (4, 4)


async def check_peek_many_of_no_keys_is_empty(make: MakeCounters) -> None:
    async with make() as counters:
        assert await counters.peek_many([], T0) == ()


COUNTER_CHECKS: tuple[CounterConformance, ...] = (
    check_consume_within_limit_is_allowed_and_counted,
    check_consume_reaching_the_limit_exactly_is_allowed,
    check_consume_over_the_limit_is_refused_and_counts_nothing,
    check_amount_larger_than_the_limit_is_refused_on_an_empty_window,
    check_next_window_starts_from_zero,
    check_peek_counts_only_the_window_of_now,
    check_peek_of_an_unknown_key_is_zero,
    check_peek_many_reads_each_key_in_its_own_window_in_order,
    check_peek_many_of_the_same_key_twice_answers_twice,
    check_peek_many_of_no_keys_is_empty,
    check_keys_are_counted_independently,
    check_allowed_batch_counts_every_window,
    check_refused_batch_leaves_every_window_untouched,
    check_refusal_names_the_first_failing_check,
    check_empty_batch_is_allowed,
    check_reset_clears_the_window,
    check_reset_of_an_unknown_key_is_harmless,
    check_parallel_consumes_never_exceed_the_limit,
    check_parallel_batches_stay_all_or_nothing,
)


async def check_counters(make_counters: MakeCounters) -> None:
    """Run the whole suite against one implementation."""
    for conformance in COUNTER_CHECKS:
        await conformance(make_counters)
