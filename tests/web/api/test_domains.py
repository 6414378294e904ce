"""REST API v1 domains: add with corrections, occupancy, IDN, records and live checks (test DNS server),
quick add, mode switch, removal only when unused."""

from __future__ import annotations

import argparse
import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.dns_server import TSIG_KEY_NAME, TSIG_SECRET, DnsTestServer, dns_zone
from support.server import RunningServer, running_server
from support.web import admin_client, web_tenant
from web.api.mail_tenant import add_member, error_of, open_mailbox
from yunmail.cli.commands_admin import domain_check, domain_records
from yunmail.clock import FakeClock

__all__ = ["dns_zone"]  # the fixture, used by ``dns_server`` below

# Tests without DNS share the module's server (``org_server``); DNS checks get a server of their own.
module_loop = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
async def dns_server(
    tmp_path: Path, database_url: str, clock: FakeClock, dns_zone: DnsTestServer
) -> AsyncIterator[RunningServer]:
    """The server with its resolver pointed at the test DNS server."""
    overrides = {"dns.nameservers": [dns_zone.nameserver]}
    async with running_server(
        tmp_path / "server", database_url, clock=clock, settings_overrides=overrides
    ) as running:
        yield running


async def _add(client: httpx.AsyncClient, name: str, mode: str = "full") -> dict[str, Any]:
    response = await client.post("/api/v1/domains", json={"name": name, "mode": mode})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _publish(server: RunningServer, zone: DnsTestServer, domain: str, records: list[dict[str, Any]]) -> None:
    zone.add_zone(domain)
    zone.add_zone("yunmail.test")
    zone.add(server.services.deployment.spf_include, "TXT", "v=spf1 ip4:192.0.2.0/24 -all")
    for record in records:
        if record["type"] == "TXT":
            zone.add(record["host"], "TXT", record["value"])
        else:
            zone.add(record["host"], record["type"], record["value"] + ".")


@module_loop
async def test_a_new_domain_is_pending_with_its_ownership_token(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        body = await _add(client, "Acme-Mail.TEST")
        listed = (await client.get("/api/v1/domains")).json()

    assert (body["name"], body["ascii_name"], body["mode"], body["state"]) == (
        "acme-mail.test",
        "acme-mail.test",
        "full",
        "pending",
    )
    assert len(body["ownership_token"]) >= 20
    assert sorted(d["name"] for d in listed["items"]) == sorted([tenant.domain.name, "acme-mail.test"])


@module_loop
@pytest.mark.parametrize(
    ("typed", "code", "suggestion"),
    [
        ("www.example.com", "DOMAIN_HAS_WWW", "example.com"),
        ("user@Example.com", "DOMAIN_LOOKS_LIKE_ADDRESS", "example.com"),
        ("https://www.example.com/mail", "DOMAIN_LOOKS_LIKE_URL", "example.com"),
    ],
)
async def test_typical_slips_are_refused_with_the_corrected_domain(
    org_server: RunningServer, typed: str, code: str, suggestion: str
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            "/api/v1/domains", json={"name": typed}, headers={"accept-language": "en"}
        )

    assert error_of(response) == (400, code)
    assert response.json()["suggestion"] == suggestion
    assert f"did you mean {suggestion}?" in response.json()["message"]


@module_loop
async def test_something_that_is_not_a_domain_is_invalid(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/domains", json={"name": "localhost"})

    assert error_of(response) == (400, "DOMAIN_INVALID")


@module_loop
async def test_a_domain_of_another_enterprise_is_occupied_without_saying_whose(
    org_server: RunningServer,
) -> None:
    owner = await web_tenant(org_server)
    other = await web_tenant(org_server)
    async with admin_client(org_server, other) as client:
        response = await client.post("/api/v1/domains", json={"name": owner.domain.name.upper()})

    assert error_of(response) == (409, "DOMAIN_OCCUPIED")
    assert "domain_id" not in response.json() or response.json()["domain_id"] is None
    assert owner.enterprise.org_id not in response.text.replace(owner.domain.name, "")


@module_loop
async def test_a_domain_the_enterprise_already_has_says_where_it_is(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/domains", json={"name": tenant.domain.name})

    assert error_of(response) == (409, "DOMAIN_ALREADY_ADDED")
    assert response.json()["domain_id"] == tenant.domain.id


@module_loop
async def test_an_internationalised_domain_is_shown_as_u_label_and_matched_as_a_label(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        body = await _add(client, "例子.中国")
        again = await client.post("/api/v1/domains", json={"name": "XN--FSQU00A.XN--FIQS8S"})
        shown = (await client.get(f"/api/v1/domains/{body['id']}")).json()

    assert (body["name"], body["ascii_name"]) == ("例子.中国", "xn--fsqu00a.xn--fiqs8s")
    assert (error_of(again), again.json()["domain_id"]) == ((409, "DOMAIN_ALREADY_ADDED"), body["id"])
    assert shown["name"] == "例子.中国"


@module_loop
async def test_an_unknown_mode_is_refused(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post("/api/v1/domains", json={"name": "acme.test", "mode": "partial"})

    assert error_of(response) == (400, "INVALID_INPUT")


@module_loop
async def test_records_are_the_ones_the_cli_prints(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        domain = await _add(client, f"records{tenant.enterprise.id}.test")
        response = await client.get(f"/api/v1/domains/{domain['id']}/records")
    cli = await domain_records(
        org_server.services, argparse.Namespace(org_id=tenant.enterprise.org_id, domain=domain["name"])
    )

    records = response.json()
    assert [{k: v for k, v in r.items() if k != "label"} for r in records] == cli.data
    labels = {r["purpose"]: (r["type"], r["label"]) for r in records}
    assert (labels["mx"], labels["spf"], labels["dmarc"], labels["webmail"]) == (
        ("MX", "@"),
        ("TXT", "@"),
        ("TXT", "_dmarc"),
        ("CNAME", "mail"),
    )
    assert labels["dkim"][1].endswith("._domainkey")


@module_loop
async def test_ownership_mode_asks_for_one_txt_record_with_the_token(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        domain = await _add(client, f"own{tenant.enterprise.id}.test", mode="ownership")
        records = (await client.get(f"/api/v1/domains/{domain['id']}/records")).json()

    required = [r for r in records if r["required"]]
    assert [(r["type"], r["label"], r["purpose"]) for r in required] == [("TXT", "_dnsauth", "ownership")]
    assert domain["ownership_token"] in required[0]["value"]


async def test_a_check_of_published_records_verifies_the_domain(
    dns_server: RunningServer, dns_zone: DnsTestServer
) -> None:
    tenant = await web_tenant(dns_server)
    async with admin_client(dns_server, tenant) as client:
        domain = await _add(client, "published.test")
        records = (await client.get(f"/api/v1/domains/{domain['id']}/records")).json()
        _publish(dns_server, dns_zone, "published.test", records)
        check = await client.post(f"/api/v1/domains/{domain['id']}/check")
        shown = (await client.get(f"/api/v1/domains/{domain['id']}")).json()

    body = check.json()
    assert check.status_code == 200
    assert (body["state"], body["previous_state"], body["domain_state"]) == (
        "verified",
        "pending",
        "verified",
    )
    assert all(r["state"] == "ok" for r in body["records"] if r["required"])
    assert (shown["state"], shown["reason"]) == ("verified", [])


async def test_a_check_reports_each_record_with_its_diagnosis_codes(
    dns_server: RunningServer, dns_zone: DnsTestServer
) -> None:
    tenant = await web_tenant(dns_server)
    async with admin_client(dns_server, tenant) as client:
        domain = await _add(client, "halfway.test")
        records = (await client.get(f"/api/v1/domains/{domain['id']}/records")).json()
        _publish(dns_server, dns_zone, "halfway.test", [r for r in records if r["purpose"] != "mx"])
        dns_zone.add("halfway.test", "MX", "10 mx.oldprovider.test.")
        check = (await client.post(f"/api/v1/domains/{domain['id']}/check")).json()

    mx = {
        (r["state"], code["code"]) for r in check["records"] if r["purpose"] == "mx" for code in r["errors"]
    }
    assert (check["state"], check["domain_state"]) == ("unverified", "pending")
    assert mx == {("missing", "RECORD_MISSING"), ("missing", "MX_UNKNOWN_EXTRA")}
    assert [r["purpose"] for r in check["reason"]][:1] == ["mx"]


async def test_a_check_answers_what_the_cli_check_prints(
    dns_server: RunningServer, dns_zone: DnsTestServer
) -> None:
    tenant = await web_tenant(dns_server)
    async with admin_client(dns_server, tenant) as client:
        domain = await _add(client, "same.test")
        records = (await client.get(f"/api/v1/domains/{domain['id']}/records")).json()
        _publish(dns_server, dns_zone, "same.test", [r for r in records if r["purpose"] != "dkim"])
        api = (await client.post(f"/api/v1/domains/{domain['id']}/check")).json()
    cli = await domain_check(
        dns_server.services, argparse.Namespace(org_id=tenant.enterprise.org_id, domain="same.test")
    )

    assert set(api) == set(cli.data)
    assert {k: v for k, v in api.items() if k != "previous_state"} == {
        k: v for k, v in cli.data.items() if k != "previous_state"
    }


async def test_quick_add_writes_the_records_into_the_customers_dns_server(
    dns_server: RunningServer, dns_zone: DnsTestServer
) -> None:
    tenant = await web_tenant(dns_server)
    host, port = dns_zone.address
    dns_zone.add_zone("quick.test")
    dns_zone.add_zone("yunmail.test")
    dns_zone.add(dns_server.services.deployment.spf_include, "TXT", "v=spf1 ip4:192.0.2.0/24 -all")
    async with admin_client(dns_server, tenant) as client:
        domain = await _add(client, "quick.test")
        added = await client.post(
            f"/api/v1/domains/{domain['id']}/quick-add",
            json={
                "server": host,
                "port": port,
                "zone": "quick.test",
                "tsig_name": TSIG_KEY_NAME,
                "tsig_secret": base64.b64encode(TSIG_SECRET).decode("ascii"),
            },
        )
        check = (await client.post(f"/api/v1/domains/{domain['id']}/check")).json()

    assert added.status_code == 200
    assert {r["status"] for r in added.json()} == {"added"}
    assert check["domain_state"] == "verified"


@module_loop
async def test_quick_add_refuses_a_secret_that_is_not_base64(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            f"/api/v1/domains/{tenant.domain.id}/quick-add",
            json={
                "server": "127.0.0.1",
                "zone": tenant.domain.name,
                "tsig_name": "k.",
                "tsig_secret": "%%%",
            },
        )

    assert error_of(response) == (400, "TSIG_KEY_INVALID")


@module_loop
async def test_quick_add_wants_an_ip_address(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.post(
            f"/api/v1/domains/{tenant.domain.id}/quick-add",
            json={
                "server": "ns1.example.com",
                "zone": tenant.domain.name,
                "tsig_name": "k.",
                "tsig_secret": "c2VjcmV0",
            },
        )

    assert error_of(response) == (400, "INVALID_INPUT")


@module_loop
async def test_switching_a_verified_domain_to_ownership_only_keeps_ownership_proven(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        response = await client.patch(f"/api/v1/domains/{tenant.domain.id}", json={"mode": "ownership"})

    assert response.status_code == 200
    assert (response.json()["mode"], response.json()["state"]) == ("ownership", "ownership-verified")


@module_loop
async def test_a_domain_with_mailboxes_cannot_be_removed_even_from_the_recycle_bin(
    org_server: RunningServer,
) -> None:
    tenant = await web_tenant(org_server)
    member = await add_member(org_server, tenant)
    async with admin_client(org_server, tenant) as client:
        mailbox = await open_mailbox(client, member, tenant.domain.id)
        await client.post(f"/api/v1/mailboxes/{mailbox['id']}/close")
        refused = await client.delete(f"/api/v1/domains/{tenant.domain.id}")
        await client.delete(f"/api/v1/recycle-bin/{mailbox['id']}")
        removed = await client.delete(f"/api/v1/domains/{tenant.domain.id}")
        gone = await client.get(f"/api/v1/domains/{tenant.domain.id}")

    assert error_of(refused) == (409, "DOMAIN_IN_USE")
    assert removed.status_code == 204
    assert error_of(gone) == (404, "DOMAIN_NOT_FOUND")


@module_loop
async def test_a_domain_used_by_a_group_cannot_be_removed(org_server: RunningServer) -> None:
    tenant = await web_tenant(org_server)
    async with admin_client(org_server, tenant) as client:
        await client.post(
            "/api/v1/groups", json={"domain_id": tenant.domain.id, "local_part": "all", "name": "All"}
        )
        response = await client.delete(f"/api/v1/domains/{tenant.domain.id}")

    assert error_of(response) == (409, "DOMAIN_IN_USE")
    assert "1" in response.json()["message"]
