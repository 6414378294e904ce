"""When the background worker checks a domain next: the early ladder, the back-off, daily, and the spread."""

from __future__ import annotations

import datetime as dt
import itertools

from yunmail.domains.rechecks import DAILY, LADDER, RETRY_AFTER_UNKNOWN, jitter, next_check_time

START = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def _times(domain_id: int, until: dt.timedelta) -> list[dt.timedelta]:
    """Offsets from START at which a domain that never verifies is checked, checking exactly on time."""
    now, seen = START, []
    while now - START < until:
        now = next_check_time(domain_id, settled=False, since=START, now=now)
        seen.append(now - START)
    return seen


def test_new_domain_is_first_checked_about_a_minute_after_it_was_added() -> None:
    first = next_check_time(7, settled=False, since=START, now=START) - START
    assert MINUTE <= first < MINUTE + dt.timedelta(seconds=6)


def test_unverified_domain_is_checked_often_in_the_first_hour() -> None:
    in_first_hour = [t for t in _times(7, dt.timedelta(hours=1)) if t <= dt.timedelta(hours=1)]
    assert len(in_first_hour) >= 7


def test_checks_back_off_up_to_48_hours_then_run_daily() -> None:
    times = _times(7, dt.timedelta(days=4))
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    early = [gap for t, gap in zip(times, gaps, strict=False) if t < dt.timedelta(hours=48)]
    late = [gap for t, gap in zip(times, gaps, strict=False) if t > dt.timedelta(hours=49)]
    assert max(early) <= dt.timedelta(hours=9)
    assert late and all(DAILY <= gap < DAILY + dt.timedelta(hours=1) for gap in late)


def test_every_rung_of_the_ladder_is_used_in_order_each_shifted_less_than_a_tenth_of_its_gap() -> None:
    times = _times(7, LADDER[-1])[: len(LADDER)]
    gaps = [rung - previous for previous, rung in zip((dt.timedelta(0), *LADDER), LADDER, strict=False)]
    assert all(rung <= t < rung + gap / 10 for t, rung, gap in zip(times, LADDER, gaps, strict=True))


def test_verified_domain_is_checked_daily() -> None:
    now = START + dt.timedelta(days=10)
    delay = next_check_time(7, settled=True, since=START, now=now) - now
    assert DAILY <= delay < DAILY + dt.timedelta(hours=1)


def test_verified_domain_whose_check_had_no_verdict_is_retried_soon() -> None:
    delay = next_check_time(7, settled=True, since=START, now=START, unknown=True) - START
    assert RETRY_AFTER_UNKNOWN <= delay < RETRY_AFTER_UNKNOWN + MINUTE


def test_jitter_is_the_same_for_a_domain_every_time() -> None:
    assert jitter(42, dt.timedelta(hours=1)) == jitter(42, dt.timedelta(hours=1))


def test_jitter_spreads_domains_over_the_window() -> None:
    shifts = {jitter(domain_id, dt.timedelta(hours=1)) for domain_id in range(1, 101)}
    assert len(shifts) > 90
    assert all(dt.timedelta(0) <= shift < dt.timedelta(hours=1) for shift in shifts)
