"""SPF (RFC 7208): record parsing, ``check_host()`` over our `Resolver`, static lookup counts for diagnosis.

Implementation notes:

* The DNS-lookup budget is 10 terms per evaluation (include, a, mx, ptr, exists, redirect), shared
  by nested includes (§4.6.4); at most 2 void lookups (NXDOMAIN/NODATA answers, §4.6.4); at most
  10 MX or PTR names per term. Going over is ``permerror``.
* Any `DnsLookupFailed` (SERVFAIL, timeout, refused) is ``temperror`` (§4.4, §2.6.6).
* Macros (§7) are expanded in domain-specs and explanations: ``s l o d i v h`` always, ``c r t``
  in ``exp`` only; ``p`` expands to ``unknown`` (its use is discouraged, §7.3, and it costs lookups).
* The ``ptr`` mechanism (§5.5) is evaluated but discouraged; diagnosis warns about it.
"""

from __future__ import annotations

import enum
import ipaddress
import re
import time
import urllib.parse
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from yunmail.dns import Answer, IPAddress, LookupStatus, Resolver, to_ascii_name
from yunmail.errors import DnsLookupFailed, DnsNameInvalid

__all__ = [
    "LOOKUP_LIMIT",
    "VOID_LOOKUP_LIMIT",
    "LookupCount",
    "SpfOutcome",
    "SpfRecord",
    "SpfResult",
    "SpfSyntaxError",
    "Term",
    "check_host",
    "count_lookups",
    "evaluate",
    "is_spf_record",
    "parse_record",
]

LOOKUP_LIMIT = 10
VOID_LOOKUP_LIMIT = 2
MAX_NAMES_PER_TERM = 10

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
COUNTED = ("include", "a", "mx", "ptr", "exists")
QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
_MODIFIER = re.compile(r"^([A-Za-z][A-Za-z0-9._-]*)=(.*)$")
_CIDR = re.compile(r"^(.*?)(?:/(0|[1-9][0-9]{0,2}))?(?://(0|[1-9][0-9]{0,2}))?$")
T = TypeVar("T")
_TOPLABEL = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")
_MACRO = re.compile(r"%\{([a-zA-Z])([0-9]*)(r?)([.+,/_=-]*)\}|%%|%_|%-|%")


class SpfResult(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


class SpfSyntaxError(ValueError):
    """The record (or a macro in it) does not follow RFC 7208 §12; evaluation yields permerror."""


@dataclass(frozen=True, slots=True)
class Term:
    qualifier: str  # "+", "-", "~", "?"
    mechanism: str
    argument: str | None = None  # domain-spec, or the network of ip4/ip6
    cidr4: int | None = None
    cidr6: int | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class SpfRecord:
    terms: tuple[Term, ...]
    redirect: str | None = None
    exp: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class SpfOutcome:
    result: SpfResult
    domain: str
    matched: str | None = None  # the directive that decided, as written
    explanation: str | None = None
    problem: str | None = None  # why permerror/temperror/none
    lookups: int = 0


@dataclass(frozen=True, slots=True)
class LookupCount:
    """Static count of DNS-querying terms reachable from a domain's record (worst case, §4.6.4)."""

    lookups: int
    void_lookups: int
    problems: tuple[str, ...] = ()

    @property
    def over_limit(self) -> bool:
        return self.lookups > LOOKUP_LIMIT


def is_spf_record(text: str) -> bool:
    """§4.5: a record starts with exactly ``v=spf1`` followed by a space or the end."""
    lowered = text.lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def parse_record(text: str) -> SpfRecord:
    """Parse ``v=spf1 ...`` (§4.6.1, ABNF §12); raises `SpfSyntaxError`."""
    if not is_spf_record(text):
        raise SpfSyntaxError("the record does not start with 'v=spf1'")
    terms: list[Term] = []
    modifiers: dict[str, str] = {}
    for token in text.split(" ")[1:]:
        if not token:
            continue  # 1*SP between terms, *SP at the end
        match = _MODIFIER.match(token)
        if match and match.group(1).lower() not in MECHANISMS:
            name, value = match.group(1).lower(), match.group(2)
            if name in ("redirect", "exp"):
                if name in modifiers:
                    raise SpfSyntaxError(f"'{name}' appears more than once")  # §6
                _check_domain_spec(value)
            modifiers[name] = value
            continue
        terms.append(_parse_directive(token))
    return SpfRecord(tuple(terms), modifiers.get("redirect"), modifiers.get("exp"), text)


def _parse_directive(token: str) -> Term:
    qualifier = "+"
    body = token
    if body[:1] in QUALIFIERS:
        qualifier, body = body[0], body[1:]
    name, sep, rest = body.partition(":")
    argument_text = rest
    if not sep and "/" in name:  # "a/24", "mx//64": a CIDR length without a domain
        name, slash, cidr = name.partition("/")
        argument_text = slash + cidr
    mechanism = name.lower()
    if mechanism not in MECHANISMS:
        raise SpfSyntaxError(f"unknown mechanism '{token}'")
    if mechanism == "all":
        if sep or argument_text:
            raise SpfSyntaxError(f"'{token}': 'all' takes no argument")
        return Term(qualifier, "all", text=token)
    if mechanism in ("ip4", "ip6"):
        if not sep:
            raise SpfSyntaxError(f"'{token}' needs an address")
        return _parse_ip(qualifier, mechanism, rest, token)
    if mechanism in ("include", "exists") and not (sep and rest):
        raise SpfSyntaxError(f"'{token}' needs a domain")
    match = _CIDR.match(argument_text)
    if match is None:
        raise SpfSyntaxError(f"'{token}' has a bad CIDR length")
    domain, cidr4_text, cidr6_text = match.groups()
    if mechanism in ("include", "exists", "ptr") and (cidr4_text or cidr6_text):
        raise SpfSyntaxError(f"'{token}': '{mechanism}' takes no CIDR length")
    cidr4 = int(cidr4_text) if cidr4_text else None
    cidr6 = int(cidr6_text) if cidr6_text else None
    if (cidr4 is not None and cidr4 > 32) or (cidr6 is not None and cidr6 > 128):
        raise SpfSyntaxError(f"'{token}' has a bad CIDR length")
    if sep and not domain:
        raise SpfSyntaxError(f"'{token}' has an empty domain")
    if domain:
        _check_domain_spec(domain)
    return Term(qualifier, mechanism, domain or None, cidr4, cidr6, token)


def _parse_ip(qualifier: str, mechanism: str, rest: str, token: str) -> Term:
    address, _, prefix = rest.partition("/")
    try:
        if mechanism == "ip4":
            ipaddress.IPv4Address(address)
            limit = 32
        else:
            ipaddress.IPv6Address(address)
            limit = 128
    except ValueError as exc:
        raise SpfSyntaxError(f"'{token}' has a bad address") from exc
    if prefix and (not prefix.isdigit() or (len(prefix) > 1 and prefix[0] == "0") or int(prefix) > limit):
        raise SpfSyntaxError(f"'{token}' has a bad prefix length")
    if rest.endswith("/"):
        raise SpfSyntaxError(f"'{token}' has an empty prefix length")
    length = int(prefix) if prefix else limit
    return Term(
        qualifier,
        mechanism,
        address,
        length if mechanism == "ip4" else None,
        length if mechanism == "ip6" else None,
        token,
    )


def _check_domain_spec(spec: str) -> None:
    # §7.1 domain-spec = macro-string domain-end; literal characters are %x21-24 / %x26-7E.
    position = 0
    for match in _MACRO.finditer(spec):
        literal = spec[position : match.start()]
        if any(not (0x21 <= ord(c) <= 0x7E) for c in literal):
            raise SpfSyntaxError(f"'{spec}' has an invalid character")
        if match.group(0) == "%":
            raise SpfSyntaxError(f"'{spec}' has a bare '%'")
        if match.group(1) and match.group(1).lower() not in "slodiphv":
            raise SpfSyntaxError(f"'{spec}' uses an unknown macro")
        position = match.end()
    tail = spec[position:]
    if any(not (0x21 <= ord(c) <= 0x7E) for c in tail):
        raise SpfSyntaxError(f"'{spec}' has an invalid character")
    if "%" not in spec:
        labels = spec.rstrip(".").split(".")
        if len(labels) < 2 or not _TOPLABEL.match(labels[-1]) or any(not label for label in labels):
            raise SpfSyntaxError(f"'{spec}' is not a domain name")  # domain-end: "." toplabel


@dataclass(slots=True)
class _Context:
    resolver: Resolver
    ip: IPAddress
    sender: str
    helo: str
    receiver: str
    lookups: int = 0
    void: int = 0
    seen: list[str] = field(default_factory=list)


class _Stop(Exception):
    def __init__(self, result: SpfResult, problem: str) -> None:
        super().__init__(problem)
        self.result = result
        self.problem = problem


async def evaluate(
    resolver: Resolver, ip: str | IPAddress, mail_from: str, helo: str, receiver: str = "unknown"
) -> SpfOutcome:
    """Check the MAIL FROM identity (§2.4); a null reverse-path checks ``postmaster@<helo>`` (§2.2)."""
    sender = mail_from.strip("<>") or f"postmaster@{helo}"
    if "@" not in sender:
        sender = f"postmaster@{sender}"
    domain = sender.rpartition("@")[2]
    return await check_host(resolver, ip, domain, sender, helo, receiver)


async def check_host(
    resolver: Resolver,
    ip: str | IPAddress,
    domain: str,
    sender: str,
    helo: str = "unknown",
    receiver: str = "unknown",
) -> SpfOutcome:
    """``check_host(<ip>, <domain>, <sender>)`` of RFC 7208 §4."""
    address = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # §5: IPv4-mapped addresses are evaluated as IPv4
    local, _, sender_domain = sender.rpartition("@")
    ctx = _Context(resolver, address, f"{local or 'postmaster'}@{sender_domain}", helo, receiver)
    try:
        ascii_domain = to_ascii_name(domain)
    except DnsNameInvalid:
        ascii_domain = ""
    if not _valid_domain(ascii_domain):
        return SpfOutcome(SpfResult.NONE, domain, problem="not a fully qualified domain name")  # §4.3
    domain = ascii_domain
    try:
        result, matched, record = await _check(ctx, domain)
    except _Stop as stop:
        return SpfOutcome(stop.result, domain, problem=stop.problem, lookups=ctx.lookups)
    explanation = None
    if result is SpfResult.FAIL and record is not None and record.exp:
        explanation = await _explanation(ctx, record.exp, domain)
    return SpfOutcome(result, domain, matched, explanation, lookups=ctx.lookups)


def _valid_domain(domain: str) -> bool:
    labels = domain.rstrip(".").split(".")
    return len(labels) >= 2 and all(0 < len(label) <= 63 for label in labels) and len(domain) <= 253


async def _fetch_record(ctx: _Context, domain: str, *, for_include: bool) -> SpfRecord | None:
    try:
        answer = await ctx.resolver.txt(domain)
    except DnsNameInvalid:
        return None
    except DnsLookupFailed as exc:
        raise _Stop(SpfResult.TEMPERROR, f"DNS failure for {domain}: {exc.code}") from exc
    if for_include and answer.status is not LookupStatus.OK:
        _count_void(ctx)  # §4.6.4: NXDOMAIN or an empty answer is a void lookup
    records = [text for text in answer.records if is_spf_record(text)]
    if len(records) > 1:
        raise _Stop(SpfResult.PERMERROR, f"{domain} has {len(records)} SPF records")  # §4.5
    if not records:
        return None
    try:
        return parse_record(records[0])
    except SpfSyntaxError as exc:
        raise _Stop(SpfResult.PERMERROR, f"{domain}: {exc}") from exc


async def _check(ctx: _Context, domain: str) -> tuple[SpfResult, str | None, SpfRecord | None]:
    record = await _fetch_record(ctx, domain, for_include=bool(ctx.seen))
    if record is None:
        return SpfResult.NONE, None, None
    ctx.seen.append(domain)
    for term in record.terms:
        if term.mechanism in COUNTED:
            _count_lookup(ctx)
        if await _matches(ctx, term, domain):
            return SpfResult(QUALIFIERS[term.qualifier]), term.text, record
    has_all = any(term.mechanism == "all" for term in record.terms)
    if record.redirect and not has_all:  # §6.1
        _count_lookup(ctx)
        target = _expand(ctx, record.redirect, domain)
        if not _valid_domain(target):
            raise _Stop(SpfResult.PERMERROR, f"redirect to invalid domain '{target}'")
        result, matched, target_record = await _check(ctx, target)
        if result is SpfResult.NONE:
            raise _Stop(SpfResult.PERMERROR, f"redirect target {target} has no SPF record")
        return result, matched, target_record
    return SpfResult.NEUTRAL, None, record  # §4.7


def _count_lookup(ctx: _Context) -> None:
    ctx.lookups += 1
    if ctx.lookups > LOOKUP_LIMIT:
        raise _Stop(SpfResult.PERMERROR, f"more than {LOOKUP_LIMIT} DNS lookups")


def _count_void(ctx: _Context) -> None:
    ctx.void += 1
    if ctx.void > VOID_LOOKUP_LIMIT:
        raise _Stop(SpfResult.PERMERROR, f"more than {VOID_LOOKUP_LIMIT} void DNS lookups")


async def _matches(ctx: _Context, term: Term, domain: str) -> bool:
    mechanism = term.mechanism
    if mechanism == "all":
        return True
    if mechanism in ("ip4", "ip6"):
        assert term.argument is not None
        prefix = term.cidr4 if mechanism == "ip4" else term.cidr6
        network = ipaddress.ip_network(f"{term.argument}/{prefix}", strict=False)
        return ctx.ip.version == network.version and ctx.ip in network
    target = _expand(ctx, term.argument, domain) if term.argument else domain
    if not _valid_domain(target):
        raise _Stop(SpfResult.PERMERROR, f"'{term.text}' expands to invalid domain '{target}'")
    if mechanism == "include":  # §5.2
        result, _, _ = await _check(ctx, target)
        if result is SpfResult.NONE:
            raise _Stop(SpfResult.PERMERROR, f"include:{target} has no SPF record")
        return result is SpfResult.PASS
    if mechanism == "a":
        return await _address_matches(ctx, target, term, count_void=True)
    if mechanism == "mx":
        return await _mx_matches(ctx, target, term)
    if mechanism == "exists":
        answer = await _dns(ctx, ctx.resolver.a(target), target)
        if not answer.records:
            _count_void(ctx)
        return bool(answer.records)
    return await _ptr_matches(ctx, target)


async def _dns(ctx: _Context, pending: Awaitable[Answer[T]], name: object) -> Answer[T]:
    try:
        return await pending
    except DnsNameInvalid as exc:
        raise _Stop(SpfResult.PERMERROR, f"invalid name {name}") from exc
    except DnsLookupFailed as exc:
        raise _Stop(SpfResult.TEMPERROR, f"DNS failure for {name}: {exc.code}") from exc


async def _mx_matches(ctx: _Context, target: str, term: Term) -> bool:
    answer = await _dns(ctx, ctx.resolver.mx(target), target)
    if not answer.records:
        _count_void(ctx)
        return False
    hosts = [mx.host for mx in answer.records if mx.host != "."]
    if len(hosts) > MAX_NAMES_PER_TERM:
        raise _Stop(SpfResult.PERMERROR, f"{target} has more than {MAX_NAMES_PER_TERM} MX names")  # §4.6.4
    for host in hosts:
        if await _address_matches(ctx, host, term, count_void=False):
            return True
    return False


async def _ptr_matches(ctx: _Context, target: str) -> bool:
    answer = await _dns(ctx, ctx.resolver.ptr(ctx.ip), ctx.ip)
    if not answer.records:
        _count_void(ctx)
        return False
    for name in answer.records[:MAX_NAMES_PER_TERM]:  # §5.5: validated names only
        try:
            if ctx.ip.version == 4:
                forward: set[IPAddress] = set((await _dns(ctx, ctx.resolver.a(name), name)).records)
            else:
                forward = set((await _dns(ctx, ctx.resolver.aaaa(name), name)).records)
        except _Stop:
            continue
        if ctx.ip in forward and (name == target or name.endswith("." + target)):
            return True
    return False


async def _address_matches(ctx: _Context, host: str, term: Term, *, count_void: bool) -> bool:
    """§5.3: A records for an IPv4 client, AAAA for IPv6, each widened by the term's CIDR length."""
    addresses: tuple[IPAddress, ...]
    if ctx.ip.version == 4:
        addresses = (await _dns(ctx, ctx.resolver.a(host), host)).records
        prefix = term.cidr4 if term.cidr4 is not None else 32
    else:
        addresses = (await _dns(ctx, ctx.resolver.aaaa(host), host)).records
        prefix = term.cidr6 if term.cidr6 is not None else 128
    if not addresses and count_void:
        _count_void(ctx)
    return any(ctx.ip in ipaddress.ip_network(f"{address}/{prefix}", strict=False) for address in addresses)


def _expand(ctx: _Context, spec: str, domain: str, *, explanation: bool = False) -> str:
    """§7.3 macro expansion; a result longer than 253 octets loses labels from the left (§7.3)."""

    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "%%":
            return "%"
        if whole == "%_":
            return " "
        if whole == "%-":
            return "%20"
        if whole == "%":
            raise _Stop(SpfResult.PERMERROR, f"bare '%' in '{spec}'")
        letter, digits, reverse, delimiters = match.groups()
        value = _macro_value(ctx, letter.lower(), domain, explanation)
        if value is None:
            raise _Stop(SpfResult.PERMERROR, f"macro '{whole}' is not allowed here")
        parts = re.split("[" + re.escape(delimiters or ".") + "]", value)
        if reverse:
            parts.reverse()
        if digits:
            keep = int(digits)
            if keep == 0:
                raise _Stop(SpfResult.PERMERROR, f"macro '{whole}' keeps zero labels")
            parts = parts[-keep:]
        text = ".".join(parts)
        if letter.isupper():
            text = urllib.parse.quote(text, safe="-._~")
        return text

    expanded = _MACRO.sub(replace, spec)
    if not explanation:
        expanded = expanded.rstrip(".")
        while len(expanded) > 253 and "." in expanded:
            expanded = expanded.split(".", 1)[1]
    return expanded


def _macro_value(ctx: _Context, letter: str, domain: str, explanation: bool) -> str | None:
    local, _, sender_domain = ctx.sender.rpartition("@")
    if letter == "i" and ctx.ip.version == 6:
        return ".".join(ctx.ip.exploded.replace(":", ""))
    values = {
        "s": ctx.sender,
        "l": local,
        "o": sender_domain,
        "d": domain,
        "i": str(ctx.ip),
        "p": "unknown",
        "v": "in-addr" if ctx.ip.version == 4 else "ip6",
        "h": ctx.helo,
    }
    if letter in values:
        return values[letter]
    if not explanation:
        return None
    return {"c": str(ctx.ip), "r": ctx.receiver, "t": str(int(time.time()))}.get(letter)


async def _explanation(ctx: _Context, spec: str, domain: str) -> str | None:
    """§6.2: the TXT at the expanded ``exp`` name, macro-expanded; any problem means no explanation."""
    try:
        name = _expand(ctx, spec, domain)
        answer = await ctx.resolver.txt(name)
        if len(answer.records) != 1:
            return None
        text = answer.records[0]
        if any(not (0x20 <= ord(c) <= 0x7E) for c in text):
            return None
        return _expand(ctx, text, domain, explanation=True)
    except (_Stop, DnsLookupFailed, DnsNameInvalid):
        return None


async def count_lookups(resolver: Resolver, domain: str, record: str | None = None) -> LookupCount:
    """Count the lookup-consuming terms reachable from ``domain`` (or ``record``) without an IP (§4.6.4).

    Every include and redirect is followed, whatever the evaluation would short-cut, which is how
    senders must budget. Targets with macros count once and are not followed.
    """
    problems: list[str] = []
    seen: set[str] = set()
    totals = [0, 0]  # lookups, void

    async def walk(name: str, text: str | None, depth: int) -> None:
        if depth > 12:
            problems.append(f"include loop at {name}")
            return
        if text is None:
            try:
                answer = await resolver.txt(name)
            except (DnsLookupFailed, DnsNameInvalid) as exc:
                problems.append(f"{name}: {exc.code}")
                return
            found = [t for t in answer.records if is_spf_record(t)]
            if not found:
                totals[1] += 1
                problems.append(f"{name} has no SPF record")
                return
            if len(found) > 1:
                problems.append(f"{name} has {len(found)} SPF records")
            text = found[0]
        try:
            parsed = parse_record(text)
        except SpfSyntaxError as exc:
            problems.append(f"{name}: {exc}")
            return
        targets: list[str] = []
        for term in parsed.terms:
            if term.mechanism in COUNTED:
                totals[0] += 1
                if term.mechanism == "include" and term.argument and "%" not in term.argument:
                    targets.append(term.argument.rstrip(".").lower())
        if parsed.redirect and not any(t.mechanism == "all" for t in parsed.terms):
            totals[0] += 1
            if "%" not in parsed.redirect:
                targets.append(parsed.redirect.rstrip(".").lower())
        for target in targets:
            if target in seen:
                continue
            seen.add(target)
            await walk(target, None, depth + 1)

    await walk(domain.rstrip(".").lower(), record, 0)
    return LookupCount(totals[0], totals[1], tuple(problems))
