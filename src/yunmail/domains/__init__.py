"""Mail domains of an enterprise: registration, expected DNS records, DNS verification and its states.

The enterprise id is an opaque number to this package; it never imports the directory.
``registry`` adds, checks and removes domains; ``expected`` lists the records to publish per mode;
``verify`` checks them with real DNS queries and ``diagnose`` explains what is wrong; ``states``
is the verification state machine; ``rechecks`` the background schedule; ``dkim_keys`` owns the
domains' DKIM keys; ``quick_add`` writes the records into a customer's DNS server (RFC 2136).
"""

from yunmail.domains.dkim_keys import DkimKeys, DomainKey, SigningKey, selector_for
from yunmail.domains.expected import expected_records
from yunmail.domains.quick_add import QuickAddResult, TsigKey, quick_add
from yunmail.domains.rechecks import Rechecker, next_check_time
from yunmail.domains.registry import (
    MODES,
    CheckOutcome,
    Domain,
    DomainName,
    DomainRegistry,
    normalise_domain,
    to_ascii,
    to_unicode,
)
from yunmail.domains.states import BROKEN, OWNERSHIP_VERIFIED, PENDING, VERIFIED
from yunmail.domains.verify import DomainCheck, DomainState, RecordStatus, check_domain

__all__ = [
    "BROKEN",
    "MODES",
    "OWNERSHIP_VERIFIED",
    "PENDING",
    "VERIFIED",
    "CheckOutcome",
    "DkimKeys",
    "Domain",
    "DomainCheck",
    "DomainKey",
    "DomainName",
    "DomainRegistry",
    "DomainState",
    "QuickAddResult",
    "Rechecker",
    "RecordStatus",
    "SigningKey",
    "TsigKey",
    "check_domain",
    "expected_records",
    "next_check_time",
    "normalise_domain",
    "quick_add",
    "selector_for",
    "to_ascii",
    "to_unicode",
]
