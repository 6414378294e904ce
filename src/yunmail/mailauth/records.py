"""The DNS records a mail domain publishes for this deployment: MX, SPF, DKIM, DMARC, ownership, web names.

Pure builders: given the deployment's parameters (our MX hosts, SPF include name, webmail host, …)
and the domain's own data (DKIM selector and key value, ownership token), they return
`ExpectedRecord` values ``(type, host, value, ttl, purpose)``. Hosts are absolute A-labels without
the final dot; `ExpectedRecord.label` gives the name relative to a zone, as DNS panels want it.
Which records a verification mode requires is ``domains.expected``' business.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from yunmail.dns import to_ascii_name
from yunmail.mailauth.dkim import txt_strings

__all__ = [
    "Deployment",
    "ExpectedRecord",
    "RecordPurpose",
    "autoconfig_records",
    "dkim_record",
    "dmarc_record",
    "mta_sts_records",
    "mx_records",
    "ownership_record",
    "spf_record",
    "spf_value",
    "webmail_record",
]


class RecordPurpose(enum.StrEnum):
    MX = "mx"
    SPF = "spf"
    DKIM = "dkim"
    DMARC = "dmarc"
    OWNERSHIP = "ownership"
    WEBMAIL = "webmail"
    AUTOCONFIG = "autoconfig"
    AUTODISCOVER = "autodiscover"
    MTA_STS = "mta-sts"
    TLS_RPT = "tls-rpt"


@dataclass(frozen=True, slots=True)
class Deployment:
    """What this installation asks domains to point at (built from Settings by the composition root)."""

    mx_hosts: tuple[tuple[int, str], ...]  # ((10, "mx1.mail.example"), (20, "mx2.mail.example"))
    spf_include: str  # "_spf.mail.example": a name whose SPF record lists our outbound IPs
    webmail_host: str  # CNAME target of mail.<domain>
    autoconfig_host: str | None = None  # CNAME target of autoconfig./autodiscover.<domain>; None = skip
    spf_all: str = "~all"  # "~all" while other senders may remain; "-all" once sure
    dmarc_policy: str = "quarantine"
    dmarc_rua: str | None = None  # "mailto:dmarc@mail.example"
    mta_sts_host: str | None = None  # CNAME target for mta-sts.<domain>; None = no MTA-STS records
    mta_sts_id: str = "1"
    tls_rpt_rua: str | None = None  # "mailto:tlsrpt@mail.example"; None = no TLS-RPT record
    ownership_label: str = "_dnsauth"
    ttl: int = 600


@dataclass(frozen=True, slots=True)
class ExpectedRecord:
    type: str  # "MX", "TXT", "CNAME"
    host: str  # absolute A-label, no final dot
    value: str  # MX: the exchange host; TXT: the full text; CNAME: the target host
    ttl: int
    purpose: RecordPurpose
    required: bool = True
    preference: int | None = None  # MX only

    def label(self, zone: str) -> str:
        """The host as typed into a panel for ``zone``: ``@`` for the apex, else the relative part."""
        zone = zone.rstrip(".").lower()
        if self.host == zone:
            return "@"
        if self.host.endswith("." + zone):
            return self.host[: -len(zone) - 1]
        return self.host + "."

    def display_value(self) -> str:
        """Value as shown with the copy button (MX with its preference)."""
        if self.type == "MX":
            return f"{self.preference} {self.value}"
        return self.value

    def strings(self) -> list[str]:
        """TXT character-strings of at most 255 octets (RFC 1035 §3.3.14) for publishing."""
        return txt_strings(self.value) if self.type == "TXT" else [self.value]

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "host": self.host,
            "value": self.display_value(),
            "ttl": self.ttl,
            "purpose": self.purpose.value,
            "required": self.required,
        }


def _host(name: str) -> str:
    return to_ascii_name(name)


def mx_records(domain: str, deployment: Deployment) -> list[ExpectedRecord]:
    apex = _host(domain)
    return [
        ExpectedRecord("MX", apex, _host(host), deployment.ttl, RecordPurpose.MX, True, preference)
        for preference, host in deployment.mx_hosts
    ]


def spf_value(deployment: Deployment) -> str:
    """RFC 7208 §5.2: authorise our senders through one include, then the configured ``all``."""
    return f"v=spf1 include:{_host(deployment.spf_include)} {deployment.spf_all}"


def spf_record(domain: str, deployment: Deployment) -> ExpectedRecord:
    return ExpectedRecord("TXT", _host(domain), spf_value(deployment), deployment.ttl, RecordPurpose.SPF)


def dkim_record(domain: str, selector: str, key_txt_value: str, deployment: Deployment) -> ExpectedRecord:
    """RFC 6376 §3.6.2.1: the key lives at ``<selector>._domainkey.<domain>``."""
    host = f"{selector.lower()}._domainkey.{_host(domain)}"
    return ExpectedRecord("TXT", host, key_txt_value, deployment.ttl, RecordPurpose.DKIM)


def dmarc_record(domain: str, deployment: Deployment) -> ExpectedRecord:
    """RFC 7489 §6.3 at ``_dmarc.<domain>``; recommended, never required."""
    value = f"v=DMARC1; p={deployment.dmarc_policy}"
    if deployment.dmarc_rua:
        value += f"; rua={deployment.dmarc_rua}"
    return ExpectedRecord("TXT", f"_dmarc.{_host(domain)}", value, deployment.ttl, RecordPurpose.DMARC, False)


def ownership_record(domain: str, token: str, deployment: Deployment) -> ExpectedRecord:
    host = f"{deployment.ownership_label}.{_host(domain)}"
    return ExpectedRecord("TXT", host, token, deployment.ttl, RecordPurpose.OWNERSHIP)


def webmail_record(domain: str, deployment: Deployment) -> ExpectedRecord:
    target = _host(deployment.webmail_host)
    return ExpectedRecord(
        "CNAME", f"mail.{_host(domain)}", target, deployment.ttl, RecordPurpose.WEBMAIL, False
    )


def autoconfig_records(domain: str, deployment: Deployment) -> list[ExpectedRecord]:
    """Thunderbird ``autoconfig.`` and Outlook ``autodiscover.`` names, when the deployment serves them."""
    if not deployment.autoconfig_host:
        return []
    target = _host(deployment.autoconfig_host)
    apex = _host(domain)
    return [
        ExpectedRecord(
            "CNAME", f"autoconfig.{apex}", target, deployment.ttl, RecordPurpose.AUTOCONFIG, False
        ),
        ExpectedRecord(
            "CNAME", f"autodiscover.{apex}", target, deployment.ttl, RecordPurpose.AUTODISCOVER, False
        ),
    ]


def mta_sts_records(domain: str, deployment: Deployment) -> list[ExpectedRecord]:
    """RFC 8461 §3.1 ``_mta-sts`` TXT + the policy host; RFC 8460 §3 ``_smtp._tls`` TXT."""
    apex = _host(domain)
    records: list[ExpectedRecord] = []
    if deployment.mta_sts_host:
        records.append(
            ExpectedRecord(
                "TXT",
                f"_mta-sts.{apex}",
                f"v=STSv1; id={deployment.mta_sts_id}",
                deployment.ttl,
                RecordPurpose.MTA_STS,
                False,
            )
        )
        records.append(
            ExpectedRecord(
                "CNAME",
                f"mta-sts.{apex}",
                _host(deployment.mta_sts_host),
                deployment.ttl,
                RecordPurpose.MTA_STS,
                False,
            )
        )
    if deployment.tls_rpt_rua:
        records.append(
            ExpectedRecord(
                "TXT",
                f"_smtp._tls.{apex}",
                f"v=TLSRPTv1; rua={deployment.tls_rpt_rua}",
                deployment.ttl,
                RecordPurpose.TLS_RPT,
                False,
            )
        )
    return records
