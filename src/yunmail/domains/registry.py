"""Domain registration: name normalisation with input corrections, occupancy, add/list/remove.

Invariants:

* A domain is stored once, platform-wide, as its lower-case A-label without a trailing dot
  (``例子.中国`` -> ``xn--fsqu00a.xn--fiqs8s``) and shown as its U-label. The unique index on
  ``domains.name`` makes "occupied" race-free.
* Typical slips get a correction, never a silent accept: ``www.example.com``, ``user@example.com``
  and ``https://example.com/path`` each raise their own error carrying the suggested domain.
* A domain of another enterprise is reported only as "occupied" (nothing about its owner); the
  same enterprise learns the id of the entry it already has.
* DNS verification is not done here (``domains.verify``); ``trust`` marks a domain verified
  without DNS (CLI ``--trust``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from yunmail.clock import Clock
from yunmail.errors import (
    DomainAlreadyAdded,
    DomainHasWww,
    DomainInUse,
    DomainInvalid,
    DomainLooksLikeAddress,
    DomainLooksLikeUrl,
    DomainModeInvalid,
    DomainNotFound,
    DomainOccupied,
    EnterpriseNotFound,
)
from yunmail.mime import domain_to_unicode, normalize_domain
from yunmail.security import new_token
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import domains as domain_rows
from yunmail.storage.repos import enterprises as enterprise_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

MODES = ("full", "ownership")


@dataclass(frozen=True, slots=True)
class DomainName:
    """A normalised domain: ``ascii`` (A-label, stored and used on the wire) and ``unicode`` (shown)."""

    ascii: str
    unicode: str


@dataclass(frozen=True, slots=True)
class Domain:
    id: int
    enterprise_id: int
    name: str  # A-label
    display_name: str  # U-label
    mode: str  # full | ownership
    state: str  # pending | verified | ... (set by verification)
    ownership_token: str
    created_at: dt.datetime
    verified_at: dt.datetime | None
    checked_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Domain:
        return cls(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            name=row["name"],
            display_name=to_unicode(row["name"]),
            mode=row["mode"],
            state=row["state"],
            ownership_token=row["ownership_token"],
            created_at=row["created_at"],
            verified_at=row["verified_at"],
            checked_at=row["checked_at"],
        )


def to_ascii(text: str) -> str:
    """Lower-case A-label of a mail domain (no corrections); DomainInvalid when it is not one.

    ``mime.normalize_domain`` does the IDNA/LDH work; a mail domain also needs at least two labels.
    """
    name = normalize_domain(text)
    if "." not in name:
        raise DomainInvalid(domain=text)
    return name


def to_unicode(ascii_name: str) -> str:
    """U-label for display; the A-label itself when it cannot be decoded."""
    return domain_to_unicode(ascii_name)


def normalise_domain(text: str) -> DomainName:
    """Normalise what a person typed as a mail domain, raising a correction for the usual slips."""
    raw = text.strip()
    if not raw:
        raise DomainInvalid(domain=text)
    if "://" in raw or "/" in raw:
        try:
            host = urlsplit(raw if "://" in raw else f"//{raw}").hostname or ""
        except ValueError as exc:  # e.g. an unbalanced "[" read as an IPv6 literal
            raise DomainInvalid(domain=text) from exc
        raise DomainLooksLikeUrl(suggestion=_suggestion(host, fallback=text))
    if "@" in raw:
        raise DomainLooksLikeAddress(suggestion=_suggestion(raw.rpartition("@")[2], fallback=text))
    name = to_ascii(raw)
    if name.startswith("www.") and name.count(".") >= 2:
        raise DomainHasWww(suggestion=to_unicode(name[4:]))
    return DomainName(ascii=name, unicode=to_unicode(name))


def _suggestion(candidate: str, *, fallback: str) -> str:
    try:
        name = to_ascii(candidate)
    except DomainInvalid as exc:
        raise DomainInvalid(domain=fallback) from exc
    if name.startswith("www.") and name.count(".") >= 2:
        name = name[4:]
    return to_unicode(name)


class DomainRegistry:
    """Add, read and remove an enterprise's mail domains."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def add(
        self, enterprise_id: int, name: str, actor: str, *, mode: str = "full", trust: bool = False
    ) -> Domain:
        """Register ``name`` as pending (or verified with ``trust``) with a fresh ownership token."""
        if mode not in MODES:
            raise DomainModeInvalid()
        domain = normalise_domain(name)
        now = self._clock.now()
        async with self._db.transaction() as conn:
            enterprise = await enterprise_rows.get(conn, enterprise_id)
            if enterprise is None or enterprise["status"] == "dissolving":
                raise EnterpriseNotFound()
            await self._refuse_if_registered(conn, enterprise_id, domain)
            domain_id = await domain_rows.insert_domain(
                conn,
                enterprise_id=enterprise_id,
                name=domain.ascii,
                mode=mode,
                state="verified" if trust else "pending",
                ownership_token=new_token(24),
                created_at=now,
                verified_at=now if trust else None,
            )
            if domain_id is None:  # lost a race with a concurrent add of the same name
                await self._refuse_if_registered(conn, enterprise_id, domain)
                raise DomainOccupied(domain=domain.unicode)
            await audit.record(
                conn,
                enterprise_id=enterprise_id,
                actor=actor,
                action="domain.add",
                target=domain.ascii,
                detail={"mode": mode, "trusted": trust},
                at=now,
            )
            row = await domain_rows.get(conn, enterprise_id, domain_id)
        assert row is not None
        return Domain.from_row(row)

    async def get(self, enterprise_id: int, domain_id: int) -> Domain:
        async with self._db.read() as conn:
            row = await domain_rows.get(conn, enterprise_id, domain_id)
        if row is None:
            raise DomainNotFound()
        return Domain.from_row(row)

    async def find(self, enterprise_id: int, name: str) -> Domain:
        """The enterprise's domain called ``name`` (any spelling: U-label, upper case, trailing dot)."""
        ascii_name = to_ascii(name)
        async with self._db.read() as conn:
            row = await domain_rows.get_by_name(conn, ascii_name)
        if row is None or row["enterprise_id"] != enterprise_id:
            raise DomainNotFound()
        return Domain.from_row(row)

    async def list_domains(self, enterprise_id: int) -> list[Domain]:
        async with self._db.read() as conn:
            rows = await domain_rows.list_domains(conn, enterprise_id)
        return [Domain.from_row(row) for row in rows]

    async def remove(self, enterprise_id: int, domain_id: int, actor: str) -> None:
        """Remove a domain nothing uses any more (mailboxes, also in the recycle bin; aliases; groups)."""
        async with self._db.transaction() as conn:
            row = await domain_rows.get(conn, enterprise_id, domain_id)
            if row is None:
                raise DomainNotFound()
            mailboxes, aliases, groups = await domain_rows.usage_counts(conn, enterprise_id, domain_id)
            if mailboxes or aliases or groups:
                raise DomainInUse(mailboxes=mailboxes, aliases=aliases, groups=groups)
            await domain_rows.delete_domain(conn, enterprise_id, domain_id)
            await audit.record(
                conn,
                enterprise_id=enterprise_id,
                actor=actor,
                action="domain.remove",
                target=row["name"],
                at=self._clock.now(),
            )

    @staticmethod
    async def _refuse_if_registered(conn: AsyncConnection, enterprise_id: int, domain: DomainName) -> None:
        existing = await domain_rows.get_by_name(conn, domain.ascii)
        if existing is None:
            return
        if existing["enterprise_id"] == enterprise_id:
            raise DomainAlreadyAdded(domain=domain.unicode, domain_id=existing["id"])
        raise DomainOccupied(domain=domain.unicode)
