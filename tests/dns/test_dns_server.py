"""The test DNS server itself: authoritative flags, zone edits and RFC 2136 UPDATE signed with TSIG."""

from __future__ import annotations

import asyncio
import base64
import struct

import dns.asyncquery
import dns.flags
import dns.message
import dns.rcode
import dns.tsig
import dns.tsigkeyring
import dns.update

from support.dns_server import TSIG_KEY_NAME, TSIG_SECRET, DnsTestServer

KEYRING = dns.tsigkeyring.from_text({TSIG_KEY_NAME: base64.b64encode(TSIG_SECRET).decode()})


async def _send(server: DnsTestServer, message: dns.message.Message) -> dns.message.Message:
    host, port = server.address
    return await dns.asyncquery.tcp(message, host, port=port, timeout=2)


def _update(zone: str = "example.com", keyring: object = KEYRING) -> dns.update.UpdateMessage:
    return dns.update.UpdateMessage(zone, keyring=keyring, keyalgorithm=dns.tsig.HMAC_SHA256)


async def test_answers_carry_the_authoritative_flag(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "A", "192.0.2.1")
    response = await _send(dns_zone, dns.message.make_query("example.com", "A"))
    assert response.flags & dns.flags.AA
    assert response.rcode() == dns.rcode.NOERROR


async def test_negative_answers_carry_the_soa_with_the_negative_ttl(dns_zone: DnsTestServer) -> None:
    # RFC 2308 §3: the SOA TTL is the minimum of its TTL and its MINIMUM field
    dns_zone.add("example.com", "A", "192.0.2.1")
    response = await _send(dns_zone, dns.message.make_query("none.example.com", "A"))
    assert response.rcode() == dns.rcode.NXDOMAIN
    (soa,) = response.authority
    assert soa.ttl == 60


async def test_set_replaces_and_remove_deletes(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "TXT", "one")
    dns_zone.add("example.com", "TXT", "two")
    dns_zone.set("example.com", "TXT", ["three"])
    assert dns_zone.records("example.com", "TXT") == ['"three"']
    dns_zone.remove("example.com", "TXT", "three")
    assert dns_zone.records("example.com", "TXT") == []


async def test_signed_update_adds_a_record_and_bumps_the_serial(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("example.com")
    update = _update()
    update.add("_dnsauth", 600, "TXT", '"token-1"')
    response = await _send(dns_zone, update)
    assert response.rcode() == dns.rcode.NOERROR
    assert response.had_tsig  # RFC 8945 §5.3: the answer is signed too
    assert dns_zone.records("_dnsauth.example.com", "TXT") == ['"token-1"']
    resolver = dns_zone.resolver()
    assert (await resolver.txt("_dnsauth.example.com")).records == ("token-1",)
    assert (await resolver.soa("example.com")).records[0].serial == 2


async def test_update_with_an_unknown_key_is_notauth(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("example.com")
    wrong = dns.tsigkeyring.from_text({"other-key.": "c2VjcmV0c2VjcmV0c2VjcmV0"})
    update = _update(keyring=wrong)
    update.add("x", 600, "A", "192.0.2.1")
    host, port = dns_zone.address
    wire = await _raw_tcp(host, port, update.to_wire())
    assert dns.message.from_wire(wire).rcode() == dns.rcode.NOTAUTH
    assert dns_zone.records("x.example.com", "A") == []


async def test_update_with_a_bad_signature_is_notauth(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("example.com")
    forged = dns.tsigkeyring.from_text({TSIG_KEY_NAME: "Zm9yZ2VkZm9yZ2VkZm9yZ2Vk"})
    update = _update(keyring=forged)
    update.add("x", 600, "A", "192.0.2.1")
    host, port = dns_zone.address
    wire = await _raw_tcp(host, port, update.to_wire())
    assert dns.message.from_wire(wire).rcode() == dns.rcode.NOTAUTH


async def test_unsigned_update_is_refused(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("example.com")
    update = dns.update.UpdateMessage("example.com")
    update.add("x", 600, "A", "192.0.2.1")
    response = await _send(dns_zone, update)
    assert response.rcode() == dns.rcode.REFUSED


async def test_update_for_a_zone_not_served_is_notauth(dns_zone: DnsTestServer) -> None:
    dns_zone.add_zone("example.com")
    update = _update("example.org")
    update.add("x", 600, "A", "192.0.2.1")
    response = await _send(dns_zone, update)
    assert response.rcode() == dns.rcode.NOTAUTH


async def test_update_prerequisites_are_checked_all_or_nothing(dns_zone: DnsTestServer) -> None:
    # RFC 2136 §3.2: a failed prerequisite leaves the zone untouched
    dns_zone.add("example.com", "TXT", "v=spf1 -all")
    update = _update()
    update.absent("@", "TXT")  # "RRset does not exist" -> YXRRSET here
    update.add("@", 600, "MX", "10 mx.mail.test.")
    response = await _send(dns_zone, update)
    assert response.rcode() == dns.rcode.YXRRSET
    assert dns_zone.records("example.com", "MX") == []

    update = _update()
    update.present("@", "TXT", '"v=spf1 -all"')
    update.replace("@", 600, "TXT", '"v=spf1 include:_spf.mail.test ~all"')
    response = await _send(dns_zone, update)
    assert response.rcode() == dns.rcode.NOERROR
    assert dns_zone.records("example.com", "TXT") == ['"v=spf1 include:_spf.mail.test ~all"']


async def test_update_deletes_records_but_keeps_the_apex_soa_and_ns(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "MX", "10 mxbiz1.qq.com.")
    dns_zone.add("example.com", "MX", "5 mx.mail.test.")
    update = _update()
    update.delete("@", "MX", "10 mxbiz1.qq.com.")
    update.delete("@", "NS")
    response = await _send(dns_zone, update)
    assert response.rcode() == dns.rcode.NOERROR
    assert dns_zone.records("example.com", "MX") == ["5 mx.mail.test."]
    assert dns_zone.records("example.com", "NS") == ["ns1.example.com."]


async def _raw_tcp(host: str, port: int, wire: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(struct.pack("!H", len(wire)) + wire)
    await writer.drain()
    (length,) = struct.unpack("!H", await reader.readexactly(2))
    data = await reader.readexactly(length)
    writer.close()
    return data
