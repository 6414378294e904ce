"""An in-process authoritative DNS server for tests: zones a test edits at runtime, served on loopback.

It answers over UDP and TCP on the same ``127.0.0.1`` port (chosen by the OS), with the AA flag,
NXDOMAIN vs NODATA per RFC 2308 (SOA in the authority section), CNAME chasing inside the served
zones (RFC 1034 §4.3.2), truncation (TC) when an answer exceeds the client's UDP/EDNS size
(RFC 1035 §4.2.1, RFC 6891 §6.2.5) and RFC 2136 UPDATE signed with TSIG (RFC 8945).

It is deliberately permissive where real panels are: a CNAME may share its name with other records
(the "CNAME conflict" a diagnosis must find); such a name answers the exact type when it has it.

``fail`` and ``drop`` inject SERVFAIL and silence (a timeout) for ``(name, type)`` pairs.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import cast

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset
import dns.tsig
import dns.update
import pytest

from yunmail.dns import DnsPythonResolver

IN = dns.rdataclass.IN
Node = dict[dns.rdatatype.RdataType, dns.rdataset.Rdataset]
Data = dict[dns.name.Name, Node]

TSIG_KEY_NAME = "yunmail-update."
TSIG_SECRET = b"yunmail test tsig secret, 32 b!!"


@dataclass(frozen=True, slots=True)
class LoggedQuery:
    transport: str  # "udp" | "tcp"
    name: str
    rdtype: str


def _name(text: str | dns.name.Name) -> dns.name.Name:
    if isinstance(text, dns.name.Name):
        return text
    if text in ("", "@", "."):
        return dns.name.root
    return dns.name.from_text(text.rstrip(".") + ".")


def make_rdata(rdtype: str | dns.rdatatype.RdataType, value: str | bytes | Iterable[str]) -> dns.rdata.Rdata:
    """Zone-file text (names absolute); TXT also takes raw text (split at 255 bytes) or a list of strings."""
    kind = dns.rdatatype.RdataType.make(rdtype)
    if kind == dns.rdatatype.TXT:
        if isinstance(value, bytes):
            strings = [value[i : i + 255] for i in range(0, len(value), 255)] or [b""]
        elif isinstance(value, str) and not value.startswith('"'):
            raw = value.encode("utf-8", "surrogateescape")
            strings = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
        elif isinstance(value, str):
            return dns.rdata.from_text(IN, kind, value, origin=dns.name.root, relativize=False)
        else:
            strings = [item.encode("utf-8") for item in value]
        return dns.rdtypes.ANY.TXT.TXT(IN, kind, strings)
    if not isinstance(value, str):
        raise TypeError(f"{kind.name} values are zone-file text")
    return dns.rdata.from_text(IN, kind, value, origin=dns.name.root, relativize=False)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: DnsTestServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = self.server.handle_wire(data, "udp")
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


@dataclass
class DnsTestServer:
    """Authoritative server for any number of zones; ``add``/``remove``/``set`` edit them live."""

    tsig_keys: dict[str, bytes] = field(default_factory=lambda: {TSIG_KEY_NAME: TSIG_SECRET})
    fail: set[tuple[str, str]] = field(default_factory=set)
    drop: set[tuple[str, str]] = field(default_factory=set)
    queries: list[LoggedQuery] = field(default_factory=list)
    authenticated: bool = False  # set AD on answers, as a validating resolver would (RFC 4035 §3.2.3)
    address: tuple[str, int] = ("127.0.0.1", 0)
    _data: Data = field(default_factory=dict)
    _zones: set[dns.name.Name] = field(default_factory=set)
    _udp: asyncio.DatagramTransport | None = None
    _tcp: asyncio.Server | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1") -> None:
        loop = asyncio.get_running_loop()
        for _ in range(20):
            udp, _proto = await loop.create_datagram_endpoint(
                lambda: _UdpProtocol(self), local_addr=(host, 0)
            )
            port = udp.get_extra_info("sockname")[1]
            try:
                self._tcp = await asyncio.start_server(self._serve_tcp, host, port)
            except OSError:
                udp.close()
                continue
            self._udp = udp
            self.address = (host, port)
            return
        raise RuntimeError("could not bind UDP and TCP on one port")

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            with contextlib.suppress(Exception):
                await self._tcp.wait_closed()

    @property
    def nameserver(self) -> str:
        """The ``Settings.dns.nameservers`` entry for this server."""
        return f"{self.address[0]}:{self.address[1]}"

    def resolver(self, timeout: float = 2.0) -> DnsPythonResolver:
        return DnsPythonResolver([self.address], timeout=timeout)

    # --- zone editing ------------------------------------------------------------------------

    def add_zone(self, origin: str, ns: Iterable[str] = (), ttl: int = 300) -> None:
        """Create a zone with SOA and NS (default ``ns1.<origin>``); no-op when it exists."""
        apex = _name(origin)
        if apex in self._zones:
            return
        self._zones.add(apex)
        ns_hosts = list(ns) or [f"ns1.{apex.to_text()}"]
        soa = f"{ns_hosts[0]} hostmaster.{apex.to_text()} 1 3600 600 86400 60"
        self._put(apex, "SOA", [make_rdata("SOA", soa)], ttl, replace=True)
        self._put(apex, "NS", [make_rdata("NS", host) for host in ns_hosts], ttl, replace=True)

    def add(self, name: str, rdtype: str, value: str | bytes | Iterable[str], ttl: int = 300) -> None:
        """Add one record; a zone is created at the last two labels when none covers the name."""
        owner = _name(name)
        self._ensure_zone(owner)
        self._put(owner, rdtype, [make_rdata(rdtype, value)], ttl, replace=False)

    def set(self, name: str, rdtype: str, values: Iterable[str | bytes] | str, ttl: int = 300) -> None:
        """Replace the whole RRset (a plain string is one value)."""
        owner = _name(name)
        self._ensure_zone(owner)
        items = [values] if isinstance(values, str | bytes) else list(values)
        self._put(owner, rdtype, [make_rdata(rdtype, item) for item in items], ttl, replace=True)

    def remove(self, name: str, rdtype: str | None = None, value: str | bytes | None = None) -> None:
        """Remove one record, one RRset (no value), or every record at the name (no type)."""
        owner = _name(name)
        node = self._data.get(owner)
        if node is None:
            return
        if rdtype is None:
            del self._data[owner]
            return
        kind = dns.rdatatype.RdataType.make(rdtype)
        if value is None:
            node.pop(kind, None)
        elif kind in node:
            node[kind].discard(make_rdata(kind, value))  # type: ignore[no-untyped-call]
            if not node[kind]:
                del node[kind]
        if not node:
            del self._data[owner]

    def records(self, name: str, rdtype: str) -> list[str]:
        node = self._data.get(_name(name), {})
        rdataset = node.get(dns.rdatatype.RdataType.make(rdtype))
        return [rd.to_text() for rd in rdataset] if rdataset else []

    def _ensure_zone(self, owner: dns.name.Name) -> None:
        if self._zone_of(owner) is None:
            labels = owner.labels
            self.add_zone(dns.name.Name(labels[-3:]).to_text() if len(labels) >= 3 else owner.to_text())

    def _put(
        self, owner: dns.name.Name, rdtype: str, rdatas: list[dns.rdata.Rdata], ttl: int, replace: bool
    ) -> None:
        kind = dns.rdatatype.RdataType.make(rdtype)
        node = self._data.setdefault(owner, {})
        if replace or kind not in node:
            node[kind] = dns.rdataset.Rdataset(IN, kind)
        for rdata in rdatas:
            node[kind].add(rdata, ttl)

    def _zone_of(self, name: dns.name.Name) -> dns.name.Name | None:
        found = [zone for zone in self._zones if name.is_subdomain(zone)]
        return max(found, key=lambda zone: len(zone.labels)) if found else None

    # --- wire handling -----------------------------------------------------------------------

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                header = await reader.readexactly(2)
                (length,) = struct.unpack("!H", header)
                data = await reader.readexactly(length)
                reply = self.handle_wire(data, "tcp")
                if reply is None:
                    continue
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def handle_wire(self, data: bytes, transport: str) -> bytes | None:
        try:
            query = dns.message.from_wire(data, keyring=self._keyring)
        except (dns.message.UnknownTSIGKey, dns.tsig.BadSignature, dns.tsig.PeerError, dns.tsig.BadTime):
            return self._notauth(data)
        except dns.exception.DNSException:
            return None
        if query.opcode() == dns.opcode.UPDATE:
            assert isinstance(query, dns.update.UpdateMessage)
            response = self._update(query)
            return response.to_wire()
        if not query.question:
            return None
        question = query.question[0]
        qname, qtype = question.name, question.rdtype
        self.queries.append(LoggedQuery(transport, qname.to_text(omit_final_dot=True), qtype.name))
        key = (qname.to_text(omit_final_dot=True).lower(), qtype.name)
        if key in self.drop:
            return None
        response = dns.message.make_response(query)
        if key in self.fail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        self._answer(response, qname, qtype)
        limit = 65535 if transport == "tcp" else max(512, query.payload if query.edns >= 0 else 512)
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            # RFC 1035 §4.2.1 / RFC 2181 §9: set TC and let the client retry over TCP.
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.TC | dns.flags.AA
            return truncated.to_wire()

    def _keyring(self, message: dns.message.Message, name: dns.name.Name) -> dns.tsig.Key | None:
        secret = self.tsig_keys.get(name.to_text())
        return None if secret is None else dns.tsig.Key(name, secret, dns.tsig.HMAC_SHA256)

    def _notauth(self, data: bytes) -> bytes | None:
        # RFC 8945 §5.2: a request failing TSIG verification gets NOTAUTH (unsigned here).
        try:
            query = dns.message.from_wire(data, keyring=False)
        except dns.exception.DNSException:
            return None
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.NOTAUTH)
        return response.to_wire()

    def _answer(
        self, response: dns.message.Message, qname: dns.name.Name, qtype: dns.rdatatype.RdataType
    ) -> None:
        zone = self._zone_of(qname)
        if zone is None:
            response.set_rcode(dns.rcode.REFUSED)
            return
        response.flags |= dns.flags.AA
        if self.authenticated:
            response.flags |= dns.flags.AD
        current = qname
        for _ in range(8):  # CNAME chain bound
            node = self._data.get(current)
            if node and qtype == dns.rdatatype.ANY:
                for rdataset in node.values():
                    self._append(response.answer, current, rdataset)
                return
            if node and qtype in node:
                self._append(response.answer, current, node[qtype])
                return
            if node and dns.rdatatype.CNAME in node and qtype != dns.rdatatype.CNAME:
                cname = node[dns.rdatatype.CNAME]
                self._append(response.answer, current, cname)
                target: dns.name.Name = next(iter(cname)).target
                zone = self._zone_of(target)
                if zone is None:
                    return  # out of our zones: the resolver would chase it elsewhere
                current = target
                continue
            break
        exists = current in self._data or any(name.is_subdomain(current) for name in self._data)
        if not exists and current != zone:
            response.set_rcode(dns.rcode.NXDOMAIN)
        soa = self._data[zone][dns.rdatatype.SOA]
        minimum: int = next(iter(soa)).minimum
        rrset = dns.rrset.RRset(zone, IN, dns.rdatatype.SOA)
        rrset.update(soa)  # type: ignore[no-untyped-call]
        rrset.ttl = min(soa.ttl, minimum)  # RFC 2308 §3
        response.authority.append(rrset)

    @staticmethod
    def _append(section: list[dns.rrset.RRset], name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> None:
        rrset = dns.rrset.RRset(name, IN, rdataset.rdtype)
        rrset.update(rdataset)  # type: ignore[no-untyped-call]
        rrset.ttl = rdataset.ttl
        section.append(rrset)

    # --- RFC 2136 UPDATE ---------------------------------------------------------------------

    def _update(self, message: dns.update.UpdateMessage) -> dns.message.Message:
        response = dns.message.make_response(message)
        if self.tsig_keys and not message.had_tsig:
            response.set_rcode(dns.rcode.REFUSED)  # RFC 2136 §3.3: not permitted unsigned
            return response
        if len(message.zone) != 1 or message.zone[0].name not in self._zones:
            response.set_rcode(dns.rcode.NOTAUTH)  # RFC 2136 §3.1.2
            return response
        zone = message.zone[0].name
        rcode = self._check_prerequisites(zone, message.prerequisite)
        if rcode == dns.rcode.NOERROR:
            rcode = self._apply_updates(zone, message.update)
        response.set_rcode(rcode)
        return response

    def _check_prerequisites(self, zone: dns.name.Name, prereqs: list[dns.rrset.RRset]) -> dns.rcode.Rcode:
        # RFC 2136 §3.2.5 (the table); value-dependent sets compare whole RRsets (§3.2.3).
        wanted: dict[tuple[dns.name.Name, dns.rdatatype.RdataType], set[dns.rdata.Rdata]] = {}
        for rrset in prereqs:
            if not rrset.name.is_subdomain(zone):
                return dns.rcode.NOTZONE
            node = self._data.get(rrset.name, {})
            if rrset.deleting == dns.rdataclass.ANY:
                if rrset.rdtype == dns.rdatatype.ANY and not node:
                    return dns.rcode.NXDOMAIN
                if rrset.rdtype != dns.rdatatype.ANY and rrset.rdtype not in node:
                    return dns.rcode.NXRRSET
            elif rrset.deleting == dns.rdataclass.NONE:
                if rrset.rdtype == dns.rdatatype.ANY and node:
                    return dns.rcode.YXDOMAIN
                if rrset.rdtype != dns.rdatatype.ANY and rrset.rdtype in node:
                    return dns.rcode.YXRRSET
            else:
                wanted.setdefault((rrset.name, rrset.rdtype), set()).update(rrset)
        for (name, rdtype), rdatas in wanted.items():
            have = self._data.get(name, {}).get(rdtype)
            if have is None or set(have) != rdatas:
                return dns.rcode.NXRRSET
        return dns.rcode.NOERROR

    def _apply_updates(self, zone: dns.name.Name, updates: list[dns.rrset.RRset]) -> dns.rcode.Rcode:
        for rrset in updates:  # RFC 2136 §3.4.1: prescan, all or nothing
            if not rrset.name.is_subdomain(zone):
                return dns.rcode.NOTZONE
        staged: Data = {name: {t: rds.copy() for t, rds in node.items()} for name, node in self._data.items()}  # type: ignore[no-untyped-call]
        apex_protected = (dns.rdatatype.SOA, dns.rdatatype.NS)
        for rrset in updates:  # §3.4.2
            node = staged.setdefault(rrset.name, {})
            if rrset.deleting is None:
                if rrset.rdtype == dns.rdatatype.SOA:
                    continue  # serials are ours
                rdataset = node.setdefault(rrset.rdtype, dns.rdataset.Rdataset(IN, rrset.rdtype))
                for rdata in rrset:
                    rdataset.add(rdata, rrset.ttl)
            elif rrset.deleting == dns.rdataclass.ANY:
                for kind in list(node) if rrset.rdtype == dns.rdatatype.ANY else [rrset.rdtype]:
                    if not (rrset.name == zone and kind in apex_protected):
                        node.pop(kind, None)
            else:
                existing = node.get(rrset.rdtype)
                if existing is None or (rrset.name == zone and rrset.rdtype == dns.rdatatype.SOA):
                    continue
                for rdata in rrset:
                    existing.discard(rdata)  # type: ignore[no-untyped-call]
                if not existing and not (rrset.name == zone and rrset.rdtype == dns.rdatatype.NS):
                    del node[rrset.rdtype]
            if not node:
                del staged[rrset.name]
        soa = staged[zone][dns.rdatatype.SOA]
        old = next(iter(soa))
        soa.clear()  # type: ignore[no-untyped-call]
        soa.add(old.replace(serial=old.serial + 1))
        self._data = staged
        return dns.rcode.NOERROR


@pytest.fixture
async def dns_zone() -> AsyncIterator[DnsTestServer]:
    """A fresh authoritative server on 127.0.0.1:<free port>; edit its zones in the test."""
    server = DnsTestServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
