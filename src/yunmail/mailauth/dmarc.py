"""DMARC (RFC 7489): record parsing, policy discovery with organisational-domain fallback, alignment, result.

Implementation notes:

* The organisational domain (§3.2) comes from an injected ``OrgDomainFinder``. The default,
  `heuristic_org_domain`, keeps the last two labels, three under a short list of known two-level
  public suffixes (``com.cn``, ``co.uk``, …). `PublicSuffixOrgDomain` uses the bundled Public
  Suffix List of ``publicsuffix2``; the composition root builds it once (no module-level state).
* Policy discovery (§6.6.3): ``_dmarc.<From domain>``, then ``_dmarc.<organisational domain>``;
  several ``v=DMARC1`` records or none mean no policy. A record whose ``p=`` is missing or invalid
  still applies as ``p=none`` (§6.6.3 step 6, lenient reading).
* ``pct`` sampling needs randomness, which the caller supplies as ``sampled`` (DESIGN §3 rule 8):
  an unsampled failure is downgraded one step (§6.6.4: reject → quarantine → none).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from yunmail.dns import LookupStatus, Resolver, to_ascii_name
from yunmail.errors import DnsLookupFailed, DnsNameInvalid
from yunmail.mailauth.dkim import DkimResult, DkimVerification
from yunmail.mailauth.spf import SpfOutcome, SpfResult

__all__ = [
    "DmarcOutcome",
    "DmarcPolicy",
    "DmarcRecord",
    "DmarcResult",
    "OrgDomainFinder",
    "PolicyLookup",
    "PublicSuffixOrgDomain",
    "aligned",
    "evaluate",
    "heuristic_org_domain",
    "is_dmarc_record",
    "lookup_policy",
    "parse_record",
]

OrgDomainFinder = Callable[[str], str]

# Second-level registries under country codes that mail from China and elsewhere meets most often.
TWO_LEVEL_SUFFIXES = frozenset(
    {
        "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "mil.cn",
        "com.hk", "net.hk", "org.hk", "edu.hk", "gov.hk", "com.tw", "net.tw", "org.tw", "edu.tw",
        "com.mo", "co.uk", "org.uk", "ac.uk", "gov.uk", "co.jp", "ne.jp", "or.jp", "ac.jp",
        "co.kr", "or.kr", "com.au", "net.au", "org.au", "edu.au", "com.sg", "com.my", "co.nz",
        "co.in", "com.br", "com.mx", "co.za", "com.tr", "com.ru",
    }
)  # fmt: skip


class DmarcPolicy(enum.StrEnum):
    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"


class DmarcResult(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NONE = "none"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


@dataclass(frozen=True, slots=True)
class DmarcRecord:
    policy: DmarcPolicy
    subdomain_policy: DmarcPolicy | None
    adkim: str  # "r" | "s"
    aspf: str
    pct: int
    rua: tuple[str, ...]
    ruf: tuple[str, ...]
    text: str
    problems: tuple[str, ...] = ()


def heuristic_org_domain(domain: str) -> str:
    labels = domain.rstrip(".").lower().split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in TWO_LEVEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


class PublicSuffixOrgDomain:
    """Organisational domain from the Public Suffix List bundled with ``publicsuffix2``."""

    def __init__(self) -> None:
        import publicsuffix2  # type: ignore[import-untyped]

        self._list = publicsuffix2.PublicSuffixList()

    def __call__(self, domain: str) -> str:
        name = domain.rstrip(".").lower()
        found = self._list.get_public_suffix(name)
        # publicsuffix2 answers a bare unknown TLD for unlisted TLDs; the PSL default rule is "*".
        if not found or "." not in found:
            return heuristic_org_domain(name)
        return str(found)


def is_dmarc_record(text: str) -> bool:
    """§6.6.3 step 4: records that do not start with ``v=DMARC1`` are discarded."""
    head = text.split(";", 1)[0].replace(" ", "").replace("\t", "")
    return head == "v=DMARC1"


def parse_record(text: str) -> DmarcRecord:
    """Parse a record (§6.3); never raises, problems are reported as codes.

    Codes: ``DMARC_NOT_DMARC``, ``DMARC_TAG_SYNTAX``, ``DMARC_POLICY_MISSING``,
    ``DMARC_POLICY_INVALID``, ``DMARC_ALIGNMENT_INVALID``, ``DMARC_PCT_INVALID``, ``DMARC_URI_INVALID``.
    """
    problems: list[str] = []
    if not is_dmarc_record(text):
        problems.append("DMARC_NOT_DMARC")
    tags: dict[str, str] = {}
    for part in text.split(";")[1:]:
        part = part.strip(" \t")
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip(" \t").lower()
        if not sep or not name.isalnum():
            problems.append("DMARC_TAG_SYNTAX")
            continue
        tags[name] = value.strip(" \t")
    policy = DmarcPolicy.NONE
    if "p" not in tags:
        problems.append("DMARC_POLICY_MISSING")
    elif tags["p"].lower() in DmarcPolicy.__members__.values():
        policy = DmarcPolicy(tags["p"].lower())
    else:
        problems.append("DMARC_POLICY_INVALID")
    subdomain_policy = None
    if "sp" in tags:
        if tags["sp"].lower() in DmarcPolicy.__members__.values():
            subdomain_policy = DmarcPolicy(tags["sp"].lower())
        else:
            problems.append("DMARC_POLICY_INVALID")
    alignment = {}
    for tag in ("adkim", "aspf"):
        value = tags.get(tag, "r").lower()
        if value not in ("r", "s"):
            problems.append("DMARC_ALIGNMENT_INVALID")
            value = "r"
        alignment[tag] = value
    pct = 100
    if "pct" in tags:
        if tags["pct"].isdigit() and 0 <= int(tags["pct"]) <= 100:
            pct = int(tags["pct"])
        else:
            problems.append("DMARC_PCT_INVALID")
    uris: dict[str, tuple[str, ...]] = {}
    for tag in ("rua", "ruf"):
        items = tuple(item.strip() for item in tags.get(tag, "").split(",") if item.strip())
        if any(":" not in item for item in items):
            problems.append("DMARC_URI_INVALID")  # §6.3: a comma-separated list of DMARC URIs
        uris[tag] = items
    return DmarcRecord(
        policy,
        subdomain_policy,
        alignment["adkim"],
        alignment["aspf"],
        pct,
        uris["rua"],
        uris["ruf"],
        text,
        tuple(dict.fromkeys(problems)),
    )


@dataclass(frozen=True, slots=True)
class PolicyLookup:
    record: DmarcRecord | None
    record_domain: str | None  # where the record was found
    org_domain: str
    problem: str | None = None  # "multiple records", DNS failure code
    temporary: bool = False


async def lookup_policy(
    resolver: Resolver, from_domain: str, org_domain: OrgDomainFinder = heuristic_org_domain
) -> PolicyLookup:
    """§6.6.3 policy discovery."""
    domain = to_ascii_name(from_domain)
    organisational = org_domain(domain)
    candidates = [domain] if organisational == domain else [domain, organisational]
    for candidate in candidates:
        try:
            answer = await resolver.txt(f"_dmarc.{candidate}")
        except DnsNameInvalid:
            continue
        except DnsLookupFailed as exc:
            return PolicyLookup(None, None, organisational, exc.code, temporary=True)
        if answer.status is not LookupStatus.OK:
            continue
        records = [text for text in answer.records if is_dmarc_record(text)]
        if len(records) > 1:
            return PolicyLookup(None, candidate, organisational, "multiple DMARC records")  # step 5
        if records:
            return PolicyLookup(parse_record(records[0]), candidate, organisational)
    return PolicyLookup(None, None, organisational)


def aligned(
    identifier: str, from_domain: str, mode: str, org_domain: OrgDomainFinder = heuristic_org_domain
) -> bool:
    """§3.1: strict = identical names; relaxed = same organisational domain."""
    left, right = identifier.rstrip(".").lower(), from_domain.rstrip(".").lower()
    if not left or not right:
        return False
    if mode == "s":
        return left == right
    return left == right or org_domain(left) == org_domain(right)


@dataclass(frozen=True, slots=True)
class DmarcOutcome:
    result: DmarcResult
    from_domain: str
    policy: DmarcPolicy | None = None  # what the domain asks for failing mail
    disposition: DmarcPolicy = DmarcPolicy.NONE  # what to do with this message
    spf_aligned: bool = False
    dkim_aligned: bool = False
    record_domain: str | None = None
    problem: str | None = None


async def evaluate(
    resolver: Resolver,
    from_domain: str,
    spf: SpfOutcome | None,
    dkim: Sequence[DkimVerification],
    org_domain: OrgDomainFinder = heuristic_org_domain,
    sampled: bool = True,
) -> DmarcOutcome:
    """§6.6.2: pass when an aligned SPF or DKIM identifier passed; otherwise apply the policy."""
    try:
        domain = to_ascii_name(from_domain)
    except DnsNameInvalid:
        return DmarcOutcome(DmarcResult.PERMERROR, from_domain, problem="invalid From domain")
    found = await lookup_policy(resolver, domain, org_domain)
    if found.temporary:
        return DmarcOutcome(DmarcResult.TEMPERROR, domain, problem=found.problem)
    record = found.record
    if record is None:
        return DmarcOutcome(
            DmarcResult.NONE, domain, record_domain=found.record_domain, problem=found.problem
        )
    spf_ok = (
        spf is not None
        and spf.result is SpfResult.PASS
        and aligned(spf.domain, domain, record.aspf, org_domain)
    )
    dkim_ok = any(
        check.result is DkimResult.PASS and aligned(check.domain, domain, record.adkim, org_domain)
        for check in dkim
    )
    policy = record.policy
    if found.record_domain != domain and record.subdomain_policy is not None:
        policy = record.subdomain_policy  # §6.3 sp=: the record came from the organisational domain
    if spf_ok or dkim_ok:
        return DmarcOutcome(
            DmarcResult.PASS, domain, policy, DmarcPolicy.NONE, spf_ok, dkim_ok, found.record_domain
        )
    disposition = policy
    if not sampled and record.pct < 100:
        disposition = DmarcPolicy.QUARANTINE if policy is DmarcPolicy.REJECT else DmarcPolicy.NONE
    return DmarcOutcome(DmarcResult.FAIL, domain, policy, disposition, False, False, found.record_domain)
