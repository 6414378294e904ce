"""`DnsPythonResolver` against the in-process authoritative server: typed answers and failure kinds."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from support.dns_server import DnsTestServer
from yunmail.config import DnsSettings
from yunmail.dns import DnsPythonResolver, LookupStatus, MxRecord, SoaRecord, is_null_mx, to_ascii_name
from yunmail.errors import DnsLookupFailed, DnsNameInvalid, DnsServerFailure, DnsTimeout


async def test_mx_records_come_sorted_by_preference(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "MX", "20 mx2.mail.test.")
    dns_zone.add("example.com", "MX", "10 MX1.Mail.Test.")
    answer = await dns_zone.resolver().mx("example.com")
    assert answer.status is LookupStatus.OK
    assert answer.records == (MxRecord(10, "mx1.mail.test"), MxRecord(20, "mx2.mail.test"))
    assert answer.ttl == 300
    assert not is_null_mx(answer)


async def test_null_mx_is_detected(dns_zone: DnsTestServer) -> None:
    # RFC 7505 §3
    dns_zone.add("nomail.example", "MX", "0 .")
    answer = await dns_zone.resolver().mx("nomail.example")
    assert answer.records == (MxRecord(0, "."),)
    assert is_null_mx(answer)


async def test_txt_joins_character_strings_without_separator(dns_zone: DnsTestServer) -> None:
    # RFC 7208 §3.3: the strings of one record are concatenated
    dns_zone.add("example.com", "TXT", ["v=spf1 include:_spf.mail.test", " -all"])
    answer = await dns_zone.resolver().txt("example.com")
    assert answer.records == ("v=spf1 include:_spf.mail.test -all",)


async def test_txt_keeps_stray_spaces_exactly(dns_zone: DnsTestServer) -> None:
    dns_zone.add("_dnsauth.example.com", "TXT", " token-123  ")
    answer = await dns_zone.resolver().txt("_dnsauth.example.com")
    assert answer.records == (" token-123  ",)


async def test_txt_decodes_utf8_and_keeps_undecodable_bytes(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "TXT", "说明".encode() + b"\xff")
    (text,) = (await dns_zone.resolver().txt("example.com")).records
    assert text.startswith("说明")
    assert text.encode("utf-8", "surrogateescape") == "说明".encode() + b"\xff"


async def test_missing_name_is_nxdomain_with_the_zone(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "A", "192.0.2.1")
    answer = await dns_zone.resolver().txt("nothing.example.com")
    assert answer.status is LookupStatus.NXDOMAIN
    assert not answer.exists
    assert answer.records == ()
    assert answer.zone == "example.com"


async def test_existing_name_without_the_type_is_nodata(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "A", "192.0.2.1")
    answer = await dns_zone.resolver().mx("example.com")
    assert answer.status is LookupStatus.NODATA
    assert answer.exists
    assert answer.zone == "example.com"


async def test_empty_non_terminal_is_nodata_not_nxdomain(dns_zone: DnsTestServer) -> None:
    # RFC 8020: a name with children exists even without records of its own
    dns_zone.add("s1._domainkey.example.com", "TXT", "v=DKIM1; p=")
    answer = await dns_zone.resolver().txt("_domainkey.example.com")
    assert answer.status is LookupStatus.NODATA


async def test_cname_is_followed_and_reported(dns_zone: DnsTestServer) -> None:
    dns_zone.add("mail.example.com", "CNAME", "web.mail.test.")
    dns_zone.add("web.mail.test", "A", "192.0.2.7")
    resolver = dns_zone.resolver()
    answer = await resolver.a("mail.example.com")
    assert answer.records == (ipaddress.IPv4Address("192.0.2.7"),)
    assert answer.canonical_name == "web.mail.test"
    assert (await resolver.cname("mail.example.com")).records == ("web.mail.test",)


async def test_address_ns_soa_and_ptr_answers_are_typed(dns_zone: DnsTestServer) -> None:
    dns_zone.add("host.example.com", "AAAA", "2001:db8::25")
    dns_zone.add("2.0.192.in-addr.arpa", "SOA", "ns1.example.com. h.example.com. 1 2 3 4 5")
    dns_zone.add("7.2.0.192.in-addr.arpa", "PTR", "mx.example.com.")
    resolver = dns_zone.resolver()
    assert (await resolver.aaaa("host.example.com")).records == (ipaddress.IPv6Address("2001:db8::25"),)
    assert (await resolver.ns("example.com")).records == ("ns1.example.com",)
    (soa,) = (await resolver.soa("example.com")).records
    assert isinstance(soa, SoaRecord) and soa.mname == "ns1.example.com" and soa.minimum == 60
    assert (await resolver.ptr("192.0.2.7")).records == ("mx.example.com",)


async def test_unicode_names_are_queried_as_a_labels(dns_zone: DnsTestServer) -> None:
    dns_zone.add("xn--fsqu00a.xn--0zwm56d", "MX", "10 mx1.mail.test.")
    answer = await dns_zone.resolver().mx("例子.测试")
    assert answer.name == "xn--fsqu00a.xn--0zwm56d"
    assert answer.records == (MxRecord(10, "mx1.mail.test"),)
    assert to_ascii_name("例子.测试.") == "xn--fsqu00a.xn--0zwm56d"


async def test_big_txt_answer_is_retried_over_tcp(dns_zone: DnsTestServer) -> None:
    # RFC 1035 §4.2.1 truncation; RFC 7766: the client retries over TCP
    value = "v=DKIM1; k=rsa; p=" + "A" * 3000
    dns_zone.add("big._domainkey.example.com", "TXT", value)
    answer = await dns_zone.resolver().txt("big._domainkey.example.com")
    assert answer.records == (value,)
    transports = [q.transport for q in dns_zone.queries if q.name == "big._domainkey.example.com"]
    assert transports == ["udp", "tcp"]


async def test_authenticated_flag_reflects_the_ad_bit(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "A", "192.0.2.1")
    resolver = dns_zone.resolver()
    assert (await resolver.a("example.com")).authenticated is False
    dns_zone.authenticated = True
    assert (await resolver.a("example.com")).authenticated is True


async def test_servfail_raises_server_failure(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "MX", "10 mx.mail.test.")
    dns_zone.fail.add(("example.com", "MX"))
    with pytest.raises(DnsServerFailure) as caught:
        await dns_zone.resolver().mx("example.com")
    assert caught.value.code == "DNS_SERVER_FAILURE"


async def test_silent_server_raises_timeout(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "TXT", "x")
    dns_zone.drop.add(("example.com", "TXT"))
    with pytest.raises(DnsTimeout):
        await dns_zone.resolver(timeout=0.3).txt("example.com")


async def test_closed_port_times_out() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(DnsTimeout) as caught:
        await DnsPythonResolver([("127.0.0.1", port)], timeout=0.3).a("example.com")
    assert isinstance(caught.value, DnsLookupFailed)


async def test_names_outside_the_served_zones_are_refused(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "A", "192.0.2.1")
    with pytest.raises(DnsLookupFailed) as caught:
        await dns_zone.resolver().a("example.org")
    assert not isinstance(caught.value, DnsTimeout)


async def test_invalid_names_are_rejected_before_querying(dns_zone: DnsTestServer) -> None:
    with pytest.raises(DnsNameInvalid):
        await dns_zone.resolver().a("a..b")
    with pytest.raises(DnsNameInvalid):
        await dns_zone.resolver().a("x" * 64 + ".com")


async def test_resolver_from_settings_uses_the_configured_server(dns_zone: DnsTestServer) -> None:
    dns_zone.add("example.com", "A", "192.0.2.1")
    resolver = DnsPythonResolver.from_settings(
        DnsSettings(nameservers=(dns_zone.nameserver,), timeout_seconds=2)
    )
    assert (await resolver.a("example.com")).records == (ipaddress.IPv4Address("192.0.2.1"),)
