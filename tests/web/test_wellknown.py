"""Mail-client autoconfiguration (Thunderbird, Outlook) and the MTA-STS policy, over real HTTP."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from support.server import RunningServer
from support.web import base_url
from yunmail.config import load_settings
from yunmail.domains import expected_records
from yunmail.mailauth.records import Deployment, RecordPurpose
from yunmail.web.wellknown import ClientService, client_services

ACTOR = "test:web"
OUTLOOK_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>{address}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>"""
AUTODISCOVER_NS = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"


async def _hosted(server: RunningServer, org: str, *, mode: str = "full", trust: bool = True) -> str:
    enterprise = await server.services.directory.enterprises.create(f"Enterprise {org}", org, ACTOR)
    domain = await server.services.domains.add(enterprise.id, f"{org}.test", ACTOR, mode=mode, trust=trust)
    return domain.name


async def _request(
    server: RunningServer, method: str, path: str, *, host: str | None = None, content: str | None = None
) -> httpx.Response:
    headers = {"host": host} if host else {}
    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        return await client.request(method, path, headers=headers, content=content)


def _servers(document: ET.Element) -> set[tuple[str, str, str, str, str, str]]:
    return {
        (
            server.get("type", ""),
            server.findtext("hostname", ""),
            server.findtext("port", ""),
            server.findtext("socketType", ""),
            server.findtext("username", ""),
            server.findtext("authentication", ""),
        )
        for server in document.iter()
        if server.tag in ("incomingServer", "outgoingServer")
    }


# --- Thunderbird autoconfig --------------------------------------------------------------------------


async def test_autoconfig_host_lists_imap_pop3_and_submission_with_our_hostname(
    server: RunningServer,
) -> None:
    domain = await _hosted(server, "acfg")

    response = await _request(server, "GET", "/mail/config-v1.1.xml", host=f"autoconfig.{domain}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    document = ET.fromstring(response.content)
    assert document.get("version") == "1.1"
    assert document.find("emailProvider/domain") is not None
    assert document.findtext("emailProvider/domain") == domain
    host = server.settings.hostname
    login, auth = "%EMAILADDRESS%", "password-cleartext"
    # The test server's listeners are on port 0 (random): the standard ports are advertised.
    assert _servers(document) == {
        ("imap", host, "993", "SSL", login, auth),
        ("imap", host, "143", "STARTTLS", login, auth),
        ("pop3", host, "995", "SSL", login, auth),
        ("pop3", host, "110", "STARTTLS", login, auth),
        ("smtp", host, "465", "SSL", login, auth),
        ("smtp", host, "587", "STARTTLS", login, auth),
    }


async def test_platform_host_answers_the_well_known_path_for_an_email_address(server: RunningServer) -> None:
    domain = await _hosted(server, "acfgp")

    response = await _request(
        server, "GET", f"/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=zhang@{domain}"
    )

    assert response.status_code == 200
    assert ET.fromstring(response.content).findtext("emailProvider/domain") == domain


async def test_autoconfig_for_a_domain_not_hosted_here_is_not_found(server: RunningServer) -> None:
    await _hosted(server, "acfgq", trust=False)  # pending: not verified yet

    pending = await _request(server, "GET", "/mail/config-v1.1.xml?emailaddress=li@acfgq.test")
    unknown = await _request(server, "GET", "/mail/config-v1.1.xml?emailaddress=li@nowhere.test")
    missing = await _request(server, "GET", "/mail/config-v1.1.xml")

    assert (pending.status_code, unknown.status_code, missing.status_code) == (404, 404, 404)


def test_configured_development_ports_are_advertised() -> None:
    settings = load_settings(
        env={},
        overrides={
            "listen.imaps": ["127.0.0.1:2993"],
            "listen.submission": ["127.0.0.1:2587", "0.0.0.0:587"],
            "listen.pop3": [],
            "listen.pop3s": [],
        },
    )

    services = client_services(settings)

    assert ClientService("imap", "SSL", 2993) in services
    assert ClientService("smtp", "STARTTLS", 587) in services  # the public address wins
    assert not [s for s in services if s.protocol == "pop3"]  # no POP3 listener: not offered


# --- Outlook autodiscover ----------------------------------------------------------------------------


async def test_outlook_autodiscover_returns_settings_for_a_hosted_address(server: RunningServer) -> None:
    domain = await _hosted(server, "adisc")

    response = await _request(
        server,
        "POST",
        "/Autodiscover/Autodiscover.xml",
        host=f"autodiscover.{domain}",
        content=OUTLOOK_REQUEST.format(address=f"wang@{domain}"),
    )

    assert response.status_code == 200
    account = ET.fromstring(response.content).find(f"{AUTODISCOVER_NS}Response/{AUTODISCOVER_NS}Account")
    assert account is not None
    protocols = {
        (p.findtext(f"{AUTODISCOVER_NS}Type"), p.findtext(f"{AUTODISCOVER_NS}Port"))
        for p in account.iter(f"{AUTODISCOVER_NS}Protocol")
    }
    assert {("IMAP", "993"), ("POP3", "995"), ("SMTP", "465"), ("SMTP", "587")} <= protocols
    logins = {p.findtext(f"{AUTODISCOVER_NS}LoginName") for p in account.iter(f"{AUTODISCOVER_NS}Protocol")}
    servers = {p.findtext(f"{AUTODISCOVER_NS}Server") for p in account.iter(f"{AUTODISCOVER_NS}Protocol")}
    assert (logins, servers) == ({f"wang@{domain}"}, {server.settings.hostname})


async def test_autodiscover_by_get_with_an_address_is_tolerated(server: RunningServer) -> None:
    domain = await _hosted(server, "adiscget")

    response = await _request(server, "GET", f"/autodiscover/autodiscover.xml?emailaddress=li@{domain}")

    assert response.status_code == 200
    account = ET.fromstring(response.content).find(f"{AUTODISCOVER_NS}Response/{AUTODISCOVER_NS}Account")
    assert account is not None and account.findtext(f".//{AUTODISCOVER_NS}LoginName") == f"li@{domain}"


async def test_outlook_autodiscover_for_an_unknown_address_answers_the_schema_error(
    server: RunningServer,
) -> None:
    response = await _request(
        server,
        "POST",
        "/autodiscover/autodiscover.xml",
        content=OUTLOOK_REQUEST.format(address="a@nope.test"),
    )

    error = ET.fromstring(response.content).find(f"{AUTODISCOVER_NS}Response/{AUTODISCOVER_NS}Error")
    assert error is not None and error.findtext(f"{AUTODISCOVER_NS}ErrorCode") == "500"


async def test_outlook_autodiscover_refuses_a_document_type_declaration(server: RunningServer) -> None:
    domain = await _hosted(server, "adiscx")
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;">]>'
        f"<Autodiscover><Request><EMailAddress>&y;@{domain}</EMailAddress></Request></Autodiscover>"
    )

    response = await _request(server, "POST", "/autodiscover/autodiscover.xml", content=bomb)

    assert response.status_code == 400
    error = ET.fromstring(response.content).find(f"{AUTODISCOVER_NS}Response/{AUTODISCOVER_NS}Error")
    assert error is not None and error.findtext(f"{AUTODISCOVER_NS}ErrorCode") == "600"


# --- MTA-STS -----------------------------------------------------------------------------------------


async def test_mta_sts_policy_of_a_fully_verified_domain_enforces_our_mx(server: RunningServer) -> None:
    domain = await _hosted(server, "stsfull")

    response = await _request(server, "GET", "/.well-known/mta-sts.txt", host=f"mta-sts.{domain}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    mx = "".join(f"mx: {host}\r\n" for _, host in server.services.deployment.mx_hosts)
    assert response.content == f"version: STSv1\r\nmode: enforce\r\n{mx}max_age: 604800\r\n".encode()


async def test_mta_sts_policy_of_an_ownership_only_domain_is_testing(server: RunningServer) -> None:
    domain = await _hosted(server, "stsown", mode="ownership")

    response = await _request(server, "GET", "/.well-known/mta-sts.txt", host=f"mta-sts.{domain}")

    assert response.status_code == 200
    assert b"mode: testing\r\n" in response.content


async def test_mta_sts_policy_is_served_only_on_the_customer_policy_host(server: RunningServer) -> None:
    domain = await _hosted(server, "stshost")
    await _hosted(server, "stspend", trust=False)

    platform = await _request(server, "GET", "/.well-known/mta-sts.txt")
    webmail = await _request(server, "GET", "/.well-known/mta-sts.txt", host=f"mail.{domain}")
    pending = await _request(server, "GET", "/.well-known/mta-sts.txt", host="mta-sts.stspend.test")
    other_path = await _request(server, "GET", "/admin/login", host=f"mta-sts.{domain}")

    assert (platform.status_code, webmail.status_code) == (404, 404)
    assert (pending.status_code, other_path.status_code) == (421, 404)


def test_expected_records_publish_mta_sts_and_tls_reporting_when_the_deployment_serves_them() -> None:
    base = Deployment(
        mx_hosts=((10, "mx.yunmail.test"),), spf_include="_spf.yunmail.test", webmail_host="w.test"
    )
    served = Deployment(
        mx_hosts=base.mx_hosts,
        spf_include=base.spf_include,
        webmail_host=base.webmail_host,
        mta_sts_host="mta-sts.yunmail.test",
        mta_sts_id="20260101",
        tls_rpt_rua="mailto:tlsrpt@yunmail.test",
    )

    with_policy = {(r.type, r.host, r.value) for r in expected_records("acme.test", "full", served)}
    without = [r.purpose for r in expected_records("acme.test", "full", base)]

    assert ("TXT", "_mta-sts.acme.test", "v=STSv1; id=20260101") in with_policy
    assert ("CNAME", "mta-sts.acme.test", "mta-sts.yunmail.test") in with_policy
    assert ("TXT", "_smtp._tls.acme.test", "v=TLSRPTv1; rua=mailto:tlsrpt@yunmail.test") in with_policy
    assert RecordPurpose.MTA_STS not in without and RecordPurpose.TLS_RPT not in without
