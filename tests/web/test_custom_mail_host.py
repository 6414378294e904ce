"""A customer's own webmail address ``mail.<domain>`` (PRODUCT §4): members only, never the consoles."""

from __future__ import annotations

import httpx

from support.dns_server import DnsTestServer, dns_zone
from support.server import RunningServer
from support.web import base_url
from yunmail.domains import Domain
from yunmail.mailauth.records import RecordPurpose

__all__ = ["dns_zone"]

ACTOR = "test:web"


async def _domain(server: RunningServer, org: str, *, trust: bool = True) -> Domain:
    enterprise = await server.services.directory.enterprises.create(f"Enterprise {org}", org, ACTOR)
    return await server.services.domains.add(enterprise.id, f"{org}.test", ACTOR, trust=trust)


async def _get(server: RunningServer, path: str, host: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        return await client.get(path, headers={"host": host})


async def test_mail_host_of_a_verified_domain_serves_the_webmail_login(server: RunningServer) -> None:
    domain = await _domain(server, "cmhlogin")

    response = await _get(server, "/login", f"mail.{domain.name}")

    assert response.status_code == 200
    assert 'type="password"' in response.text
    assert "/admin" not in response.text.split("<main", 1)[-1]  # no way into the console from here


async def test_mail_host_never_serves_the_admin_or_operator_console(server: RunningServer) -> None:
    domain = await _domain(server, "cmhconsole")
    host = f"mail.{domain.name}"

    refused = [
        (path, (await _get(server, path, host)).status_code)
        for path in ("/admin/login", "/admin/", "/operator/login", "/operator/", "/api/v1/members")
    ]

    assert refused == [(path, 404) for path, _ in refused]


async def test_mail_host_of_a_pending_domain_is_misdirected(server: RunningServer) -> None:
    domain = await _domain(server, "cmhpending", trust=False)

    login = await _get(server, "/login", f"mail.{domain.name}")
    root = await _get(server, "/", f"mail.{domain.name}")

    assert (login.status_code, root.status_code) == (421, 421)


async def test_domain_records_include_the_mail_cname_to_our_webmail_host(server: RunningServer) -> None:
    domain = await _domain(server, "cmhrecords")

    records = await server.services.domains.records(
        domain.enterprise_id, domain.id, server.services.deployment
    )

    (webmail,) = [r for r in records if r.purpose is RecordPurpose.WEBMAIL]
    assert (webmail.type, webmail.host, webmail.value) == (
        "CNAME",
        f"mail.{domain.name}",
        server.services.deployment.webmail_host,
    )
    assert webmail.label(domain.name) == "mail"
    assert not webmail.required  # optional: mail flows without it


async def test_domain_check_reports_the_mail_cname_present(
    server: RunningServer, dns_zone: DnsTestServer
) -> None:
    domain = await _domain(server, "cmhcname")
    dns_zone.add_zone(domain.name)
    dns_zone.add(f"mail.{domain.name}", "CNAME", f"{server.services.deployment.webmail_host}.")

    outcome = await server.services.domains.check(
        domain.enterprise_id, domain.id, dns_zone.resolver(), server.services.deployment
    )

    (status,) = outcome.check.record(RecordPurpose.WEBMAIL)
    assert (status.state.value, status.found) == ("ok", (server.services.deployment.webmail_host,))


async def test_domain_check_reports_the_mail_cname_missing(
    server: RunningServer, dns_zone: DnsTestServer
) -> None:
    domain = await _domain(server, "cmhnocname")
    dns_zone.add_zone(domain.name)

    outcome = await server.services.domains.check(
        domain.enterprise_id, domain.id, dns_zone.resolver(), server.services.deployment
    )

    (status,) = outcome.check.record(RecordPurpose.WEBMAIL)
    assert (status.state.value, status.warning_codes) == ("missing", ["RECORD_MISSING"])
