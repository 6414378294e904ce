"""SPF evaluation (RFC 7208) over `FakeResolver`, plus one run through the real test DNS server."""

from __future__ import annotations

import pytest

from support.dns_server import DnsTestServer
from support.fake_resolver import FakeResolver
from yunmail.mailauth.spf import (
    SpfResult,
    SpfSyntaxError,
    check_host,
    count_lookups,
    evaluate,
    is_spf_record,
    parse_record,
)


async def _check(resolver: FakeResolver, ip: str, domain: str = "example.com") -> SpfResult:
    return (await check_host(resolver, ip, domain, f"user@{domain}", "mx.sender.test")).result


@pytest.mark.parametrize(
    ("record", "result"),
    [
        ("v=spf1 ip4:192.0.2.0/24 -all", SpfResult.PASS),
        ("v=spf1 ip4:198.51.100.1 -all", SpfResult.FAIL),
        ("v=spf1 ip4:198.51.100.1 ~all", SpfResult.SOFTFAIL),
        ("v=spf1 ip4:198.51.100.1 ?all", SpfResult.NEUTRAL),
        ("v=spf1 ip4:198.51.100.1", SpfResult.NEUTRAL),  # §4.7: no match, no redirect
        ("v=spf1 -ip4:192.0.2.10 +all", SpfResult.FAIL),
        ("v=spf1 ip6:2001:db8::/32 -all", SpfResult.FAIL),
        ("v=spf1 foo:bar -all", SpfResult.PERMERROR),  # unknown mechanism
        ("v=spf1 ip4:192.0.2.300 -all", SpfResult.PERMERROR),
        ("v=spf1 -all unknown-mod=ok", SpfResult.FAIL),  # unknown modifiers are ignored (§6)
    ],
)
async def test_directives_decide_the_result(record: str, result: SpfResult) -> None:
    assert await _check(FakeResolver(TXT={"example.com": [record]}), "192.0.2.10") is result


async def test_no_spf_record_is_none() -> None:
    resolver = FakeResolver(TXT={"example.com": ["google-site-verification=x"]})
    assert await _check(resolver, "192.0.2.10") is SpfResult.NONE
    assert await _check(FakeResolver(), "192.0.2.10") is SpfResult.NONE


async def test_two_spf_records_are_permerror() -> None:
    # §4.5
    resolver = FakeResolver(TXT={"example.com": ["v=spf1 -all", "v=spf1 +all"]})
    outcome = await check_host(resolver, "192.0.2.10", "example.com", "a@example.com")
    assert outcome.result is SpfResult.PERMERROR
    assert "2 SPF records" in (outcome.problem or "")


async def test_dns_failure_is_temperror() -> None:
    resolver = FakeResolver(TXT={"example.com": ["v=spf1 a -all"]}, fail={"a example.com"})
    assert await _check(resolver, "192.0.2.10") is SpfResult.TEMPERROR
    assert await _check(FakeResolver(timeout={"txt example.com"}), "192.0.2.10") is SpfResult.TEMPERROR


async def test_include_passes_only_on_pass_and_none_is_permerror() -> None:
    resolver = FakeResolver(
        TXT={
            "example.com": ["v=spf1 include:_spf.mail.test -all"],
            "_spf.mail.test": ["v=spf1 ip4:192.0.2.0/24 ~all"],
            "broken.test": ["v=spf1 include:missing.test -all"],
        }
    )
    assert await _check(resolver, "192.0.2.1") is SpfResult.PASS
    assert await _check(resolver, "203.0.113.1") is SpfResult.FAIL  # include softfail = no match
    assert await _check(resolver, "192.0.2.1", "broken.test") is SpfResult.PERMERROR


async def test_a_and_mx_mechanisms_with_cidr_lengths() -> None:
    resolver = FakeResolver(
        TXT={"example.com": ["v=spf1 a/24 mx:other.test//64 -all"]},
        A={"example.com": ["192.0.2.1"], "mx.other.test": ["198.51.100.5"]},
        AAAA={"mx.other.test": ["2001:db8:1::1"]},
        MX={"other.test": [(10, "mx.other.test")]},
    )
    assert await _check(resolver, "192.0.2.200") is SpfResult.PASS
    assert await _check(resolver, "198.51.100.5") is SpfResult.PASS
    assert await _check(resolver, "198.51.100.6") is SpfResult.FAIL  # mx:…//64 has no IPv4 length: /32
    assert await _check(resolver, "2001:db8:1::ffff") is SpfResult.PASS
    assert await _check(resolver, "2001:db8:2::1") is SpfResult.FAIL


async def test_redirect_is_used_when_nothing_matched() -> None:
    resolver = FakeResolver(
        TXT={
            "example.com": ["v=spf1 ip4:203.0.113.1 redirect=_spf.example.com"],
            "_spf.example.com": ["v=spf1 ip4:192.0.2.0/24 -all"],
            "all.test": ["v=spf1 -all redirect=_spf.example.com"],
            "nowhere.test": ["v=spf1 redirect=missing.test"],
        }
    )
    assert await _check(resolver, "192.0.2.1") is SpfResult.PASS
    assert await _check(resolver, "198.51.100.1") is SpfResult.FAIL
    assert await _check(resolver, "192.0.2.1", "all.test") is SpfResult.FAIL  # "all" wins over redirect
    assert await _check(resolver, "192.0.2.1", "nowhere.test") is SpfResult.PERMERROR


async def test_more_than_ten_lookups_is_permerror() -> None:
    # §4.6.4
    chain = {f"s{i}.test": [f"v=spf1 include:s{i + 1}.test -all"] for i in range(11)}
    chain["s11.test"] = ["v=spf1 ip4:192.0.2.1 -all"]
    resolver = FakeResolver(TXT={"example.com": ["v=spf1 include:s0.test -all"], **chain})
    outcome = await check_host(resolver, "192.0.2.1", "example.com", "a@example.com")
    assert outcome.result is SpfResult.PERMERROR
    assert "10 DNS lookups" in (outcome.problem or "")


async def test_more_than_two_void_lookups_is_permerror() -> None:
    record = "v=spf1 a:n1.test a:n2.test a:n3.test ip4:192.0.2.1 -all"
    resolver = FakeResolver(TXT={"example.com": [record]})
    outcome = await check_host(resolver, "192.0.2.1", "example.com", "a@example.com")
    assert outcome.result is SpfResult.PERMERROR
    assert "void" in (outcome.problem or "")


async def test_exists_with_macros() -> None:
    # §7.3 example: %{ir} reverses the IP, %{l} is the local part
    resolver = FakeResolver(
        TXT={"example.com": ["v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all"]},
        A={"1.2.0.192.strong._spf.example.com": ["127.0.0.2"]},
    )
    ok = await check_host(resolver, "192.0.2.1", "example.com", "strong-bad@example.com")
    assert ok.result is SpfResult.PASS
    other = await check_host(resolver, "192.0.2.1", "example.com", "weak@example.com")
    assert other.result is SpfResult.FAIL


async def test_ipv6_macro_uses_dotted_nibbles() -> None:
    name = "1." + "0." * 23 + "8.b.d.0.1.0.0.2.ip6.example.com"  # §7.3: 32 nibbles, reversed
    resolver = FakeResolver(
        TXT={"example.com": ["v=spf1 exists:%{ir}.%{v}.%{d} -all"]}, A={name: ["127.0.0.2"]}
    )
    assert await _check(resolver, "2001:db8::1") is SpfResult.PASS


async def test_fail_carries_the_expanded_explanation() -> None:
    # §6.2
    resolver = FakeResolver(
        TXT={
            "example.com": ["v=spf1 -all exp=explain.example.com"],
            "explain.example.com": ["%{i} is not one of %{d}'s servers"],
        }
    )
    outcome = await check_host(resolver, "192.0.2.10", "example.com", "a@example.com")
    assert outcome.result is SpfResult.FAIL
    assert outcome.explanation == "192.0.2.10 is not one of example.com's servers"


async def test_ipv4_mapped_ipv6_client_is_checked_as_ipv4() -> None:
    resolver = FakeResolver(TXT={"example.com": ["v=spf1 ip4:192.0.2.0/24 -all"]})
    assert await _check(resolver, "::ffff:192.0.2.9") is SpfResult.PASS


async def test_empty_mail_from_checks_the_helo_domain() -> None:
    # §2.4: a null reverse-path uses postmaster@<HELO>
    resolver = FakeResolver(TXT={"relay.example.com": ["v=spf1 ip4:192.0.2.9 -all"]})
    outcome = await evaluate(resolver, "192.0.2.9", "<>", "relay.example.com")
    assert outcome.result is SpfResult.PASS
    assert outcome.domain == "relay.example.com"


async def test_lookup_count_follows_every_include() -> None:
    resolver = FakeResolver(
        TXT={
            "example.com": ["v=spf1 include:a.test include:b.test mx -all"],
            "a.test": ["v=spf1 a mx include:c.test ~all"],
            "b.test": ["v=spf1 ip4:192.0.2.0/24 -all"],
            "c.test": ["v=spf1 exists:%{i}.c.test -all"],
        }
    )
    counted = await count_lookups(resolver, "example.com")
    assert (counted.lookups, counted.over_limit) == (7, False)
    counted = await count_lookups(resolver, "example.com", "v=spf1 include:missing.test -all")
    assert counted.void_lookups == 1
    assert counted.problems == ("missing.test has no SPF record",)


@pytest.mark.parametrize(
    "record",
    [
        "v=spf1 include",
        "v=spf1 a:",
        "v=spf1 ip4:192.0.2.1/33",
        "v=spf1 redirect=a.test redirect=b.test",
        "v=spf2",
    ],
)
def test_malformed_records_raise(record: str) -> None:
    with pytest.raises(SpfSyntaxError):
        parse_record(record)


def test_record_selection_needs_exact_version() -> None:
    assert is_spf_record("v=spf1") and is_spf_record("V=SPF1 -all")
    assert not is_spf_record(" v=spf1 -all") and not is_spf_record("v=spf10 -all")


async def test_evaluation_through_the_real_dns_server(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "TXT", "v=spf1 mx include:_spf.mail.test -all")
    dns_zone.add("example.com", "MX", "10 mx.example.com.")
    dns_zone.add("mx.example.com", "A", "198.51.100.25")
    dns_zone.add("_spf.mail.test", "TXT", "v=spf1 ip4:192.0.2.0/28 ip6:2001:db8::/48 -all")
    resolver = dns_zone.resolver()
    assert (await evaluate(resolver, "192.0.2.3", "a@example.com", "h")).result is SpfResult.PASS
    assert (await evaluate(resolver, "198.51.100.25", "a@example.com", "h")).result is SpfResult.PASS
    assert (await evaluate(resolver, "2001:db8::7", "a@example.com", "h")).result is SpfResult.PASS
    failed = await evaluate(resolver, "203.0.113.1", "a@example.com", "h")
    assert (failed.result, failed.matched, failed.lookups) == (SpfResult.FAIL, "-all", 2)
