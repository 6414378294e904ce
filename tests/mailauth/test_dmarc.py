"""DMARC (RFC 7489): records, organisational domains, alignment, policy discovery and results."""

from __future__ import annotations

import pytest

from support.dns_server import DnsTestServer
from support.fake_resolver import FakeResolver
from yunmail.mailauth.dkim import DkimResult, DkimVerification
from yunmail.mailauth.dmarc import (
    DmarcPolicy,
    DmarcResult,
    PublicSuffixOrgDomain,
    aligned,
    evaluate,
    heuristic_org_domain,
    lookup_policy,
    parse_record,
)
from yunmail.mailauth.spf import SpfOutcome, SpfResult


def _dkim(domain: str, result: DkimResult = DkimResult.PASS) -> DkimVerification:
    return DkimVerification(result, domain, "s")


def test_record_tags_are_parsed() -> None:
    record = parse_record("v=DMARC1; p=reject; sp=quarantine; adkim=s; pct=50; rua=mailto:a@example.com")
    assert record.policy is DmarcPolicy.REJECT
    assert record.subdomain_policy is DmarcPolicy.QUARANTINE
    assert (record.adkim, record.aspf, record.pct) == ("s", "r", 50)
    assert record.rua == ("mailto:a@example.com",)
    assert record.problems == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("v=DMARC1; rua=mailto:a@example.com", "DMARC_POLICY_MISSING"),
        ("v=DMARC1; p=block", "DMARC_POLICY_INVALID"),
        ("v=DMARC1; p=none; adkim=x", "DMARC_ALIGNMENT_INVALID"),
        ("v=DMARC1; p=none; pct=150", "DMARC_PCT_INVALID"),
        ("v=DMARC1; p=none; rua=a@example.com", "DMARC_URI_INVALID"),
        ("v=DMARC1; p", "DMARC_TAG_SYNTAX"),
    ],
)
def test_record_problems_are_reported(text: str, problem: str) -> None:
    record = parse_record(text)
    assert problem in record.problems
    assert record.policy in DmarcPolicy


@pytest.mark.parametrize(
    ("domain", "org"),
    [
        ("mail.example.com", "example.com"),
        ("a.b.example.com.cn", "example.com.cn"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("xn--fsqu00a.xn--0zwm56d", "xn--fsqu00a.xn--0zwm56d"),
        ("example.com", "example.com"),
    ],
)
def test_organisational_domain_heuristic(domain: str, org: str) -> None:
    assert heuristic_org_domain(domain) == org


def test_organisational_domain_from_the_public_suffix_list() -> None:
    finder = PublicSuffixOrgDomain()
    assert finder("a.b.example.co.uk") == "example.co.uk"
    assert finder("x.example.gov.cn") == "example.gov.cn"
    assert finder("mail.example.test") == "example.test"  # unlisted TLD: default rule "*"


def test_alignment_modes() -> None:
    # RFC 7489 §3.1.1/§3.1.2
    assert aligned("mail.example.com", "example.com", "r")
    assert not aligned("mail.example.com", "example.com", "s")
    assert aligned("example.com", "EXAMPLE.com.", "s")
    assert not aligned("example.org", "example.com", "r")


async def test_policy_falls_back_to_the_organisational_domain(dns_zone: DnsTestServer) -> None:
    dns_zone.add("_dmarc.example.com", "TXT", "v=DMARC1; p=reject; sp=quarantine")
    found = await lookup_policy(dns_zone.resolver(), "sales.example.com")
    assert found.record is not None and found.record_domain == "example.com"
    outcome = await evaluate(dns_zone.resolver(), "sales.example.com", None, [])
    assert (outcome.result, outcome.policy, outcome.disposition) == (
        DmarcResult.FAIL,
        DmarcPolicy.QUARANTINE,
        DmarcPolicy.QUARANTINE,
    )


async def test_aligned_dkim_pass_is_a_pass() -> None:
    resolver = FakeResolver(TXT={"_dmarc.example.com": ["v=DMARC1; p=reject"]})
    outcome = await evaluate(resolver, "example.com", None, [_dkim("mail.example.com")])
    assert outcome.result is DmarcResult.PASS and outcome.dkim_aligned and not outcome.spf_aligned
    assert outcome.disposition is DmarcPolicy.NONE


async def test_aligned_spf_pass_is_a_pass_but_unaligned_is_not() -> None:
    resolver = FakeResolver(TXT={"_dmarc.example.com": ["v=DMARC1; p=reject; aspf=s"]})
    strict_ok = SpfOutcome(SpfResult.PASS, "example.com")
    assert (await evaluate(resolver, "example.com", strict_ok, [])).result is DmarcResult.PASS
    sub = SpfOutcome(SpfResult.PASS, "bounce.example.com")
    failed = await evaluate(resolver, "example.com", sub, [_dkim("example.org")])
    assert (failed.result, failed.disposition) == (DmarcResult.FAIL, DmarcPolicy.REJECT)


async def test_failed_dkim_of_the_right_domain_does_not_pass() -> None:
    resolver = FakeResolver(TXT={"_dmarc.example.com": ["v=DMARC1; p=quarantine"]})
    outcome = await evaluate(resolver, "example.com", None, [_dkim("example.com", DkimResult.FAIL)])
    assert outcome.result is DmarcResult.FAIL


async def test_no_record_or_several_records_is_none() -> None:
    assert (await evaluate(FakeResolver(), "example.com", None, [])).result is DmarcResult.NONE
    several = FakeResolver(TXT={"_dmarc.example.com": ["v=DMARC1; p=reject", "v=DMARC1; p=none"]})
    outcome = await evaluate(several, "example.com", None, [])
    assert (outcome.result, outcome.problem) == (DmarcResult.NONE, "multiple DMARC records")


async def test_dns_failure_is_temperror() -> None:
    resolver = FakeResolver(fail={"txt _dmarc.example.com"})
    assert (await evaluate(resolver, "example.com", None, [])).result is DmarcResult.TEMPERROR


async def test_unsampled_failure_is_downgraded_one_step() -> None:
    # RFC 7489 §6.6.4: pct
    resolver = FakeResolver(TXT={"_dmarc.example.com": ["v=DMARC1; p=reject; pct=10"]})
    outcome = await evaluate(resolver, "example.com", None, [], sampled=False)
    assert (outcome.policy, outcome.disposition) == (DmarcPolicy.REJECT, DmarcPolicy.QUARANTINE)
