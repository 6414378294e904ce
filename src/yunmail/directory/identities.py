"""Who may send as which address, and which hosted domain an address belongs to (SMTP's directory view).

* ``sender_identities``: the addresses a member may use in MAIL FROM and the From header: its own
  open mailbox, that mailbox's aliases, and the open shared mailboxes it belongs to (with theirs).
* ``hosted_domain``: the platform-wide owner of a mail domain with its mode and verification state.
  Like ``Recipients.resolve`` this lookup is not tenant-scoped (domains are unique platform-wide);
  callers use the owning enterprise only to route mail, never to show another tenant's data.

Addresses compare in their canonical form (lower-case local part, A-label domain).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from yunmail.directory.addressing import canonical_address
from yunmail.domains import to_ascii
from yunmail.errors import DomainInvalid
from yunmail.storage import Database
from yunmail.storage.repos import domains as domain_rows
from yunmail.storage.repos import identities as identity_rows

# PRODUCT §4: only a fully verified domain sends and receives on the Internet; an ownership-only
# domain keeps mail between the enterprise's own mailboxes.
_INTERNET_MODE = "full"
_VERIFIED = "verified"


@dataclass(frozen=True, slots=True)
class HostedDomain:
    name: str  # A-label
    enterprise_id: int
    mode: str  # full | ownership
    state: str  # pending | verified | ...

    @property
    def accepts_internet_mail(self) -> bool:
        """May strangers (MX, other tenants) deliver here? Only a verified full-mode domain."""
        return self.mode == _INTERNET_MODE and self.state == _VERIFIED


@dataclass(frozen=True, slots=True)
class SendAsAddress:
    address: str  # canonical
    mailbox_id: int
    shared: bool  # a shared mailbox's address (or alias): its own, higher sending limit applies
    via_alias: bool


@dataclass(frozen=True, slots=True)
class SenderIdentities:
    enterprise_id: int
    member_id: int
    addresses: Mapping[str, SendAsAddress] = field(default_factory=lambda: MappingProxyType({}))

    def find(self, address: str) -> SendAsAddress | None:
        """The identity for ``address`` written any way (case, U-label domain); None if not allowed."""
        canonical = canonical_address(address)
        return None if canonical is None else self.addresses.get(canonical)


class Identities:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def sender_identities(self, enterprise_id: int, member_id: int) -> SenderIdentities:
        async with self._db.read() as conn:
            rows = await identity_rows.send_as_rows(conn, enterprise_id, member_id)
        found = {
            str(row["address"]): SendAsAddress(
                address=str(row["address"]),
                mailbox_id=int(row["mailbox_id"]),
                shared=row["kind"] == "shared",
                via_alias=bool(row["via_alias"]),
            )
            for row in rows
        }
        return SenderIdentities(enterprise_id, member_id, MappingProxyType(found))

    async def hosted_domain(self, domain: str) -> HostedDomain | None:
        """The hosted domain ``domain`` (any spelling), or None when nobody here holds it."""
        try:
            name = to_ascii(domain)
        except DomainInvalid:
            return None
        async with self._db.read() as conn:
            row = await domain_rows.get_by_name(conn, name)
        if row is None:
            return None
        return HostedDomain(
            name=str(row["name"]),
            enterprise_id=int(row["enterprise_id"]),
            mode=str(row["mode"]),
            state=str(row["state"]),
        )
