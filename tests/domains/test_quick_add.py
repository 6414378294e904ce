"""RFC 2136 quick add against the test DNS server with a TSIG key (issue 6)."""

from __future__ import annotations

import base64

import pytest

from domains.conftest import Site
from support.dns_server import TSIG_KEY_NAME, TSIG_SECRET, DnsTestServer
from yunmail.domains import VERIFIED, TsigKey, quick_add
from yunmail.errors import TsigKeyInvalid
from yunmail.mailauth.records import Deployment, ExpectedRecord, RecordPurpose

KEY = TsigKey(TSIG_KEY_NAME, base64.b64encode(TSIG_SECRET).decode("ascii"))


async def _quick_add(site: Site, records: list[ExpectedRecord], zone: str, key: TsigKey = KEY) -> list[str]:
    host, port = site.server.address
    results = await quick_add(records, server=host, port=port, zone=zone, tsig=key, wait_seconds=2)
    return [result.status for result in results]


async def test_quick_add_writes_every_record_and_the_domain_then_verifies(site: Site) -> None:
    domain = await site.add()
    site.server.add_zone(domain.name)
    site.server.add("_spf.yunmail.test", "TXT", "v=spf1 ip4:192.0.2.0/24 -all")
    records = await site.registry.records(site.enterprise_id, domain.id, site.deployment)

    statuses = await _quick_add(site, records, domain.name)

    assert statuses == ["added"] * len(records)
    assert (await site.check(domain)).domain.state == VERIFIED


async def test_quick_added_dkim_record_is_served_exactly_as_expected(site: Site) -> None:
    domain = await site.add()
    site.server.add_zone(domain.name)
    records = await site.registry.records(site.enterprise_id, domain.id, site.deployment)
    (dkim,) = [r for r in records if r.purpose is RecordPurpose.DKIM]

    await _quick_add(site, [dkim], domain.name)

    assert (await site.server.resolver().txt(dkim.host)).records == (dkim.value,)


async def test_update_signed_with_a_wrong_secret_is_refused_and_nothing_is_written(site: Site) -> None:
    domain = await site.add()
    site.server.add_zone(domain.name)
    records = await site.registry.records(site.enterprise_id, domain.id, site.deployment)
    wrong = TsigKey(TSIG_KEY_NAME, base64.b64encode(b"not the secret at all, 32 bytes!").decode("ascii"))

    statuses = await _quick_add(site, records[:1], domain.name, wrong)

    assert (statuses, site.server.records(domain.name, "MX")) == (["NOTAUTH"], [])


async def test_record_outside_the_zone_is_skipped(dns_zone: DnsTestServer, deployment: Deployment) -> None:
    dns_zone.add_zone("acme.test")
    stray = ExpectedRecord("TXT", "other.test", "hello", 600, RecordPurpose.OWNERSHIP)
    host, port = dns_zone.address

    (result,) = await quick_add([stray], server=host, port=port, zone="acme.test", tsig=KEY, wait_seconds=2)

    assert result.status == "outside-zone"


def test_tsig_key_with_an_unsupported_algorithm_is_refused() -> None:
    with pytest.raises(TsigKeyInvalid):
        TsigKey("k.", "c2VjcmV0", algorithm="hmac-md5").dns_key()


def test_tsig_secret_that_is_not_base64_is_refused() -> None:
    with pytest.raises(TsigKeyInvalid):
        TsigKey("k.", "not base64!").dns_key()
