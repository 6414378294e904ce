"""Saved domain checks against the test DNS server: states, per-record status, audit, events (issue 6)."""

from __future__ import annotations

import pytest

from domains.conftest import Site
from yunmail.domains import BROKEN, OWNERSHIP_VERIFIED, PENDING, VERIFIED
from yunmail.events import DomainStateChanged


async def test_domain_with_every_record_correct_becomes_verified(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)

    outcome = await site.check(domain)

    assert (outcome.previous_state, outcome.domain.state) == (PENDING, VERIFIED)
    assert outcome.domain.verified_at == site.clock.now()


async def test_verification_is_published_as_a_state_change_event(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)
    subscription = await site.bus.subscribe([f"enterprise:{site.enterprise_id}"])

    await site.check(domain)

    assert await subscription.get() == DomainStateChanged(site.enterprise_id, domain.id, PENDING, VERIFIED)


async def test_verification_is_written_to_the_audit_log(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)

    await site.check(domain)

    latest = (await site.audit())[0]
    assert (latest["action"], latest["target"], latest["detail"]["from"], latest["detail"]["to"]) == (
        "domain.state",
        "acme.test",
        PENDING,
        VERIFIED,
    )


@pytest.mark.parametrize("purpose", ["mx", "spf", "dkim"])
async def test_each_missing_required_record_keeps_the_domain_pending_with_the_reason(
    site: Site, purpose: str
) -> None:
    domain = await site.add()
    await site.publish(domain, skip=(purpose,))

    outcome = await site.check(domain)

    assert outcome.domain.state == PENDING
    assert {(r["purpose"], tuple(r["codes"])) for r in outcome.domain.reason} == {
        (purpose, ("RECORD_MISSING",))
    }


async def test_record_with_a_stray_space_is_saved_as_wrong(site: Site) -> None:
    domain = await site.add(mode="ownership")
    site.server.add_zone(domain.name)
    site.server.add(f"_dnsauth.{domain.name}", "TXT", domain.ownership_token + " ")

    outcome = await site.check(domain)

    assert outcome.domain.state == PENDING
    assert outcome.domain.reason == [
        {
            "purpose": "ownership",
            "host": f"_dnsauth.{domain.name}",
            "state": "wrong",
            "codes": ["VALUE_STRAY_SPACES"],
        }
    ]


async def test_old_providers_mx_still_present_blocks_verification(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)
    site.server.add(domain.name, "MX", "5 mxbiz1.qq.com.")

    outcome = await site.check(domain)

    assert {(r["purpose"], r["state"], tuple(r["codes"])) for r in outcome.domain.reason} == {
        ("mx", "conflict", ("MX_OTHER_PROVIDER",))
    }


async def test_two_spf_records_block_verification_as_a_conflict(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)
    site.server.add(domain.name, "TXT", "v=spf1 include:spf.mail.qq.com -all")

    outcome = await site.check(domain)

    assert outcome.domain.reason == [
        {"purpose": "spf", "host": domain.name, "state": "conflict", "codes": ["SPF_MULTIPLE"]}
    ]


async def test_cname_conflict_at_the_webmail_name_is_saved_but_does_not_block_verification(
    site: Site,
) -> None:
    domain = await site.add()
    await site.publish(domain)
    site.server.add(f"mail.{domain.name}", "A", "198.51.100.80")

    outcome = await site.check(domain)

    (webmail,) = [r for r in outcome.domain.record_status["check"]["records"] if r["purpose"] == "webmail"]
    assert (outcome.domain.state, [w["code"] for w in webmail["warnings"]]) == (VERIFIED, ["CNAME_CONFLICT"])


async def test_idn_domain_is_checked_and_verified_under_its_a_label(site: Site) -> None:
    domain = await site.add("例子.测试")
    await site.publish(domain)

    outcome = await site.check(domain)

    assert (outcome.domain.name, outcome.domain.display_name, outcome.domain.state) == (
        "xn--fsqu00a.xn--0zwm56d",
        "例子.测试",
        VERIFIED,
    )


async def test_verified_domain_whose_mx_is_removed_becomes_broken_with_the_reason(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)
    await site.check(domain)
    site.server.remove(domain.name, "MX")

    outcome = await site.check(domain)

    assert (outcome.previous_state, outcome.domain.state) == (VERIFIED, BROKEN)
    assert outcome.domain.reason == [
        {"purpose": "mx", "host": domain.name, "state": "missing", "codes": ["RECORD_MISSING"]}
    ] * len(site.deployment.mx_hosts)


async def test_dns_outage_never_unverifies_a_verified_domain(site: Site) -> None:
    domain = await site.add()
    await site.publish(domain)
    await site.check(domain)
    site.server.fail.add((domain.name, "MX"))

    outcome = await site.check(domain)

    assert (outcome.check.state.value, outcome.domain.state) == ("unknown", VERIFIED)


async def test_ownership_token_verifies_an_ownership_only_domain(site: Site) -> None:
    domain = await site.add(mode="ownership")
    await site.publish(domain)

    outcome = await site.check(domain)

    assert outcome.domain.state == OWNERSHIP_VERIFIED


async def test_switch_to_full_mode_keeps_ownership_until_the_full_records_pass(site: Site) -> None:
    domain = await site.add(mode="ownership")
    await site.publish(domain)
    await site.check(domain)

    upgraded = await site.registry.change_mode(site.enterprise_id, domain.id, "full", "admin:test")
    still = await site.check(upgraded)

    assert (upgraded.mode, upgraded.state, still.domain.state) == (
        "full",
        OWNERSHIP_VERIFIED,
        OWNERSHIP_VERIFIED,
    )


async def test_upgraded_domain_becomes_fully_verified_once_its_full_records_are_published(site: Site) -> None:
    domain = await site.add(mode="ownership")
    await site.publish(domain)
    await site.check(domain)
    upgraded = await site.registry.change_mode(site.enterprise_id, domain.id, "full", "admin:test")
    await site.publish(upgraded)

    outcome = await site.check(upgraded)

    assert outcome.domain.state == VERIFIED
