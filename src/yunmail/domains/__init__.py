"""Mail domains of an enterprise: registration, expected DNS records and DNS verification.

The enterprise id is an opaque number to this package; it never imports the directory.
``registry`` adds and removes domains; ``expected`` lists the records to publish per mode;
``verify`` checks them with real DNS queries and ``diagnose`` explains what is wrong.
"""

from yunmail.domains.expected import expected_records
from yunmail.domains.registry import (
    MODES,
    Domain,
    DomainName,
    DomainRegistry,
    normalise_domain,
    to_ascii,
    to_unicode,
)
from yunmail.domains.verify import DomainCheck, DomainState, RecordStatus, check_domain

__all__ = [
    "MODES",
    "Domain",
    "DomainCheck",
    "DomainName",
    "DomainRegistry",
    "DomainState",
    "RecordStatus",
    "check_domain",
    "expected_records",
    "normalise_domain",
    "to_ascii",
    "to_unicode",
]
