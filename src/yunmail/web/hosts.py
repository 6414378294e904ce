"""Which portal a request's ``Host`` header selects: the platform host, a customer's webmail host, or none.

PRODUCT §4: ``mail.<domain>`` (a CNAME to our webmail host) serves the member webmail of the
enterprise owning ``<domain>`` and never the admin or operator consoles. ``autoconfig.<domain>``,
``autodiscover.<domain>`` and ``mta-sts.<domain>`` answer only their well-known documents.

The platform host answers everything (webmail at ``/``, ``/admin``, ``/operator``, ``/api``): it is
``hostname``, the deployment's webmail host, any name listed in ``web.platform_hosts``, and — so a
fresh install works from a browser on the same machine — ``localhost`` and IP literals.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

PortalScope = Literal["platform", "webmail", "autoconfig", "mta-sts", "unknown"]

# Prefixes a customer's domain may CNAME to us, and the scope each one gets.
_CUSTOMER_PREFIXES: tuple[tuple[str, PortalScope], ...] = (
    ("mail.", "webmail"),
    ("autoconfig.", "autoconfig"),
    ("autodiscover.", "autoconfig"),
    ("mta-sts.", "mta-sts"),
)


@dataclass(frozen=True, slots=True)
class HostScope:
    """The portal a host selects; ``domain`` is the customer's domain (A-label) for customer hosts."""

    scope: PortalScope
    domain: str | None = None


DomainLookup = Callable[[str], Awaitable[bool]]  # is this A-label a hosted domain?


def host_name(header: str) -> str:
    """The Host header without port, lower-cased, without a final dot; IPv6 brackets kept off."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostRouter:
    """Classifies hosts; ``is_hosted_domain`` answers whether a customer domain lives here."""

    def __init__(self, platform_hosts: frozenset[str], is_hosted_domain: DomainLookup) -> None:
        self._platform = frozenset(h.lower().rstrip(".") for h in platform_hosts)
        self._is_hosted = is_hosted_domain

    async def classify(self, header: str) -> HostScope:
        name = host_name(header)
        if not name or name in self._platform or name == "localhost" or _is_ip(name):
            return HostScope("platform")
        try:
            ascii_name = name.encode("idna").decode("ascii") if not name.isascii() else name
        except UnicodeError:
            return HostScope("unknown")
        for prefix, scope in _CUSTOMER_PREFIXES:
            if ascii_name.startswith(prefix):
                domain = ascii_name[len(prefix) :]
                if domain and await self._is_hosted(domain):
                    return HostScope(scope, domain)
        return HostScope("unknown")
