"""The background recheck worker: run_due with a FakeClock flips domains without anyone clicking (issue 6)."""

from __future__ import annotations

import datetime as dt

from domains.conftest import Site
from yunmail.domains import BROKEN, PENDING, VERIFIED, Rechecker


def _worker(site: Site) -> Rechecker:
    return Rechecker(site.registry, site.server.resolver(), site.deployment, site.clock)


async def test_record_added_after_the_first_check_is_found_by_the_background_worker(site: Site) -> None:
    domain = await site.add()
    first = await site.check(domain)  # nothing published yet
    await site.publish(domain)
    assert first.domain.next_check_at is not None

    site.clock.advance(seconds=(first.domain.next_check_at - site.clock.now()).total_seconds())
    run = await _worker(site).run_due()

    assert [(o.domain.id, o.previous_state, o.domain.state) for o in run.checked] == [
        (domain.id, PENDING, VERIFIED)
    ]


async def test_domain_not_yet_due_is_left_alone(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)

    run = await _worker(site).run_due()

    assert (run.checked, (await site.registry.get(site.enterprise_id, domain.id)).state) == ((), PENDING)


async def test_new_domain_is_checked_by_the_worker_a_minute_after_it_was_added(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)

    site.clock.advance(minutes=1)
    run = await _worker(site).run_due()

    assert [o.domain.state for o in run.checked] == [VERIFIED]


async def test_worker_finds_a_verified_domain_broken_on_its_daily_check(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)
    verified = (await site.check(domain)).domain
    site.server.remove(domain.name, "MX")
    assert verified.next_check_at is not None

    site.clock.advance(seconds=(verified.next_check_at - site.clock.now()).total_seconds())
    run = await _worker(site).run_due()

    assert [(o.domain.state, o.domain.reason[0]["codes"]) for o in run.checked] == [
        (BROKEN, ["RECORD_MISSING"])
    ]


async def test_claimed_domain_is_not_checked_twice_by_overlapping_runs(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)
    site.clock.advance(minutes=1)
    now = site.clock.now()

    claimed = await site.registry.claim_due(now, now + dt.timedelta(minutes=10), 10)
    again = await site.registry.claim_due(now, now + dt.timedelta(minutes=10), 10)

    assert (claimed, again) == ([(site.enterprise_id, domain.id)], [])


async def test_trusted_domain_is_never_rechecked_in_the_background(site: Site) -> None:
    await site.registry.add(site.enterprise_id, "trusted.test", "operator:test", trust=True)

    site.clock.advance(days=3)
    run = await _worker(site).run_due()

    assert run.checked == ()
