"""Fixtures for domain verification tests: the test DNS server, a deployment, a DKIM key, a publisher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from support.dns_server import DnsTestServer, dns_zone
from support.factories import ACTOR, DirectoryFactory
from yunmail.clock import FakeClock
from yunmail.domains.registry import CheckOutcome, Domain, DomainRegistry
from yunmail.domains.verify import DomainCheck, check_domain
from yunmail.events import InProcessBus
from yunmail.mailauth.dkim import DkimAlgorithm, DkimKey, generate_key, txt_strings
from yunmail.mailauth.records import Deployment
from yunmail.storage import Database
from yunmail.storage.repos import audit as audit_rows

__all__ = ["Published", "Site", "deployment", "dkim_key", "dns_zone", "published", "site"]

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


# --- registry-level fixtures: a domain added through the service, published from its own records ------


@dataclass
class Site:
    """One enterprise with a registry on the test backend, publishing into the test DNS server."""

    registry: DomainRegistry
    db: Database
    enterprise_id: int
    server: DnsTestServer
    deployment: Deployment
    bus: InProcessBus
    clock: FakeClock

    async def add(self, name: str = "acme.test", mode: str = "full") -> Domain:
        return await self.registry.add(self.enterprise_id, name, ACTOR, mode=mode)

    async def publish(self, domain: Domain, *, skip: tuple[str, ...] = ()) -> None:
        """Publish the domain's required and recommended records, except the purposes in ``skip``."""
        self.server.add_zone(domain.name)
        self.server.add("_spf.yunmail.test", "TXT", "v=spf1 ip4:192.0.2.0/24 -all")
        for record in await self.registry.records(self.enterprise_id, domain.id, self.deployment):
            if record.purpose.value in skip:
                continue
            if record.type == "MX":
                self.server.add(record.host, "MX", f"{record.preference} {record.value}.")
            elif record.type == "CNAME":
                self.server.add(record.host, "CNAME", f"{record.value}.")
            else:
                self.server.add(record.host, "TXT", record.strings())

    async def check(self, domain: Domain) -> CheckOutcome:
        return await self.registry.check(
            self.enterprise_id, domain.id, self.server.resolver(), self.deployment
        )

    async def audit(self) -> list[dict[str, Any]]:
        async with self.db.read() as conn:
            return await audit_rows.entries(conn, self.enterprise_id)


@pytest.fixture
async def site(
    db: Database, clock: FakeClock, bus: InProcessBus, dns_zone: DnsTestServer, deployment: Deployment
) -> Site:
    enterprise = await DirectoryFactory.build(db, clock).enterprise()
    registry = DomainRegistry(db, clock, bus)
    return Site(registry, db, enterprise.id, dns_zone, deployment, bus, clock)
