"""``SendingPolicy``: every window, all-or-nothing charges, refunds, overrides; on memory and SQL counters."""

from __future__ import annotations

import asyncio

import pytest

from yunmail.clock import FakeClock
from yunmail.errors import (
    DailySendLimitReached,
    EnterpriseSendCeilingReached,
    RecipientLimitExceeded,
    SendRateLimited,
    TooManyRecipients,
)
from yunmail.policy import SendingAccount, SendingLimits, SendingPolicy
from yunmail.storage import Counters, Database, MemoryCounters, SqlCounters

LIMITS = SendingLimits(
    max_recipients=5, burst_limit=4, daily_limit=6, shared_daily_limit=3, enterprise_daily_ceiling=8
)
MEMBER = SendingAccount(enterprise_id=1, member_id=10)
OTHER_MEMBER = SendingAccount(enterprise_id=1, member_id=11)
AS_SHARED = SendingAccount(enterprise_id=1, member_id=10, shared_mailbox_id=99)


@pytest.fixture(params=["memory", "sql"])
def counters(request: pytest.FixtureRequest, db: Database) -> Counters:
    return MemoryCounters() if request.param == "memory" else SqlCounters(db)


@pytest.fixture
def policy(counters: Counters, clock: FakeClock) -> SendingPolicy:
    return SendingPolicy(counters, clock, LIMITS)


async def test_message_within_every_window_is_charged(policy: SendingPolicy) -> None:
    charge = await policy.consume(MEMBER, 3, LIMITS)
    assert [c.amount for c in charge.checks] == [3, 3, 3]


async def test_more_recipients_than_the_cap_is_refused_before_any_counter(policy: SendingPolicy) -> None:
    with pytest.raises(RecipientLimitExceeded) as refused:
        await policy.consume(MEMBER, 6, LIMITS)
    assert refused.value.params == {"limit": 5}
    await policy.consume(MEMBER, 4, LIMITS)  # nothing was charged


def test_recipient_past_the_cap_is_too_many_recipients() -> None:
    with pytest.raises(TooManyRecipients):
        SendingPolicy.check_recipient_count(6, LIMITS)


async def test_burst_window_refusal_charges_nothing(policy: SendingPolicy) -> None:
    await policy.consume(MEMBER, 3, LIMITS)
    with pytest.raises(SendRateLimited) as refused:
        await policy.consume(MEMBER, 2, LIMITS)
    assert refused.value.params == {"limit": 4, "minutes": 15}
    await policy.consume(MEMBER, 1, LIMITS)  # exactly what is left fits


async def test_daily_limit_holds_across_burst_windows(policy: SendingPolicy, clock: FakeClock) -> None:
    await policy.consume(MEMBER, 4, LIMITS)
    clock.advance(minutes=15)
    with pytest.raises(DailySendLimitReached) as refused:
        await policy.consume(MEMBER, 3, LIMITS)
    assert refused.value.params == {"limit": 6}


async def test_daily_limit_resets_the_next_day(policy: SendingPolicy, clock: FakeClock) -> None:
    await policy.consume(MEMBER, 4, LIMITS)
    clock.advance(minutes=15)
    await policy.consume(MEMBER, 2, LIMITS)
    clock.advance(days=1)
    await policy.consume(MEMBER, 4, LIMITS)


async def test_shared_mailbox_is_charged_to_its_own_daily_window(policy: SendingPolicy) -> None:
    with pytest.raises(DailySendLimitReached) as refused:
        await policy.consume(AS_SHARED, 4, LIMITS)
    assert refused.value.params == {"limit": 3}
    await policy.consume(MEMBER, 4, LIMITS)  # the member's own windows are untouched


async def test_enterprise_ceiling_counts_every_member(policy: SendingPolicy, clock: FakeClock) -> None:
    await policy.consume(MEMBER, 4, LIMITS)
    await policy.consume(OTHER_MEMBER, 4, LIMITS)
    clock.advance(minutes=15)
    with pytest.raises(EnterpriseSendCeilingReached) as refused:
        await policy.consume(MEMBER, 1, LIMITS)
    assert refused.value.params == {"limit": 8}


async def test_refund_gives_the_charge_back(policy: SendingPolicy) -> None:
    charge = await policy.consume(MEMBER, 4, LIMITS)
    await policy.refund(charge)
    await policy.consume(MEMBER, 4, LIMITS)


async def test_refund_after_the_window_rolled_over_leaves_the_new_window_alone(
    policy: SendingPolicy, clock: FakeClock
) -> None:
    charge = await policy.consume(MEMBER, 4, LIMITS)
    clock.advance(minutes=15)
    await policy.consume(MEMBER, 1, LIMITS)
    await policy.refund(charge)  # gives back the daily 4, not the new burst window's 1
    await policy.consume(MEMBER, 3, LIMITS)
    with pytest.raises(SendRateLimited):
        await policy.consume(MEMBER, 1, LIMITS)


async def test_parallel_charges_never_overrun_a_window(policy: SendingPolicy) -> None:
    results = await asyncio.gather(
        *(policy.consume(MEMBER, 1, LIMITS) for _ in range(10)), return_exceptions=True
    )
    assert sum(1 for r in results if not isinstance(r, Exception)) == 4
    assert {type(r) for r in results if isinstance(r, Exception)} == {SendRateLimited}


def test_enterprise_settings_override_the_defaults() -> None:
    limits = SendingLimits().with_enterprise_settings(
        {"daily_send_limit": 50, "max_recipients": 20, "outbound_daily_ceiling": 900, "theme": "dark"}
    )
    assert (limits.daily_limit, limits.max_recipients, limits.enterprise_daily_ceiling) == (50, 20, 900)
    assert (limits.burst_limit, limits.shared_daily_limit) == (500, 2000)


def test_nonsense_enterprise_settings_are_ignored() -> None:
    limits = SendingLimits().with_enterprise_settings({"daily_send_limit": 0, "burst_send_limit": True})
    assert limits == SendingLimits()


def test_product_defaults() -> None:
    limits = SendingLimits()
    assert (limits.max_recipients, limits.burst_limit, limits.daily_limit, limits.shared_daily_limit) == (
        400,
        500,
        1000,
        2000,
    )
