"""Diagnosis rules as pure functions: how a value differs, providers, SPF merges, MX, DKIM, DMARC, texts."""

from __future__ import annotations

import re

import pytest

from yunmail.domains.diagnose import (
    MESSAGES,
    RecordState,
    diagnose_cname,
    diagnose_dkim,
    diagnose_dmarc,
    diagnose_domain_name,
    diagnose_mx,
    diagnose_spf,
    diagnose_text,
    dns_host,
    mail_provider,
)
from yunmail.mailauth.dkim import DkimAlgorithm, generate_key
from yunmail.mailauth.records import ExpectedRecord, RecordPurpose
from yunmail.mailauth.spf import LookupCount

TOKEN = ExpectedRecord("TXT", "_dnsauth.example.com", "ym-token-1", 600, RecordPurpose.OWNERSHIP)
SPF = ExpectedRecord("TXT", "example.com", "v=spf1 include:_spf.yunmail.test ~all", 600, RecordPurpose.SPF)
MX = ExpectedRecord("MX", "example.com", "mx1.yunmail.test", 600, RecordPurpose.MX, True, 10)
DMARC = ExpectedRecord("TXT", "_dmarc.example.com", "v=DMARC1; p=quarantine", 600, RecordPurpose.DMARC, False)
WEBMAIL = ExpectedRecord(
    "CNAME", "mail.example.com", "webmail.yunmail.test", 600, RecordPurpose.WEBMAIL, False
)
OURS = ("mx1.yunmail.test",)


@pytest.mark.parametrize(
    ("found", "code", "where"),
    [
        (" ym-token-1", "VALUE_STRAY_SPACES", "at the start"),
        ("ym-token-1  ", "VALUE_STRAY_SPACES", "at the end"),
        ("ym- token-1", "VALUE_STRAY_SPACES", "inside the value"),
        ('"ym-token-1"', "VALUE_QUOTED", None),
        ("ym-token-1.", "VALUE_EXTRA_TRAILING_DOT", None),
        ("ym-token-2", "VALUE_DIFFERS", None),
    ],
)
def test_how_a_text_value_differs(found: str, code: str, where: str | None) -> None:
    diagnosis = diagnose_text(TOKEN, [found], "_dnsauth")
    assert diagnosis.state is RecordState.WRONG
    (finding,) = diagnosis.errors
    assert finding.code == code
    if where:
        assert where in finding.text.en
    assert diagnosis.instructions[0].en == "Set the TXT record at host '_dnsauth' to exactly: ym-token-1"


def test_exact_value_among_others_is_ok() -> None:
    assert diagnose_text(TOKEN, ["other", "ym-token-1"], "_dnsauth").state is RecordState.OK
    assert diagnose_text(TOKEN, [], "_dnsauth").state is RecordState.MISSING


@pytest.mark.parametrize(
    ("host", "provider"),
    [
        ("mxbiz1.qq.com", "Tencent"),
        ("qiye163mx01.mxmail.netease.com", "NetEase"),
        ("mxhz.qiye.aliyun.com", "Alibaba"),
        ("mx1.mail.huaweicloud.com", "Huawei"),
        ("aspmx.l.google.com", "Google"),
        ("example-com.mail.protection.outlook.com", "Microsoft"),
        ("mx.example.net", None),
    ],
)
def test_mail_providers_are_named(host: str, provider: str | None) -> None:
    name = mail_provider(host)
    assert (name is None) if provider is None else (name is not None and provider in name)


def test_spf_without_our_include_gets_a_suggestion_that_keeps_the_others() -> None:
    diagnosis = diagnose_spf(SPF, "_spf.yunmail.test", ["v=spf1 include:spf.mail.qq.com mx -all"], None, "@")
    assert diagnosis.state is RecordState.WRONG
    (missing,) = diagnosis.errors
    assert missing.code == "SPF_INCLUDE_MISSING"
    assert missing.params["suggested"] == "v=spf1 include:_spf.yunmail.test include:spf.mail.qq.com mx -all"
    assert [w.code for w in diagnosis.warnings] == ["SPF_OTHER_PROVIDER"]


def test_spf_warnings_for_pass_all_ptr_and_void_lookups() -> None:
    record = "v=spf1 include:_spf.yunmail.test ptr +all"
    counted = LookupCount(3, 3, ("a.test has no SPF record",))
    diagnosis = diagnose_spf(SPF, "_spf.yunmail.test", [record], counted, "@")
    assert diagnosis.state is RecordState.WARNING
    assert [w.code for w in diagnosis.warnings] == ["SPF_VOID_LOOKUPS", "SPF_PASS_ALL", "SPF_PTR"]


def test_spf_syntax_error_and_unrelated_txt() -> None:
    broken = diagnose_spf(SPF, "_spf.yunmail.test", ["v=spf1 include: ~all"], None, "@")
    assert [e.code for e in broken.errors] == ["SPF_SYNTAX"]
    assert diagnose_spf(SPF, "_spf.yunmail.test", ["google-site-verification=1"], None, "@").state is (
        RecordState.MISSING
    )


def test_mx_priority_differs_is_a_warning() -> None:
    diagnosis = diagnose_mx(MX, [(20, "mx1.yunmail.test")], OURS, "example.com", "@")
    assert diagnosis.state is RecordState.WARNING
    assert [w.code for w in diagnosis.warnings] == ["MX_PRIORITY_DIFFERS"]


def test_null_mx_and_unknown_extra_mx() -> None:
    null = diagnose_mx(MX, [(0, ".")], OURS, "example.com", "@")
    assert [e.code for e in null.errors] == ["NULL_MX", "RECORD_MISSING"]
    extra = diagnose_mx(MX, [(10, "mx1.yunmail.test"), (5, "mail.example.net")], OURS, "example.com", "@")
    assert extra.state is RecordState.CONFLICT
    assert [e.code for e in extra.errors] == ["MX_UNKNOWN_EXTRA"]


def test_dkim_key_with_spaces_is_a_warning_and_another_key_is_wrong() -> None:
    key = generate_key(DkimAlgorithm.ED25519)
    expected = ExpectedRecord("TXT", "s._domainkey.example.com", key.txt_value(), 600, RecordPurpose.DKIM)
    p = key.public_key_b64()
    spaced = f"v=DKIM1; k=ed25519; p={p[:20]} {p[20:]}"
    diagnosis = diagnose_dkim(expected, [spaced], "s._domainkey")
    assert (diagnosis.state, [w.code for w in diagnosis.warnings]) == (
        RecordState.WARNING,
        ["VALUE_STRAY_SPACES"],
    )
    other = generate_key(DkimAlgorithm.ED25519).txt_value()
    assert [e.code for e in diagnose_dkim(expected, [other], "s._domainkey").errors] == ["DKIM_KEY_MISMATCH"]
    quoted = diagnose_dkim(expected, [f'"{key.txt_value()[:30]}" "{key.txt_value()[30:]}"'], "s._domainkey")
    assert quoted.errors[0].code == "VALUE_QUOTED"


@pytest.mark.parametrize(
    ("found", "state", "code"),
    [
        (["v=DMARC1; p=none"], RecordState.WARNING, "DMARC_POLICY_NONE"),
        (["v=DMARC1; p=reject", "v=DMARC1; p=none"], RecordState.CONFLICT, "DMARC_MULTIPLE"),
        (["v=DMARC1; p=blocked"], RecordState.WRONG, "DMARC_POLICY_INVALID"),
        (["p=reject"], RecordState.WRONG, "DMARC_NOT_DMARC"),
        ([], RecordState.MISSING, "DMARC_RECOMMENDED"),
    ],
)
def test_dmarc_rules(found: list[str], state: RecordState, code: str) -> None:
    diagnosis = diagnose_dmarc(DMARC, found, "_dmarc")
    assert diagnosis.state is state
    assert code in [f.code for f in (*diagnosis.errors, *diagnosis.warnings)]


def test_cname_pointing_elsewhere_or_missing_its_dot() -> None:
    wrong = diagnose_cname(WEBMAIL, ["old-webmail.example.net"], [], "example.com", "mail")
    assert [w.code for w in wrong.warnings] == ["VALUE_DIFFERS"]
    chopped = diagnose_cname(WEBMAIL, ["webmail.yunmail.test.example.com"], [], "example.com", "mail")
    assert [w.code for w in chopped.warnings] == ["TARGET_MISSING_TRAILING_DOT"]


def test_www_in_the_domain() -> None:
    (finding,) = diagnose_domain_name("www.example.com")
    assert finding.params["suggestion"] == "example.com"
    assert diagnose_domain_name("www.com") == []
    assert diagnose_domain_name("example.com") == []


def test_dns_host_names_known_providers_or_the_parent_domains() -> None:
    aliyun = dns_host(["dns9.hichina.com", "dns10.hichina.com"])
    assert aliyun is not None and "Alibaba" in aliyun.text.en
    route53 = dns_host(["ns-1.awsdns-01.org"])
    assert route53 is not None and "Route 53" in route53.text.en
    other = dns_host(["ns1.example.net", "ns2.example.net"])
    assert other is not None and other.params["provider"] == "example.net"
    assert dns_host([]) is None


def test_every_message_has_english_and_chinese_with_the_same_placeholders() -> None:
    for code, text in MESSAGES.items():
        assert text.en and text.zh, code
        placeholders_en = set(re.findall(r"{(\w+)}", text.en))
        placeholders_zh = set(re.findall(r"{(\w+)}", text.zh)) - {"where_zh"}
        assert placeholders_zh <= placeholders_en | {"where"}, code
