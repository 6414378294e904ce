"""`FakeResolver`: a `Resolver` over plain record maps for mailauth and domains unit tests (mox MockResolver).

Names are keys without the final dot (A-labels). A name "exists" when any map has it or a name below
it (empty non-terminal), so NXDOMAIN vs NODATA follow RFC 8020. ``fail`` holds ``"type name"``
entries answered with SERVFAIL, ``timeout`` likewise with a timeout; a CNAME is followed for other
types, as a recursive resolver would.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import dns.reversename

from yunmail.dns import Answer, IPAddress, LookupStatus, MxRecord, SoaRecord, to_ascii_name
from yunmail.errors import DnsServerFailure, DnsTimeout

T = TypeVar("T")
V = TypeVar("V")


@dataclass
class FakeResolver:
    A: dict[str, list[str]] = field(default_factory=dict)
    AAAA: dict[str, list[str]] = field(default_factory=dict)
    MX: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    TXT: dict[str, list[str]] = field(default_factory=dict)
    CNAME: dict[str, str] = field(default_factory=dict)
    NS: dict[str, list[str]] = field(default_factory=dict)
    PTR: dict[str, list[str]] = field(default_factory=dict)  # key: IP address text
    SOA: dict[str, SoaRecord] = field(default_factory=dict)
    fail: set[str] = field(default_factory=set)  # "txt example.com"
    timeout: set[str] = field(default_factory=set)
    authenticated: bool = False
    lookups: list[str] = field(default_factory=list)  # "txt example.com", in order

    async def mx(self, name: str) -> Answer[MxRecord]:
        answer = self._lookup("mx", name, self.MX, lambda v: MxRecord(v[0], v[1].rstrip(".").lower() or "."))
        return Answer(answer.name, answer.status, tuple(sorted(answer.records)), answer.authenticated)

    async def txt(self, name: str) -> Answer[str]:
        return self._lookup("txt", name, self.TXT, str)

    async def a(self, name: str) -> Answer[ipaddress.IPv4Address]:
        return self._lookup("a", name, self.A, ipaddress.IPv4Address)

    async def aaaa(self, name: str) -> Answer[ipaddress.IPv6Address]:
        return self._lookup("aaaa", name, self.AAAA, ipaddress.IPv6Address)

    async def cname(self, name: str) -> Answer[str]:
        single = {key: [value] for key, value in self.CNAME.items()}
        return self._lookup("cname", name, single, _host, follow=False)

    async def ns(self, name: str) -> Answer[str]:
        return self._lookup("ns", name, self.NS, _host)

    async def ptr(self, address: str | IPAddress) -> Answer[str]:
        text = str(ipaddress.ip_address(str(address)))
        reverse = dns.reversename.from_address(text).to_text(omit_final_dot=True)
        self._check("ptr", reverse)
        values = self.PTR.get(text)
        if values is None:
            return Answer(reverse, LookupStatus.NXDOMAIN, authenticated=self.authenticated)
        return Answer(reverse, LookupStatus.OK, tuple(_host(v) for v in values), self.authenticated)

    async def soa(self, name: str) -> Answer[SoaRecord]:
        return self._lookup("soa", name, {k: [v] for k, v in self.SOA.items()}, lambda v: v)

    def _check(self, kind: str, name: str) -> None:
        key = f"{kind} {name}"
        self.lookups.append(key)
        if key in self.fail:
            raise DnsServerFailure(name=name, rdtype=kind.upper())
        if key in self.timeout:
            raise DnsTimeout(name=name, rdtype=kind.upper())

    def _names(self) -> set[str]:
        maps: Sequence[Mapping[str, object]] = (
            self.A,
            self.AAAA,
            self.MX,
            self.TXT,
            self.CNAME,
            self.NS,
            self.SOA,
        )
        return {key.rstrip(".").lower() for table in maps for key in table}

    def _lookup(
        self,
        kind: str,
        name: str,
        table: Mapping[str, Sequence[V]],
        convert: Callable[[V], T],
        follow: bool = True,
    ) -> Answer[T]:
        ascii_name = to_ascii_name(name)
        current = ascii_name
        canonical: str | None = None
        for _ in range(8):
            self._check(kind, current)
            values = _get(table, current)
            if values is not None:
                return Answer(
                    ascii_name,
                    LookupStatus.OK,
                    tuple(convert(v) for v in values),
                    self.authenticated,
                    canonical_name=canonical,
                )
            target = _get_one(self.CNAME, current)
            if follow and target is not None:
                current = canonical = _host(target)
                continue
            break
        names = self._names()
        exists = any(n == current or n.endswith("." + current) for n in names)
        status = LookupStatus.NODATA if exists else LookupStatus.NXDOMAIN
        return Answer(ascii_name, status, authenticated=self.authenticated, canonical_name=canonical)


def _host(value: str) -> str:
    return value.rstrip(".").lower() or "."


def _get(table: Mapping[str, Sequence[V]], name: str) -> Sequence[V] | None:
    for key, values in table.items():
        if key.rstrip(".").lower() == name:
            return values
    return None


def _get_one(table: Mapping[str, str], name: str) -> str | None:
    for key, value in table.items():
        if key.rstrip(".").lower() == name:
            return value
    return None
