"""Outbound transport routing: MX preference order, implicit MX, null MX, missing domains (real DNS)."""

from __future__ import annotations

from support.dns_server import DnsTestServer, dns_zone
from yunmail.delivery import BounceCauseId
from yunmail.delivery.transport import Envelope, Outcome, SmtpTransport, TransportSettings

__all__ = ["dns_zone"]


def transport(zone: DnsTestServer, port: int = 1) -> SmtpTransport:
    return SmtpTransport(zone.resolver(), hostname="mx.a.test", settings=TransportSettings(port=port))


async def test_route_lists_mx_hosts_in_preference_order(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("b.test")
    dns_zone.set("b.test", "MX", ["20 backup.b.test.", "10 primary.b.test."])
    route = await transport(dns_zone).route("b.test")
    assert (route.hosts, route.failure) == (("primary.b.test", "backup.b.test"), None)


async def test_domain_without_mx_falls_back_to_its_own_address(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("b.test")
    dns_zone.add("b.test", "A", "127.0.0.1")
    route = await transport(dns_zone).route("b.test")
    assert route.hosts == ("b.test",)


async def test_null_mx_is_a_permanent_failure(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("b.test")
    dns_zone.add("b.test", "MX", "0 .")
    route = await transport(dns_zone).route("b.test")
    assert route.failure is not None
    assert (route.failure.cause, route.failure.permanent) == (BounceCauseId.NULL_MX, True)


async def test_missing_domain_is_a_permanent_dns_failure(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("b.test")
    route = await transport(dns_zone).route("gone.b.test")
    assert route.failure is not None
    assert (route.failure.cause, route.failure.permanent) == (BounceCauseId.NO_MX_OR_DNS_FAILURE, True)


async def test_dns_server_failure_is_temporary(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("b.test")
    dns_zone.fail.add(("b.test", "MX"))
    route = await transport(dns_zone).route("b.test")
    assert route.failure is not None
    assert route.failure.permanent is False


async def test_unreachable_mail_host_defers_every_envelope(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("b.test")
    dns_zone.add("b.test", "MX", "10 mx.b.test.")
    dns_zone.add("mx.b.test", "A", "127.0.0.1")
    envelopes = [Envelope("a@a.test", f"u{n}@b.test", b"Subject: x\r\n\r\nx\r\n") for n in range(2)]
    results = await transport(dns_zone, port=1).deliver("b.test", envelopes)
    assert [r.outcome for r in results] == [Outcome.DEFERRED, Outcome.DEFERRED]
    assert {r.cause.cause for r in results if r.cause} == {BounceCauseId.NETWORK_OR_REMOTE_TROUBLE}
