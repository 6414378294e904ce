"""Domain verification against the real in-process DNS server: one zone per case (PRODUCT §4)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from yunmail.domains.diagnose import RecordState
from yunmail.domains.verify import DomainState
from yunmail.mailauth.records import RecordPurpose

DOMAIN = "example.com"
SELECTOR = "ym1"
TOKEN = "yunmail-verification=3f9c2b7d"


async def test_all_records_correct_is_verified(published: Any) -> None:
    published.full(DOMAIN)
    check = await published.check(DOMAIN)
    assert check.state is DomainState.VERIFIED
    assert {s.purpose: s.state for s in check.records} == {
        RecordPurpose.MX: RecordState.OK,
        RecordPurpose.SPF: RecordState.OK,
        RecordPurpose.DKIM: RecordState.OK,
        RecordPurpose.DMARC: RecordState.OK,
        RecordPurpose.WEBMAIL: RecordState.OK,
    }
    assert check.codes == set()
    assert check.zone == DOMAIN
    json.dumps(check.as_dict())  # the CLI's --json output


async def test_ownership_token_verifies_ownership_mode(published: Any) -> None:
    published.server.add(f"_dnsauth.{DOMAIN}", "TXT", TOKEN)
    published.server.add(DOMAIN, "MX", "10 mxbiz1.qq.com.")  # the old provider keeps serving
    check = await published.check(DOMAIN, mode="ownership")
    assert check.state is DomainState.VERIFIED
    (token,) = check.record(RecordPurpose.OWNERSHIP)
    assert (token.state, token.label, token.found) == (RecordState.OK, "_dnsauth", (TOKEN,))


@pytest.mark.parametrize("purpose", ["mx", "spf", "dkim"])
async def test_each_missing_required_record_is_reported(published: Any, purpose: str) -> None:
    published.full(DOMAIN, skip=(purpose,))
    check = await published.check(DOMAIN)
    assert check.state is DomainState.UNVERIFIED
    statuses = check.record(purpose)
    assert statuses and all(s.state is RecordState.MISSING for s in statuses)
    assert all(s.error_codes == ["RECORD_MISSING"] for s in statuses)
    assert "Add a" in statuses[0].instructions[0].en and "添加" in statuses[0].instructions[0].zh
    others = [s for s in check.records if s.purpose != purpose]
    assert all(s.state is RecordState.OK for s in others)


async def test_missing_dmarc_and_webmail_do_not_block_verification(published: Any) -> None:
    published.full(DOMAIN, skip=("dmarc", "webmail"))
    check = await published.check(DOMAIN)
    assert check.state is DomainState.VERIFIED
    (dmarc,) = check.record(RecordPurpose.DMARC)
    assert (dmarc.state, dmarc.warning_codes) == (RecordState.MISSING, ["DMARC_RECOMMENDED"])
    (webmail,) = check.record(RecordPurpose.WEBMAIL)
    assert (webmail.state, webmail.warning_codes) == (RecordState.MISSING, ["RECORD_MISSING"])


async def test_missing_ownership_token(published: Any) -> None:
    published.server.add(DOMAIN, "A", "192.0.2.1")
    check = await published.check(DOMAIN, mode="ownership")
    assert check.state is DomainState.UNVERIFIED
    (token,) = check.record(RecordPurpose.OWNERSHIP)
    assert token.error_codes == ["RECORD_MISSING"]


async def test_token_with_a_stray_space_is_wrong_and_says_so(published: Any) -> None:
    published.server.add(f"_dnsauth.{DOMAIN}", "TXT", TOKEN + " ")
    check = await published.check(DOMAIN, mode="ownership")
    (token,) = check.record(RecordPurpose.OWNERSHIP)
    assert token.state is RecordState.WRONG
    (finding,) = token.errors
    assert finding.code == "VALUE_STRAY_SPACES"
    assert "at the end" in finding.text.en and "结尾" in finding.text.zh
    assert token.found == (TOKEN + " ",)


async def test_spf_with_a_leading_space_is_not_an_spf_record(published: Any) -> None:
    published.full(DOMAIN, skip=("spf",))
    published.server.add(DOMAIN, "TXT", " v=spf1 include:_spf.yunmail.test ~all")
    (spf,) = (await published.check(DOMAIN)).record(RecordPurpose.SPF)
    assert (spf.state, spf.error_codes) == (RecordState.WRONG, ["VALUE_STRAY_SPACES"])


async def test_old_provider_mx_still_present_is_a_conflict(published: Any) -> None:
    published.full(DOMAIN)
    published.server.add(DOMAIN, "MX", "5 mxbiz1.qq.com.")
    published.server.add(DOMAIN, "MX", "10 mxbiz2.qq.com.")
    check = await published.check(DOMAIN)
    assert check.state is DomainState.UNVERIFIED
    for status in check.record(RecordPurpose.MX):
        assert status.state is RecordState.CONFLICT
        (finding,) = status.errors
        assert finding.code == "MX_OTHER_PROVIDER"
        assert "Tencent" in finding.text.en and "mxbiz1.qq.com" in finding.text.en
        assert any("5 mxbiz1.qq.com" in text.en for text in status.instructions)


async def test_two_spf_records_conflict_and_a_merge_is_proposed(published: Any) -> None:
    published.full(DOMAIN)
    published.server.add(DOMAIN, "TXT", "v=spf1 include:spf.mail.qq.com -all")
    (spf,) = (await published.check(DOMAIN)).record(RecordPurpose.SPF)
    assert (spf.state, spf.error_codes) == (RecordState.CONFLICT, ["SPF_MULTIPLE"])
    merged = spf.errors[0].params["merged"]
    assert merged == "v=spf1 include:_spf.yunmail.test include:spf.mail.qq.com ~all"


async def test_cname_sharing_its_name_with_other_records(published: Any) -> None:
    published.full(DOMAIN)
    published.server.add(f"mail.{DOMAIN}", "A", "198.51.100.80")
    (webmail,) = (await published.check(DOMAIN)).record(RecordPurpose.WEBMAIL)
    assert webmail.state is RecordState.CONFLICT
    assert webmail.warning_codes == ["CNAME_CONFLICT"]  # the webmail name is optional
    assert "A" in webmail.warnings[0].text.en


async def test_address_record_where_the_cname_should_be(published: Any) -> None:
    published.full(DOMAIN, skip=("webmail",))
    published.server.add(f"mail.{DOMAIN}", "A", "198.51.100.80")
    (webmail,) = (await published.check(DOMAIN)).record(RecordPurpose.WEBMAIL)
    assert webmail.state is RecordState.CONFLICT
    assert webmail.error_codes == ["CNAME_CONFLICT"]
    assert [t.en.split(":")[0] for t in webmail.instructions] == [
        "Delete the A record at host 'mail'",
        "Add a CNAME record",
    ]


async def test_cname_at_the_apex_blocks_verification(published: Any) -> None:
    published.full(DOMAIN)
    published.server.add(DOMAIN, "CNAME", "other.example.net.")
    check = await published.check(DOMAIN)
    assert check.state is DomainState.UNVERIFIED
    assert [f.code for f in check.errors] == ["CNAME_CONFLICT"]


async def test_idn_domain_verifies_under_its_a_label(published: Any) -> None:
    a_label = "xn--fsqu00a.xn--0zwm56d"
    published.full(a_label)
    check = await published.check("例子.测试")
    assert check.domain == a_label
    assert check.state is DomainState.VERIFIED
    (dkim,) = check.record(RecordPurpose.DKIM)
    assert (dkim.host, dkim.label) == (f"{SELECTOR}._domainkey.{a_label}", f"{SELECTOR}._domainkey")


async def test_spf_needing_more_than_ten_lookups(published: Any) -> None:
    published.full(DOMAIN, skip=("spf",))
    includes = " ".join(f"include:s{i}.spf.test" for i in range(10))
    published.server.add(DOMAIN, "TXT", f"v=spf1 include:_spf.yunmail.test {includes} ~all")
    for i in range(10):
        published.server.add(f"s{i}.spf.test", "TXT", "v=spf1 ip4:203.0.113.0/24 -all")
    (spf,) = (await published.check(DOMAIN)).record(RecordPurpose.SPF)
    assert (spf.state, spf.error_codes) == (RecordState.WRONG, ["SPF_LOOKUP_LIMIT"])
    assert "11" in spf.errors[0].text.en


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB!!", "DKIM_BAD_BASE64"),
        ("v=DKIM1; k=ed25519; p={p}", "DKIM_KEY_TYPE_MISMATCH"),
        ("v=DKIM1; k=rsa", "DKIM_KEY_MISSING"),
        ("v=DKIM1; k=rsa; p={cut}", "DKIM_KEY_UNPARSABLE"),
    ],
)
async def test_malformed_dkim_record(published: Any, value: str, code: str) -> None:
    published.full(DOMAIN, skip=("dkim",))
    p = published.key.public_key_b64()
    text = value.format(p=p, cut=p[:200])
    published.server.add(f"{SELECTOR}._domainkey.{DOMAIN}", "TXT", text)
    (dkim,) = (await published.check(DOMAIN)).record(RecordPurpose.DKIM)
    assert dkim.state is RecordState.WRONG
    assert code in dkim.error_codes


async def test_mx_target_that_lost_its_final_dot(published: Any) -> None:
    published.full(DOMAIN, skip=("mx",))
    published.server.add(DOMAIN, "MX", f"10 mx1.yunmail.test.{DOMAIN}.")
    published.server.add(DOMAIN, "MX", "20 mx2.yunmail.test.")
    check = await published.check(DOMAIN)
    first, second = check.record(RecordPurpose.MX)
    assert (first.state, first.error_codes) == (RecordState.WRONG, ["TARGET_MISSING_TRAILING_DOT"])
    assert second.state is RecordState.OK


async def test_host_typed_with_the_domain_appended(published: Any) -> None:
    published.full(DOMAIN, skip=("dmarc",))
    published.server.add(f"_dmarc.{DOMAIN}.{DOMAIN}", "TXT", "v=DMARC1; p=quarantine")
    (dmarc,) = (await published.check(DOMAIN)).record(RecordPurpose.DMARC)
    assert (dmarc.state, dmarc.error_codes) == (RecordState.WRONG, ["HOST_INCLUDES_DOMAIN"])
    assert "'_dmarc'" in dmarc.errors[0].text.en


async def test_missing_records_name_the_dns_host_of_the_domain(published: Any) -> None:
    published.server.add_zone(DOMAIN, ns=["f1g1ns1.dnspod.net.", "f1g1ns2.dnspod.net."])
    published.server.add(DOMAIN, "A", "192.0.2.1")
    check = await published.check(DOMAIN)
    assert check.nameservers == ("f1g1ns1.dnspod.net", "f1g1ns2.dnspod.net")
    (hosted,) = [f for f in check.warnings if f.code == "DNS_HOSTED_AT"]
    assert "DNSPod" in hosted.text.en and "f1g1ns1.dnspod.net" in hosted.text.zh


async def test_domain_that_does_not_exist(published: Any) -> None:
    published.server.add_zone("test")
    check = await published.check("nonexistent-domain.test")
    assert check.state is DomainState.UNVERIFIED
    assert [f.code for f in check.errors] == ["DOMAIN_NOT_FOUND"]
    assert check.zone == "test"


async def test_subdomain_mail_domain_uses_labels_of_the_parent_zone(published: Any) -> None:
    published.server.add_zone(DOMAIN)
    published.full(f"corp.{DOMAIN}", own_zone=False)
    check = await published.check(f"corp.{DOMAIN}")
    assert check.zone == DOMAIN
    assert check.state is DomainState.VERIFIED
    (dmarc,) = check.record(RecordPurpose.DMARC)
    assert dmarc.label == "_dmarc.corp"
    assert any(text.en.startswith(f"corp.{DOMAIN} is part of the DNS zone") for text in check.instructions)


async def test_dns_failure_leaves_the_domain_unknown(published: Any) -> None:
    published.full(DOMAIN)
    published.server.fail.add((f"{SELECTOR}._domainkey.{DOMAIN}", "TXT"))
    check = await published.check(DOMAIN)
    assert check.state is DomainState.UNKNOWN
    (dkim,) = check.record(RecordPurpose.DKIM)
    assert (dkim.state, dkim.warning_codes) == (RecordState.UNKNOWN, ["DNS_LOOKUP_FAILED"])


async def test_www_typed_into_the_domain_is_flagged(published: Any) -> None:
    published.full(f"www.{DOMAIN}")
    check = await published.check(f"www.{DOMAIN}")
    (www,) = [f for f in check.warnings if f.code == "DOMAIN_HAS_WWW"]
    assert www.params["suggestion"] == DOMAIN
