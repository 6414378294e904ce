"""DNS lookups: the `Resolver` port with typed answers, and its dnspython (asyncio) implementation.

Every DNS question in Yunmail goes through a `Resolver` instance built by the composition root
(DESIGN §3 rule 8); tests use the in-process authoritative server (``tests/support/dns_server.py``)
or ``FakeResolver``, never a monkeypatched ``socket`` or ``dns.resolver``.

Implementation notes (invariants):

* An authoritative *negative* answer is a result, not an error: ``Answer.status`` is ``NXDOMAIN``
  (the name does not exist, RFC 8020) or ``NODATA`` (the name exists without records of that type,
  RFC 2308 §2.2). Transient trouble raises: ``DnsServerFailure`` (SERVFAIL), ``DnsTimeout``, and
  ``DnsLookupFailed`` for everything else (refused, unreachable). Callers such as SPF
  (temperror vs. void lookup) depend on that split.
* Names go out as absolute A-labels (U-labels are converted, IDNA 2008/UTS 46); host names come back
  lower-case without the final dot; the root name (null MX target, RFC 7505) is ``"."``.
* TXT values are the record's character-strings concatenated without separators (RFC 7208 §3.3,
  RFC 6376 §3.6.2.2) and decoded lossless: UTF-8 with ``surrogateescape``, so stray spaces, quotes
  and odd bytes survive for diagnosis.
* ``Answer.authenticated`` is the AD bit (RFC 4035 §3.2.3) of the response; queries set AD
  (RFC 6840 §5.7) so a validating resolver reports it. It is only as trustworthy as the path to the
  resolver.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, NamedTuple, Protocol, TypeVar

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdata
import dns.rdatatype
import dns.resolver
import dns.reversename
import idna

from yunmail.config import DnsSettings, parse_host_port
from yunmail.errors import DnsLookupFailed, DnsNameInvalid, DnsServerFailure, DnsTimeout

__all__ = [
    "Answer",
    "DnsPythonResolver",
    "IPAddress",
    "LookupStatus",
    "MxRecord",
    "Resolver",
    "SoaRecord",
    "is_null_mx",
    "to_ascii_name",
]

T = TypeVar("T")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

EDNS_PAYLOAD = 1232  # DNS flag day 2020: avoids IP fragmentation, forces TCP for big answers


class LookupStatus(enum.StrEnum):
    OK = "ok"
    NXDOMAIN = "nxdomain"  # RFC 8020: nothing exists at or below the name
    NODATA = "nodata"  # RFC 2308 §2.2: the name exists, no records of this type


class MxRecord(NamedTuple):
    preference: int
    host: str  # "." for the null MX target (RFC 7505)


class SoaRecord(NamedTuple):
    mname: str
    rname: str
    serial: int
    refresh: int
    retry: int
    expire: int
    minimum: int


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    """The answer to one question: records (possibly none) and how the name fared."""

    name: str
    status: LookupStatus
    records: tuple[T, ...] = ()
    authenticated: bool = False
    ttl: int | None = None
    canonical_name: str | None = None  # target at the end of a CNAME chain, when one was followed
    zone: str | None = None  # owner of the SOA in a negative answer's authority section (RFC 2308 §3)

    @property
    def exists(self) -> bool:
        """The name exists (even without records of the asked type)."""
        return self.status is not LookupStatus.NXDOMAIN

    def __iter__(self) -> Iterator[T]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


def is_null_mx(records: Sequence[MxRecord] | Answer[MxRecord]) -> bool:
    """RFC 7505 §3: a single MX with preference 0 and the root as target means "accepts no mail"."""
    items = tuple(records)
    return len(items) == 1 and items[0].host == "."


class Resolver(Protocol):
    """DNS port: one coroutine per record type; negative answers in ``status``, failures raised."""

    async def mx(self, name: str) -> Answer[MxRecord]: ...

    async def txt(self, name: str) -> Answer[str]: ...

    async def a(self, name: str) -> Answer[ipaddress.IPv4Address]: ...

    async def aaaa(self, name: str) -> Answer[ipaddress.IPv6Address]: ...

    async def cname(self, name: str) -> Answer[str]: ...

    async def ns(self, name: str) -> Answer[str]: ...

    async def ptr(self, address: str | IPAddress) -> Answer[str]: ...

    async def soa(self, name: str) -> Answer[SoaRecord]: ...


def to_ascii_name(name: str) -> str:
    """``例子.测试`` -> ``xn--fsqu00a.xn--0zwm56d``; ASCII names are lower-cased; no final dot."""
    text = name.strip().rstrip(".")
    if not text:
        raise DnsNameInvalid(name=name)
    if text.isascii():
        ascii_name = text.lower()
    else:
        try:
            ascii_name = idna.encode(text, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise DnsNameInvalid(name=name) from exc
    try:
        dns.name.from_text(ascii_name)
    except dns.exception.DNSException as exc:
        raise DnsNameInvalid(name=name) from exc
    return ascii_name


def _host(name: dns.name.Name) -> str:
    if name == dns.name.root:
        return "."
    return name.to_text(omit_final_dot=True).lower()


def _txt(rdata: dns.rdata.Rdata) -> str:
    strings: tuple[bytes, ...] = rdata.strings  # type: ignore[attr-defined]
    return b"".join(strings).decode("utf-8", "surrogateescape")


def _mx(rdata: dns.rdata.Rdata) -> MxRecord:
    return MxRecord(int(rdata.preference), _host(rdata.exchange))  # type: ignore[attr-defined]


def _soa(rdata: dns.rdata.Rdata) -> SoaRecord:
    r = rdata
    return SoaRecord(
        _host(r.mname),  # type: ignore[attr-defined]
        _host(r.rname),  # type: ignore[attr-defined]
        int(r.serial),  # type: ignore[attr-defined]
        int(r.refresh),  # type: ignore[attr-defined]
        int(r.retry),  # type: ignore[attr-defined]
        int(r.expire),  # type: ignore[attr-defined]
        int(r.minimum),  # type: ignore[attr-defined]
    )


def _target(rdata: dns.rdata.Rdata) -> str:
    return _host(rdata.target)  # type: ignore[attr-defined]


def _ipv4(rdata: dns.rdata.Rdata) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(rdata.address)  # type: ignore[attr-defined]


def _ipv6(rdata: dns.rdata.Rdata) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address(rdata.address)  # type: ignore[attr-defined]


def _negative_zone(response: dns.message.Message | None) -> str | None:
    if response is None:
        return None
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return _host(rrset.name)
    return None


class DnsPythonResolver:
    """`Resolver` over ``dns.asyncresolver``: configured ``(host, port)`` servers, or the system's."""

    def __init__(self, nameservers: Sequence[tuple[str, int]] = (), timeout: float = 5.0) -> None:
        if nameservers:
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in nameservers]
        else:
            try:
                resolver = dns.asyncresolver.Resolver(configure=True)
            except dns.resolver.NoResolverConfiguration:
                resolver = dns.asyncresolver.Resolver(configure=False)
                resolver.nameservers = ["127.0.0.1"]
        resolver.timeout = timeout
        resolver.lifetime = timeout
        # RFC 6840 §5.7: setting AD in the query asks a validating resolver to report it.
        resolver.flags = dns.flags.RD | dns.flags.AD
        resolver.use_edns(0, 0, EDNS_PAYLOAD)
        resolver.use_search_by_default = False
        self._resolver = resolver

    @classmethod
    def from_settings(cls, settings: DnsSettings) -> DnsPythonResolver:
        servers = [parse_host_port(text, default_port=53) for text in settings.nameservers]
        return cls(servers, settings.timeout_seconds)

    async def mx(self, name: str) -> Answer[MxRecord]:
        answer = await self._query(name, dns.rdatatype.MX, _mx)
        ordered = tuple(sorted(answer.records))
        return Answer(
            answer.name,
            answer.status,
            ordered,
            answer.authenticated,
            answer.ttl,
            answer.canonical_name,
            answer.zone,
        )

    async def txt(self, name: str) -> Answer[str]:
        return await self._query(name, dns.rdatatype.TXT, _txt)

    async def a(self, name: str) -> Answer[ipaddress.IPv4Address]:
        return await self._query(name, dns.rdatatype.A, _ipv4)

    async def aaaa(self, name: str) -> Answer[ipaddress.IPv6Address]:
        return await self._query(name, dns.rdatatype.AAAA, _ipv6)

    async def cname(self, name: str) -> Answer[str]:
        return await self._query(name, dns.rdatatype.CNAME, _target)

    async def ns(self, name: str) -> Answer[str]:
        return await self._query(name, dns.rdatatype.NS, _target)

    async def ptr(self, address: str | IPAddress) -> Answer[str]:
        try:
            reverse = dns.reversename.from_address(str(address))
        except (ValueError, dns.exception.DNSException) as exc:
            raise DnsNameInvalid(name=str(address)) from exc
        return await self._query(reverse.to_text(omit_final_dot=True), dns.rdatatype.PTR, _target)

    async def soa(self, name: str) -> Answer[SoaRecord]:
        return await self._query(name, dns.rdatatype.SOA, _soa)

    async def _query(
        self, name: str, rdtype: dns.rdatatype.RdataType, convert: Callable[[dns.rdata.Rdata], T]
    ) -> Answer[T]:
        ascii_name = to_ascii_name(name)
        qname = dns.name.from_text(ascii_name)
        type_text = dns.rdatatype.to_text(rdtype)
        try:
            result = await self._resolver.resolve(qname, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN as exc:
            responses = exc.responses()  # type: ignore[no-untyped-call]
            response = responses.get(qname) or next(iter(responses.values()), None)
            canonical = exc.canonical_name
            return Answer(
                ascii_name,
                LookupStatus.NXDOMAIN,
                authenticated=bool(response is not None and response.flags & dns.flags.AD),
                canonical_name=_host(canonical) if canonical != qname else None,
                zone=_negative_zone(response),
            )
        except dns.resolver.LifetimeTimeout as exc:
            raise DnsTimeout(name=ascii_name, rdtype=type_text) from exc
        except dns.resolver.NoNameservers as exc:
            raise _classify_no_nameservers(exc, ascii_name, type_text) from exc
        except dns.exception.Timeout as exc:
            raise DnsTimeout(name=ascii_name, rdtype=type_text) from exc
        except dns.exception.DNSException as exc:
            raise DnsLookupFailed(name=ascii_name, rdtype=type_text, reason=type(exc).__name__) from exc
        response = result.response
        authenticated = bool(response.flags & dns.flags.AD)
        canonical_name = _host(result.canonical_name) if result.canonical_name != qname else None
        if result.rrset is None:
            return Answer(
                ascii_name,
                LookupStatus.NODATA,
                authenticated=authenticated,
                canonical_name=canonical_name,
                zone=_negative_zone(response),
            )
        records = tuple(convert(rdata) for rdata in result.rrset)
        return Answer(
            ascii_name,
            LookupStatus.OK,
            records,
            authenticated,
            result.rrset.ttl,
            canonical_name,
        )


def _classify_no_nameservers(exc: dns.resolver.NoNameservers, name: str, rdtype: str) -> DnsLookupFailed:
    """Every server failed: SERVFAIL if one said so, a timeout if all timed out, else the first error."""
    errors = exc.kwargs.get("errors") or []
    reasons: list[str] = []
    for error in errors:
        # dnspython: (server, tcp, port, exception or None, response or None)
        failure, response = error[3], error[4]
        if response is not None and response.rcode() == dns.rcode.SERVFAIL:
            return DnsServerFailure(name=name, rdtype=rdtype)
        if response is not None:
            reasons.append(dns.rcode.to_text(response.rcode()))
        elif failure is not None:
            reasons.append(type(failure).__name__)
    if reasons and all(reason in ("Timeout", "TimeoutError") for reason in reasons):
        return DnsTimeout(name=name, rdtype=rdtype)
    return DnsLookupFailed(name=name, rdtype=rdtype, reason=", ".join(dict.fromkeys(reasons)) or "no servers")
