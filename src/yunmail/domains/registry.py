"""Domain registration: name normalisation with input corrections, occupancy, add/list/remove.

Invariants:

* A domain is stored once, platform-wide, as its lower-case A-label without a trailing dot
  (``例子.中国`` -> ``xn--fsqu00a.xn--fiqs8s``) and shown as its U-label. The unique index on
  ``domains.name`` makes "occupied" race-free.
* Typical slips get a correction, never a silent accept: ``www.example.com``, ``user@example.com``
  and ``https://example.com/path`` each raise their own error carrying the suggested domain.
* A domain of another enterprise is reported only as "occupied" (nothing about its owner); the
  same enterprise learns the id of the entry it already has.
* DNS queries and diagnosis are ``domains.verify``'s; ``check`` runs one, saves the per-record
  status, moves the state (``domains.states``), schedules the next background check
  (``domains.rechecks``), audits and publishes ``DomainStateChanged``. No transaction is open while
  DNS is queried. ``trust`` marks a domain verified without DNS (CLI ``--trust``) and leaves it out
  of the background rechecks.
* Every domain gets its DKIM keys when added (``domains.dkim_keys``), in both modes, so switching
  from ownership-only to full never waits for a key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from yunmail.clock import Clock
from yunmail.dns import Resolver
from yunmail.domains import states
from yunmail.domains.dkim_keys import DkimKeys, DomainKey, dkim_expected_records, primary_key
from yunmail.domains.expected import expected_records
from yunmail.domains.rechecks import next_check_time
from yunmail.domains.verify import DomainCheck, DomainState, check_domain
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
from yunmail.events import DomainStateChanged, EventBus
from yunmail.mailauth.records import Deployment, ExpectedRecord
from yunmail.mime import domain_to_unicode, normalize_domain
from yunmail.security import new_token
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import dkim_keys as key_rows
from yunmail.storage.repos import domains as domain_rows
from yunmail.storage.repos import enterprises as enterprise_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

MODES = ("full", "ownership")
_FIRST_CHECK = dt.timedelta(minutes=1)


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
    state: str  # pending | ownership-verified | verified | broken (domains.states)
    ownership_token: str
    created_at: dt.datetime
    verified_at: dt.datetime | None
    checked_at: dt.datetime | None
    next_check_at: dt.datetime | None = None  # None: not rechecked in the background (trusted)
    record_status: Mapping[str, Any] = field(default_factory=dict)  # last check; see ``check``

    @property
    def reason(self) -> list[dict[str, Any]]:
        """Why the domain is broken (or not yet verified): the failing required records of the last check."""
        return list(self.record_status.get("reason", []))

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
            next_check_at=row["next_check_at"],
            record_status=row["record_status"] or {},
        )


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """A saved check: the domain after it, the verdict, and the state before."""

    domain: Domain
    check: DomainCheck
    previous_state: str

    @property
    def changed(self) -> bool:
        return self.domain.state != self.previous_state

    def as_dict(self) -> dict[str, object]:
        return {
            **self.check.as_dict(),
            "domain_state": self.domain.state,
            "previous_state": self.previous_state,
            "checked_at": self.domain.checked_at.isoformat() if self.domain.checked_at else None,
            "next_check_at": self.domain.next_check_at.isoformat() if self.domain.next_check_at else None,
            "reason": self.domain.reason,
        }


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
    """Add, read, check and remove an enterprise's mail domains."""

    def __init__(
        self, db: Database, clock: Clock, bus: EventBus | None = None, *, keys: DkimKeys | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._bus = bus
        self.keys = keys or DkimKeys(db, clock)

    async def add(
        self, enterprise_id: int, name: str, actor: str, *, mode: str = "full", trust: bool = False
    ) -> Domain:
        """Register ``name`` as pending (or verified with ``trust``) with a fresh ownership token."""
        if mode not in MODES:
            raise DomainModeInvalid()
        domain = normalise_domain(name)
        new_keys = await self.keys.new_keys()  # before the transaction: key generation is slow
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
                state=states.verified_state(mode) if trust else states.PENDING,
                ownership_token=new_token(24),
                created_at=now,
                verified_at=now if trust else None,
                next_check_at=None if trust else now + _FIRST_CHECK,
            )
            if domain_id is None:  # lost a race with a concurrent add of the same name
                await self._refuse_if_registered(conn, enterprise_id, domain)
                raise DomainOccupied(domain=domain.unicode)
            await self.keys.store_initial(conn, domain_id, new_keys)
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

    async def hosted(self, name: str) -> Domain | None:
        """The domain called ``name`` whoever owns it, when it is verified (either mode); else None.

        Platform-wide on purpose, like address resolution: the web front door maps a request's
        ``mail.<domain>`` host to the enterprise that owns ``<domain>``.
        """
        try:
            ascii_name = to_ascii(name)
        except DomainInvalid:
            return None
        async with self._db.read() as conn:
            row = await domain_rows.get_by_name(conn, ascii_name)
        if row is None or row["state"] not in (states.VERIFIED, states.OWNERSHIP_VERIFIED):
            return None
        return Domain.from_row(row)

    async def list_domains(self, enterprise_id: int) -> list[Domain]:
        async with self._db.read() as conn:
            rows = await domain_rows.list_domains(conn, enterprise_id)
        return [Domain.from_row(row) for row in rows]

    async def records(
        self, enterprise_id: int, domain_id: int, deployment: Deployment
    ) -> list[ExpectedRecord]:
        """The records to publish for the domain's mode, with its DKIM key(s) (CLI, console, quick add)."""
        domain, keys = await self._with_keys(enterprise_id, domain_id)
        return _records(domain, keys, deployment)

    async def check(
        self,
        enterprise_id: int,
        domain_id: int,
        resolver: Resolver,
        deployment: Deployment,
        *,
        actor: str = "system:check",
    ) -> CheckOutcome:
        """Check the domain's DNS now, save the per-record status and move its state.

        A state change is audited and published as ``DomainStateChanged``; a check without a verdict
        (DNS trouble) keeps the state, so an outage never un-verifies a domain.
        """
        domain, keys = await self._with_keys(enterprise_id, domain_id)
        primary = primary_key(keys)
        check = await check_domain(
            resolver,
            domain.name,
            domain.mode,
            deployment,
            token=domain.ownership_token,
            dkim_selector=primary.selector if primary else None,
            dkim_key_txt=primary.txt_value if primary else None,
        )
        now = self._clock.now()
        async with self._db.transaction() as conn:
            row = await domain_rows.get(conn, enterprise_id, domain_id)
            if row is None:
                raise DomainNotFound()
            current = Domain.from_row(row)
            new_state = current.state
            if current.mode == check.mode:  # else the mode changed during the check: keep the state
                new_state = states.next_state(current.state, current.mode, check.state)
            changed = new_state != current.state
            since = now if changed else _since(current)
            settled = states.is_settled(new_state, current.mode)
            unknown = check.state is DomainState.UNKNOWN
            values: dict[str, Any] = {
                "state": new_state,
                "checked_at": now,
                "record_status": _record_status(check, new_state, since),
                # A trusted domain (never scheduled) stays out of the background rechecks.
                "next_check_at": None
                if current.next_check_at is None
                else next_check_time(domain_id, settled=settled, since=since, now=now, unknown=unknown),
            }
            if changed and settled:
                values["verified_at"] = now
            await domain_rows.update_domain(conn, enterprise_id, domain_id, **values)
            if changed:
                await audit.record(
                    conn,
                    enterprise_id=enterprise_id,
                    actor=actor,
                    action="domain.state",
                    target=current.name,
                    detail={
                        "from": current.state,
                        "to": new_state,
                        "reason": values["record_status"]["reason"],
                    },
                    at=now,
                )
            row = await domain_rows.get(conn, enterprise_id, domain_id)
        assert row is not None
        outcome = CheckOutcome(Domain.from_row(row), check, current.state)
        if changed and self._bus is not None:
            await self._bus.publish(DomainStateChanged(enterprise_id, domain_id, current.state, new_state))
        return outcome

    async def change_mode(self, enterprise_id: int, domain_id: int, mode: str, actor: str) -> Domain:
        """Switch between full and ownership-only; the state is kept where still true, and rechecks restart.

        Ownership -> full keeps an ownership-verified state until the full records check out; a fully
        verified domain switched to ownership-only becomes ownership-verified.
        """
        if mode not in MODES:
            raise DomainModeInvalid()
        now = self._clock.now()
        async with self._db.transaction() as conn:
            row = await domain_rows.get(conn, enterprise_id, domain_id)
            if row is None:
                raise DomainNotFound()
            current = Domain.from_row(row)
            if current.mode == mode:
                return current
            state = current.state
            if state == states.VERIFIED:
                state = states.OWNERSHIP_VERIFIED if mode != "full" else state
            settled = states.is_settled(state, mode)
            await domain_rows.update_domain(
                conn,
                enterprise_id,
                domain_id,
                mode=mode,
                state=state,
                record_status={**current.record_status, "since": now.isoformat()},
                next_check_at=next_check_time(domain_id, settled=settled, since=now, now=now),
            )
            await audit.record(
                conn,
                enterprise_id=enterprise_id,
                actor=actor,
                action="domain.mode",
                target=current.name,
                detail={"from": current.mode, "to": mode},
                at=now,
            )
            row = await domain_rows.get(conn, enterprise_id, domain_id)
        assert row is not None
        domain = Domain.from_row(row)
        if domain.state != current.state and self._bus is not None:
            await self._bus.publish(DomainStateChanged(enterprise_id, domain_id, current.state, domain.state))
        return domain

    async def claim_due(
        self, now: dt.datetime, lease_until: dt.datetime, limit: int
    ) -> list[tuple[int, int]]:
        """``(enterprise_id, domain_id)`` due for a background check, leased to the caller (``rechecks``)."""
        async with self._db.transaction() as conn:
            return await domain_rows.claim_due(conn, now, lease_until, limit)

    async def _with_keys(self, enterprise_id: int, domain_id: int) -> tuple[Domain, list[DomainKey]]:
        async with self._db.read() as conn:
            row = await domain_rows.get(conn, enterprise_id, domain_id)
            if row is None:
                raise DomainNotFound()
            keys = await key_rows.list_keys(conn, enterprise_id, domain_id)
        return Domain.from_row(row), [DomainKey.from_row(key) for key in keys]

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


def _records(domain: Domain, keys: list[DomainKey], deployment: Deployment) -> list[ExpectedRecord]:
    primary = primary_key(keys)
    records = expected_records(
        domain.name,
        domain.mode,
        deployment,
        token=domain.ownership_token,
        dkim_selector=primary.selector if primary else None,
        dkim_key_txt=primary.txt_value if primary else None,
    )
    if domain.mode == "full":
        records.extend(dkim_expected_records(domain.name, keys, deployment))
    return records


def _since(domain: Domain) -> dt.datetime:
    """When the domain entered its current wait (state change or mode switch); creation by default."""
    text = domain.record_status.get("since")
    return dt.datetime.fromisoformat(text) if isinstance(text, str) else domain.created_at


def _record_status(check: DomainCheck, state: str, since: dt.datetime) -> dict[str, Any]:
    """The record_status column: the whole check, when the state began, and why it fails."""
    reason: list[dict[str, Any]] = [
        {"purpose": "domain", "host": check.domain, "codes": [finding.code]} for finding in check.errors
    ]
    reason += [
        {
            "purpose": status.purpose.value,
            "host": status.host,
            "state": status.state.value,
            "codes": status.error_codes,
        }
        for status in check.records
        if status.required and status.state.value in ("missing", "wrong", "conflict")
    ]
    return {"check": check.as_dict(), "state": state, "since": since.isoformat(), "reason": reason}
