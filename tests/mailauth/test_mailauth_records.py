"""Expected DNS records for a domain under a deployment (mailauth.records)."""

from __future__ import annotations

from yunmail.mailauth.records import (
    Deployment,
    RecordPurpose,
    autoconfig_records,
    dkim_record,
    dmarc_record,
    mta_sts_records,
    mx_records,
    ownership_record,
    spf_record,
    webmail_record,
)

DEPLOYMENT = Deployment(
    mx_hosts=((10, "mx1.yunmail.test"), (20, "mx2.yunmail.test")),
    spf_include="_spf.yunmail.test",
    webmail_host="webmail.yunmail.test",
    autoconfig_host="autoconfig.yunmail.test",
    dmarc_rua="mailto:dmarc@yunmail.test",
    mta_sts_host="mta-sts.yunmail.test",
    tls_rpt_rua="mailto:tlsrpt@yunmail.test",
)


def test_mx_rows_carry_their_preference() -> None:
    rows = mx_records("Example.COM", DEPLOYMENT)
    assert [(r.type, r.host, r.display_value()) for r in rows] == [
        ("MX", "example.com", "10 mx1.yunmail.test"),
        ("MX", "example.com", "20 mx2.yunmail.test"),
    ]
    assert rows[0].as_dict() == {
        "type": "MX",
        "host": "example.com",
        "value": "10 mx1.yunmail.test",
        "ttl": 600,
        "purpose": "mx",
        "required": True,
    }


def test_txt_records_for_spf_dkim_dmarc_and_ownership() -> None:
    assert spf_record("example.com", DEPLOYMENT).value == "v=spf1 include:_spf.yunmail.test ~all"
    dkim = dkim_record("example.com", "YM1", "v=DKIM1; k=ed25519; p=QUJD", DEPLOYMENT)
    assert (dkim.host, dkim.purpose) == ("ym1._domainkey.example.com", RecordPurpose.DKIM)
    dmarc = dmarc_record("example.com", DEPLOYMENT)
    assert (dmarc.host, dmarc.required) == ("_dmarc.example.com", False)
    assert dmarc.value == "v=DMARC1; p=quarantine; rua=mailto:dmarc@yunmail.test"
    token = ownership_record("example.com", "ym-verify-abc", DEPLOYMENT)
    assert (token.host, token.value, token.required) == ("_dnsauth.example.com", "ym-verify-abc", True)


def test_cnames_and_optional_policy_records() -> None:
    assert webmail_record("example.com", DEPLOYMENT).host == "mail.example.com"
    assert [r.host for r in autoconfig_records("example.com", DEPLOYMENT)] == [
        "autoconfig.example.com",
        "autodiscover.example.com",
    ]
    assert [(r.type, r.host) for r in mta_sts_records("example.com", DEPLOYMENT)] == [
        ("TXT", "_mta-sts.example.com"),
        ("CNAME", "mta-sts.example.com"),
        ("TXT", "_smtp._tls.example.com"),
    ]
    assert autoconfig_records("example.com", Deployment((), "s.test", "w.test")) == []


def test_idn_domains_use_a_labels_and_labels_are_zone_relative() -> None:
    record = dmarc_record("例子.测试", DEPLOYMENT)
    assert record.host == "_dmarc.xn--fsqu00a.xn--0zwm56d"
    assert record.label("xn--fsqu00a.xn--0zwm56d") == "_dmarc"
    assert spf_record("corp.example.com", DEPLOYMENT).label("example.com") == "corp"
    assert spf_record("example.com", DEPLOYMENT).label("example.com") == "@"


def test_long_txt_values_are_published_in_chunks() -> None:
    record = dkim_record("example.com", "s", "v=DKIM1; k=rsa; p=" + "A" * 400, DEPLOYMENT)
    assert [len(s) for s in record.strings()] == [255, 163]
