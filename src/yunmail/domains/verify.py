"""Live DNS verification of one domain: query what it publishes, compare with what it should, say why not.

`check_domain` takes the domain's data as plain parameters (name, mode, token, DKIM selector and key
value, deployment) and a `Resolver`; it never reads the registry, so the registry, the console, the
CLI and the background rechecks all call it the same way. The verdict is a `DomainCheck` with one
`RecordStatus` per expected record (mox ``CheckResult``: errors, warnings, instructions).

Implementation notes:

* Each ``(type, name)`` is queried once per check, concurrently; a transient DNS failure marks the
  records that needed it ``unknown`` and, when nothing else is wrong, the domain ``unknown`` too,
  so a flaky resolver never un-verifies a domain.
* One extra probe runs only when a record is missing: the same type at ``<host>.<zone>`` (the full
  name typed into a relative host field). The zone's NS set is always read: it names who really
  serves the domain, which the console shows when required records are missing.
* The zone is found from the SOA in the answer (RFC 2308 §3); a subdomain mail domain gets host
  labels relative to its parent zone.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from yunmail.dns import Answer, LookupStatus, MxRecord, Resolver, to_ascii_name
from yunmail.domains.diagnose import (
    Diagnosis,
    Finding,
    RecordState,
    Text,
    cname_conflict,
    diagnose_cname,
    diagnose_dkim,
    diagnose_dmarc,
    diagnose_domain_name,
    diagnose_mx,
    diagnose_spf,
    diagnose_text,
    dns_host,
    doubled_host,
    lookup_failed,
)
from yunmail.domains.expected import expected_records
from yunmail.errors import DnsLookupFailed
from yunmail.mailauth.records import Deployment, ExpectedRecord, RecordPurpose
from yunmail.mailauth.spf import count_lookups, is_spf_record

__all__ = ["DomainCheck", "DomainState", "RecordStatus", "check_domain"]


class DomainState(enum.StrEnum):
    VERIFIED = "verified"  # every required record is ok (warnings allowed)
    UNVERIFIED = "unverified"  # a required record is missing, wrong or in conflict
    UNKNOWN = "unknown"  # DNS trouble kept us from a verdict; keep the previous state


@dataclass(frozen=True, slots=True)
class RecordStatus:
    type: str
    host: str
    label: str  # host relative to the zone, as typed in a DNS panel
    purpose: RecordPurpose
    required: bool
    state: RecordState
    expected: str
    found: tuple[str, ...] = ()
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    instructions: tuple[Text, ...] = ()

    @property
    def error_codes(self) -> list[str]:
        return [finding.code for finding in self.errors]

    @property
    def warning_codes(self) -> list[str]:
        return [finding.code for finding in self.warnings]

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "host": self.host,
            "label": self.label,
            "purpose": self.purpose.value,
            "required": self.required,
            "state": self.state.value,
            "expected": self.expected,
            "found": list(self.found),
            "errors": [finding.as_dict() for finding in self.errors],
            "warnings": [finding.as_dict() for finding in self.warnings],
            "instructions": [{"en": text.en, "zh": text.zh} for text in self.instructions],
        }


@dataclass(frozen=True, slots=True)
class DomainCheck:
    domain: str
    mode: str
    state: DomainState
    records: tuple[RecordStatus, ...]
    zone: str
    nameservers: tuple[str, ...] = ()
    errors: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()
    instructions: tuple[Text, ...] = ()

    def record(self, purpose: RecordPurpose | str) -> list[RecordStatus]:
        return [status for status in self.records if status.purpose == purpose]

    @property
    def codes(self) -> set[str]:
        """Every error and warning code, domain-level and per record."""
        found = {f.code for f in (*self.errors, *self.warnings)}
        for status in self.records:
            found.update(f.code for f in (*status.errors, *status.warnings))
        return found

    def as_dict(self) -> dict[str, object]:
        return {
            "domain": self.domain,
            "mode": self.mode,
            "state": self.state.value,
            "zone": self.zone,
            "nameservers": list(self.nameservers),
            "errors": [finding.as_dict() for finding in self.errors],
            "warnings": [finding.as_dict() for finding in self.warnings],
            "instructions": [{"en": text.en, "zh": text.zh} for text in self.instructions],
            "records": [status.as_dict() for status in self.records],
        }


class _Lookups:
    """One query per (type, name) per check, shared by concurrent record checks."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._pending: dict[tuple[str, str], asyncio.Task[Any]] = {}

    def _memo(self, kind: str, name: str, start: Callable[[str], Awaitable[Any]]) -> asyncio.Task[Any]:
        key = (kind, name)
        if key not in self._pending:

            async def run() -> Any:
                return await start(name)

            self._pending[key] = asyncio.ensure_future(run())
        return self._pending[key]

    async def txt(self, name: str) -> Answer[str]:
        answer: Answer[str] = await self._memo("txt", name, self.resolver.txt)
        return answer

    async def mx(self, name: str) -> Answer[MxRecord]:
        answer: Answer[MxRecord] = await self._memo("mx", name, self.resolver.mx)
        return answer

    async def cname(self, name: str) -> Answer[str]:
        answer: Answer[str] = await self._memo("cname", name, self.resolver.cname)
        return answer

    async def present_types(self, name: str) -> list[str]:
        """Types other than CNAME answered directly at ``name`` (not through a CNAME chain)."""
        answers: list[tuple[str, Answer[Any]]] = [
            ("A", await self._memo("a", name, self.resolver.a)),
            ("AAAA", await self._memo("aaaa", name, self.resolver.aaaa)),
            ("MX", await self.mx(name)),
            ("TXT", await self.txt(name)),
        ]
        return [kind for kind, answer in answers if answer.records and answer.canonical_name is None]

    def close(self) -> None:
        for task in self._pending.values():
            if not task.done():
                task.cancel()
            elif not task.cancelled():
                task.exception()  # retrieved: failures were reported per record


@dataclass
class _Context:
    lookups: _Lookups
    apex: str
    zone: str
    our_mx: tuple[str, ...]
    spf_include: str
    missing_hosts: list[str] = field(default_factory=list)


async def check_domain(
    resolver: Resolver,
    domain: str,
    mode: str,
    deployment: Deployment,
    *,
    token: str | None = None,
    dkim_selector: str | None = None,
    dkim_key_txt: str | None = None,
) -> DomainCheck:
    """Query, compare and diagnose every expected record of ``domain`` (A-label or U-label)."""
    apex = to_ascii_name(domain)
    records = expected_records(
        apex, mode, deployment, token=token, dkim_selector=dkim_selector, dkim_key_txt=dkim_key_txt
    )
    lookups = _Lookups(resolver)
    try:
        zone, exists, zone_warnings = await _zone(lookups, apex)
        ctx = _Context(
            lookups,
            apex,
            zone,
            tuple(to_ascii_name(host) for _, host in deployment.mx_hosts),
            to_ascii_name(deployment.spf_include),
        )
        statuses = await asyncio.gather(*(_check_record(ctx, record) for record in records))
        apex_conflict = await _apex_cname(lookups, apex)
        nameservers = await _nameservers(lookups, zone) if exists else ()
    finally:
        lookups.close()
    errors: list[Finding] = []
    warnings: list[Finding] = [*diagnose_domain_name(apex), *zone_warnings]
    instructions: list[Text] = []
    if not exists:
        errors.append(Finding("DOMAIN_NOT_FOUND", {"domain": apex}))
    if apex_conflict is not None:
        errors.append(apex_conflict)
    if zone != apex:
        instructions.append(Finding("ZONE_IS_PARENT", {"domain": apex, "zone": zone}).text)
    broken = [s for s in statuses if s.required and s.state in _BAD]
    hosted = dns_host(nameservers)
    if broken and hosted is not None:
        warnings.append(hosted)
    state = _domain_state(statuses, exists and apex_conflict is None)
    return DomainCheck(
        apex,
        mode,
        state,
        tuple(statuses),
        zone,
        nameservers,
        tuple(errors),
        tuple(warnings),
        tuple(instructions),
    )


_BAD = (RecordState.MISSING, RecordState.WRONG, RecordState.CONFLICT)


def _domain_state(statuses: list[RecordStatus], domain_ok: bool) -> DomainState:
    required = [s for s in statuses if s.required]
    if not domain_ok or any(s.state in _BAD for s in required):
        return DomainState.UNVERIFIED
    if any(s.state is RecordState.UNKNOWN for s in required):
        return DomainState.UNKNOWN
    return DomainState.VERIFIED


async def _zone(lookups: _Lookups, apex: str) -> tuple[str, bool, list[Finding]]:
    """(zone apex, whether the domain exists, warnings): the SOA owner answers "which zone"."""
    try:
        answer = await lookups.resolver.soa(apex)
    except DnsLookupFailed as exc:
        return apex, True, [Finding("DNS_LOOKUP_FAILED", {"host": apex, "reason": exc.code})]
    if answer.status is LookupStatus.OK:
        return apex, True, []
    zone = answer.zone or apex
    return zone, answer.status is LookupStatus.NODATA, []


async def _nameservers(lookups: _Lookups, zone: str) -> tuple[str, ...]:
    try:
        answer = await lookups.resolver.ns(zone)
    except DnsLookupFailed:
        return ()
    return tuple(sorted(answer.records))


async def _apex_cname(lookups: _Lookups, apex: str) -> Finding | None:
    """RFC 1034 §3.6.2 / RFC 2181 §10.1: the apex holds SOA and NS, so a CNAME there always conflicts."""
    try:
        answer = await lookups.cname(apex)
    except DnsLookupFailed:
        return None
    if not answer.records:
        return None
    return cname_conflict(apex, ["SOA", "NS", "MX", "TXT"])


async def _check_record(ctx: _Context, record: ExpectedRecord) -> RecordStatus:
    label = record.label(ctx.zone)
    found: tuple[str, ...] = ()
    try:
        found, diagnosis = await _diagnose(ctx, record, label)
    except DnsLookupFailed as exc:
        diagnosis = lookup_failed(record, exc.code)
    return RecordStatus(
        record.type,
        record.host,
        label,
        record.purpose,
        record.required,
        diagnosis.state,
        record.display_value(),
        found,
        diagnosis.errors,
        diagnosis.warnings,
        diagnosis.instructions,
    )


async def _diagnose(ctx: _Context, record: ExpectedRecord, label: str) -> tuple[tuple[str, ...], Diagnosis]:
    lookups = ctx.lookups
    if record.type == "MX":
        answer = await lookups.mx(record.host)
        pairs = [(mx.preference, mx.host) for mx in answer.records]
        found = tuple(f"{pref} {host}" for pref, host in pairs)
        if not pairs and (moved := await _doubled(ctx, record, label)) is not None:
            return found, moved
        return found, diagnose_mx(record, pairs, ctx.our_mx, ctx.zone, label)
    if record.type == "CNAME":
        targets = tuple((await lookups.cname(record.host)).records)
        others = await lookups.present_types(record.host)
        if not targets and not others and (moved := await _doubled(ctx, record, label)) is not None:
            return targets, moved
        return targets, diagnose_cname(record, targets, others, ctx.zone, label)
    texts = tuple((await lookups.txt(record.host)).records)
    if record.purpose is RecordPurpose.SPF:
        spf_texts = [text for text in texts if is_spf_record(text)]
        counted = None
        if len(spf_texts) == 1:
            counted = await count_lookups(lookups.resolver, record.host, spf_texts[0])
        near_miss = any("v=spf1" in t.lower() for t in texts)
        if not spf_texts and not near_miss and (moved := await _doubled(ctx, record, label)) is not None:
            return texts, moved
        return texts, diagnose_spf(record, ctx.spf_include, texts, counted, label)
    if not texts and (moved := await _doubled(ctx, record, label)) is not None:
        return texts, moved
    if record.purpose is RecordPurpose.DKIM:
        return texts, diagnose_dkim(record, texts, label)
    if record.purpose is RecordPurpose.DMARC:
        return texts, diagnose_dmarc(record, texts, label)
    return texts, diagnose_text(record, texts, label)


async def _doubled(ctx: _Context, record: ExpectedRecord, label: str) -> Diagnosis | None:
    """Is the record at ``<host>.<zone>``, the full name typed where a relative one was wanted?"""
    probe = f"{record.host}.{ctx.zone}"
    try:
        if record.type == "MX":
            hit = bool((await ctx.lookups.mx(probe)).records)
        elif record.type == "CNAME":
            hit = bool((await ctx.lookups.cname(probe)).records)
        else:
            texts = (await ctx.lookups.txt(probe)).records
            hit = any(_same_kind(record, text) for text in texts)
    except DnsLookupFailed:
        return None
    if not hit:
        return None
    return doubled_host(record, probe, label, ctx.zone)


def _same_kind(record: ExpectedRecord, text: str) -> bool:
    if record.purpose is RecordPurpose.SPF:
        return "v=spf1" in text.lower()
    if record.purpose is RecordPurpose.DKIM:
        return "p=" in text
    if record.purpose is RecordPurpose.DMARC:
        return "v=dmarc1" in text.lower()
    return record.value.strip() == text.strip() or bool(text)
