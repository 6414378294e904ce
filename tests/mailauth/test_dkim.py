"""DKIM keys, key records, and sign/verify round trips with keys published in the test DNS server."""

from __future__ import annotations

import pytest

from support.dns_server import DnsTestServer
from support.fake_resolver import FakeResolver
from yunmail.errors import DkimKeyInvalid
from yunmail.mailauth.dkim import (
    DkimAlgorithm,
    DkimKey,
    DkimResult,
    dns_txt_value,
    generate_key,
    load_key,
    parse_key_record,
    sign,
    txt_strings,
    verify,
)

MESSAGE = (
    b"From: Xiao Ming <xiaoming@example.com>\r\n"
    b"To: partner@example.org\r\n"
    b"Subject: Quarterly report\r\n"
    b"Date: Mon, 01 Jan 2024 08:00:00 +0800\r\n"
    b"Message-ID: <1@example.com>\r\n"
    b"\r\n"
    b"Please find the report attached.\r\n"
)


@pytest.fixture(scope="module")
def rsa_key() -> DkimKey:
    return generate_key(DkimAlgorithm.RSA)


@pytest.fixture(scope="module")
def ed_key() -> DkimKey:
    return generate_key(DkimAlgorithm.ED25519)


@pytest.mark.parametrize("algorithm", list(DkimAlgorithm))
async def test_signature_verifies_with_key_published_in_dns(
    dns_zone: DnsTestServer, rsa_key: DkimKey, ed_key: DkimKey, algorithm: DkimAlgorithm
) -> None:
    key = rsa_key if algorithm is DkimAlgorithm.RSA else ed_key
    # Published as the console tells users to: 255-octet character-strings (RFC 6376 §3.6.2.2).
    dns_zone.add("ym2024._domainkey.example.com", "TXT", txt_strings(key.txt_value()))
    header = sign(MESSAGE, "example.com", "ym2024", key)
    (outcome,) = await verify(header + MESSAGE, dns_zone.resolver())
    assert outcome.result is DkimResult.PASS
    assert (outcome.domain, outcome.selector) == ("example.com", "ym2024")
    assert outcome.algorithm == ("rsa-sha256" if algorithm is DkimAlgorithm.RSA else "ed25519-sha256")
    assert len(outcome.signature_prefix) == 8


async def test_changed_body_fails(dns_zone: DnsTestServer, ed_key: DkimKey) -> None:
    dns_zone.add("s._domainkey.example.com", "TXT", ed_key.txt_value())
    header = sign(MESSAGE, "example.com", "s", ed_key)
    tampered = header + MESSAGE.replace(b"attached", b"elsewhere")
    (outcome,) = await verify(tampered, dns_zone.resolver())
    assert outcome.result is DkimResult.FAIL


async def test_changed_signed_header_fails(dns_zone: DnsTestServer, rsa_key: DkimKey) -> None:
    dns_zone.add("s._domainkey.example.com", "TXT", txt_strings(rsa_key.txt_value()))
    header = sign(MESSAGE, "example.com", "s", rsa_key)
    (outcome,) = await verify(header + MESSAGE.replace(b"Quarterly", b"Annual"), dns_zone.resolver())
    assert outcome.result is DkimResult.FAIL


async def test_missing_or_revoked_key_is_permerror(dns_zone: DnsTestServer, ed_key: DkimKey) -> None:
    header = sign(MESSAGE, "example.com", "gone", ed_key)
    dns_zone.add("example.com", "A", "192.0.2.1")
    (missing,) = await verify(header + MESSAGE, dns_zone.resolver())
    assert (missing.result, missing.problem) == (DkimResult.PERMERROR, "no key record")
    dns_zone.add("gone._domainkey.example.com", "TXT", "v=DKIM1; k=ed25519; p=")
    (revoked,) = await verify(header + MESSAGE, dns_zone.resolver())
    assert revoked.result is DkimResult.PERMERROR
    assert "DKIM_KEY_REVOKED" in (revoked.problem or "")


async def test_key_lookup_failure_is_temperror(dns_zone: DnsTestServer, ed_key: DkimKey) -> None:
    dns_zone.add("s._domainkey.example.com", "TXT", ed_key.txt_value())
    dns_zone.fail.add(("s._domainkey.example.com", "TXT"))
    header = sign(MESSAGE, "example.com", "s", ed_key)
    (outcome,) = await verify(header + MESSAGE, dns_zone.resolver())
    assert outcome.result is DkimResult.TEMPERROR


async def test_every_signature_is_reported(rsa_key: DkimKey, ed_key: DkimKey) -> None:
    # RFC 8463 §3: sign with both algorithms; each signature gets its own result
    resolver = FakeResolver(
        TXT={
            "r._domainkey.example.com": [rsa_key.txt_value()],
            "e._domainkey.example.com": [ed_key.txt_value()],
        }
    )
    first = sign(MESSAGE, "example.com", "r", rsa_key)
    second = sign(first + MESSAGE, "example.com", "e", ed_key)
    results = await verify(second + first + MESSAGE, resolver)
    assert [(r.selector, r.result) for r in results] == [("e", DkimResult.PASS), ("r", DkimResult.PASS)]


async def test_unsigned_message_has_no_results() -> None:
    assert await verify(MESSAGE, FakeResolver()) == []


def test_key_record_values() -> None:
    key = generate_key(DkimAlgorithm.ED25519)
    assert key.txt_value() == f"v=DKIM1; k=ed25519; p={key.public_key_b64()}"
    assert dns_txt_value("rsa", "QUJD") == "v=DKIM1; k=rsa; p=QUJD"
    assert load_key(key.private_pem) == key


def test_long_values_split_into_255_octet_strings(rsa_key: DkimKey) -> None:
    value = rsa_key.txt_value()
    strings = txt_strings(value)
    assert len(value) > 255 and len(strings) == 2
    assert all(len(s) <= 255 for s in strings) and "".join(strings) == value


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("v=DKIM1; k=rsa; p=MIIB$$$", ("DKIM_BAD_BASE64",)),
        ("v=DKIM1; k=rsa", ("DKIM_KEY_MISSING",)),
        ("v=DKIM1; k=rsa; p=", ("DKIM_KEY_REVOKED",)),
        ("v=DKIM1; k=dsa; p=QUJD", ("DKIM_KEY_TYPE_UNKNOWN",)),
        ("v=DKIM2; p=QUJD", ("DKIM_VERSION_WRONG", "DKIM_KEY_UNPARSABLE")),
        ("k=rsa; v=DKIM1; p=", ("DKIM_VERSION_WRONG", "DKIM_KEY_REVOKED")),
        ("v=DKIM1; k=rsa; p=QUJDRA==", ("DKIM_KEY_UNPARSABLE",)),
    ],
)
def test_key_record_problems(text: str, problems: tuple[str, ...]) -> None:
    assert parse_key_record(text).problems == problems


def test_key_type_that_does_not_match_the_key(rsa_key: DkimKey, ed_key: DkimKey) -> None:
    assert parse_key_record(f"v=DKIM1; k=ed25519; p={rsa_key.public_key_b64()}").problems == (
        "DKIM_KEY_TYPE_MISMATCH",
    )
    assert parse_key_record(f"v=DKIM1; k=rsa; p={ed_key.public_key_b64()}").problems == (
        "DKIM_KEY_TYPE_MISMATCH",
    )


def test_spaces_inside_the_key_are_allowed(rsa_key: DkimKey) -> None:
    # RFC 6376 §3.6.1: p= is base64string, which allows FWS
    b64 = rsa_key.public_key_b64()
    parsed = parse_key_record(f"v=DKIM1; k=rsa; p={b64[:100]} {b64[100:]}")
    assert parsed.problems == () and parsed.key_type == "rsa"


def test_bad_private_keys_are_refused() -> None:
    with pytest.raises(DkimKeyInvalid):
        load_key(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(DkimKeyInvalid):
        generate_key(DkimAlgorithm.RSA, bits=512)


def test_a_message_without_from_cannot_be_signed(ed_key: DkimKey) -> None:
    with pytest.raises(DkimKeyInvalid):
        sign(b"Subject: x\r\n\r\nbody\r\n", "example.com", "s", ed_key)


def test_idn_signing_domain_is_an_a_label(ed_key: DkimKey) -> None:
    header = sign(MESSAGE, "例子.测试", "s", ed_key)
    assert b"d=xn--fsqu00a.xn--0zwm56d;" in header
