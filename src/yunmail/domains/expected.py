"""The records a domain must (or should) publish for its verification mode: full or ownership only.

PRODUCT §4: *full* needs our MX, an SPF record including us and the domain's DKIM key, with DMARC
recommended; *ownership* needs one TXT at ``_dnsauth.<domain>`` holding the per-domain token.
The ``mail.<domain>`` webmail CNAME, autoconfig names and MTA-STS/TLS-RPT are optional in both.
Builders live in ``mailauth.records``; this module only chooses and marks them required or not.
"""

from __future__ import annotations

from yunmail.errors import DomainModeInvalid
from yunmail.mailauth.records import (
    Deployment,
    ExpectedRecord,
    autoconfig_records,
    dkim_record,
    dmarc_record,
    mta_sts_records,
    mx_records,
    ownership_record,
    spf_record,
    webmail_record,
)

__all__ = ["FULL", "OWNERSHIP", "expected_records"]

FULL = "full"
OWNERSHIP = "ownership"


def expected_records(
    domain: str,
    mode: str,
    deployment: Deployment,
    *,
    token: str | None = None,
    dkim_selector: str | None = None,
    dkim_key_txt: str | None = None,
) -> list[ExpectedRecord]:
    """Required records first, then recommended and optional ones, in the order the console lists them.

    Full mode without a DKIM selector and key value omits the DKIM row (a domain added with
    ``--trust`` before its key exists); ownership mode needs the token.
    """
    if mode == FULL:
        records = [*mx_records(domain, deployment), spf_record(domain, deployment)]
        if dkim_selector and dkim_key_txt:
            records.append(dkim_record(domain, dkim_selector, dkim_key_txt, deployment))
        records.append(dmarc_record(domain, deployment))
    elif mode == OWNERSHIP:
        if not token:
            raise ValueError("ownership mode needs the domain's token")
        records = [ownership_record(domain, token, deployment)]
    else:
        raise DomainModeInvalid()
    records.append(webmail_record(domain, deployment))
    records.extend(autoconfig_records(domain, deployment))
    if mode == FULL:
        records.extend(mta_sts_records(domain, deployment))
    return records
