"""Fixtures for domain verification tests: the test DNS server, a deployment, a DKIM key, a publisher."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from support.dns_server import DnsTestServer, dns_zone
from yunmail.domains.verify import DomainCheck, check_domain
from yunmail.mailauth.dkim import DkimAlgorithm, DkimKey, generate_key, txt_strings
from yunmail.mailauth.records import Deployment

__all__ = ["Published", "deployment", "dkim_key", "dns_zone", "published"]

SELECTOR = "ym1"
TOKEN = "yunmail-verification=3f9c2b7d"


@pytest.fixture
def deployment() -> Deployment:
    return Deployment(
        mx_hosts=((10, "mx1.yunmail.test"), (20, "mx2.yunmail.test")),
        spf_include="_spf.yunmail.test",
        webmail_host="webmail.yunmail.test",
    )


@pytest.fixture(scope="session")
def dkim_key() -> DkimKey:
    return generate_key(DkimAlgorithm.RSA)


@dataclass
class Published:
    """Publishes a domain's records into the test server and checks it, like the console would."""

    server: DnsTestServer
    deployment: Deployment
    key: DkimKey
    selector: str = SELECTOR
    token: str = TOKEN

    def full(self, domain: str, *, skip: tuple[str, ...] = (), own_zone: bool = True) -> None:
        """All records of full mode, correct, except the purposes named in ``skip``."""
        if own_zone:
            self.server.add_zone(domain)
        if "mx" not in skip:
            for preference, host in self.deployment.mx_hosts:
                self.server.add(domain, "MX", f"{preference} {host}.")
        if "spf" not in skip:
            self.server.add(domain, "TXT", "v=spf1 include:_spf.yunmail.test ~all")
        if "dkim" not in skip:
            self.server.add(f"{self.selector}._domainkey.{domain}", "TXT", txt_strings(self.key.txt_value()))
        if "dmarc" not in skip:
            self.server.add(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=quarantine")
        if "webmail" not in skip:
            self.server.add(f"mail.{domain}", "CNAME", "webmail.yunmail.test.")
        self.server.add("_spf.yunmail.test", "TXT", "v=spf1 ip4:192.0.2.0/24 -all")

    async def check(self, domain: str, mode: str = "full") -> DomainCheck:
        return await check_domain(
            self.server.resolver(),
            domain,
            mode,
            self.deployment,
            token=self.token,
            dkim_selector=self.selector,
            dkim_key_txt=self.key.txt_value(),
        )


@pytest.fixture
def published(dns_zone: DnsTestServer, deployment: Deployment, dkim_key: DkimKey) -> Published:
    return Published(dns_zone, deployment, dkim_key)
