"""The DKIM signing keys of each domain: generation, selector naming, rotation and the signer's lookup.

This module is the one owner of DKIM key generation. Invariants:

* A domain gets its keys when it is added (``DomainRegistry.add``): RSA-2048 by default, plus an
  Ed25519 key for dual signing (RFC 8463) when the deployment asks for it. Both start active.
* Selectors are ``ym<yyyymm>`` (RSA) and ``ym<yyyymm>e`` (Ed25519), with ``b``, ``c``, … appended
  when the month's name is taken, so a rotated key always gets a new DNS name.
* Rotation is three steps so mail never fails verification: ``rotate`` creates an inactive key (its
  record is listed for publishing at once), ``activate`` later makes it the one active key of its
  algorithm, ``retire`` deletes an old inactive key.
* Private keys are stored as unencrypted PKCS#8 PEM in ``dkim_keys.private_key``: the sealing
  helper (``security/sealed.py``) does not exist yet; when it lands, seal here and nowhere else.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from yunmail.clock import Clock
from yunmail.errors import DkimKeyActive, DkimKeyNotFound, DomainNotFound
from yunmail.mailauth.dkim import DkimAlgorithm, DkimKey, dns_txt_value, generate_key, load_key
from yunmail.mailauth.records import Deployment, ExpectedRecord, dkim_record
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import dkim_keys as key_rows
from yunmail.storage.repos import domains as domain_rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["DkimKeys", "DomainKey", "KeyFactory", "SigningKey", "dkim_expected_records", "selector_for"]

KeyFactory = Callable[[DkimAlgorithm], DkimKey]


def default_key_factory(algorithm: DkimAlgorithm) -> DkimKey:
    return generate_key(algorithm, 2048)


@dataclass(frozen=True, slots=True)
class DomainKey:
    """A key as the console and the records list see it (never the private half)."""

    id: int
    domain_id: int
    selector: str
    algorithm: DkimAlgorithm
    public_key: str  # the p= value
    active: bool
    created_at: dt.datetime

    @property
    def txt_value(self) -> str:
        return dns_txt_value(self.algorithm, self.public_key)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> DomainKey:
        return cls(
            id=row["id"],
            domain_id=row["domain_id"],
            selector=row["selector"],
            algorithm=DkimAlgorithm(row["algorithm"]),
            public_key=row["public_key"],
            active=row["active"],
            created_at=row["created_at"],
        )


@dataclass(frozen=True, slots=True)
class SigningKey:
    """What the outbound signer needs for one ``DKIM-Signature``: ``d=``, ``s=`` and the private key."""

    domain: str  # A-label
    selector: str
    key: DkimKey


def selector_for(now: dt.datetime, algorithm: DkimAlgorithm, taken: Collection[str] = ()) -> str:
    """``ym<yyyymm>`` (``e`` suffix for Ed25519), then ``b``, ``c``, … while the name is taken."""
    base = f"ym{now:%Y%m}" + ("e" if algorithm is DkimAlgorithm.ED25519 else "")
    if base not in taken:
        return base
    for letter in "bcdefghijklmnopqrstuvwxyz":
        if (candidate := base + letter) not in taken:
            return candidate
    raise ValueError("no free DKIM selector this month")


def primary_key(keys: Sequence[DomainKey]) -> DomainKey | None:
    """The key verification requires: the active RSA key (every verifier has RSA), else any active one."""
    active = [key for key in keys if key.active]
    rsa = [key for key in active if key.algorithm is DkimAlgorithm.RSA]
    chosen = rsa or active
    return chosen[-1] if chosen else None


def dkim_expected_records(
    domain: str, keys: Sequence[DomainKey], deployment: Deployment
) -> list[ExpectedRecord]:
    """DKIM rows beyond the primary key (second algorithm, keys waiting for activation): recommended only."""
    primary = primary_key(keys)
    extra = [key for key in keys if primary is None or key.id != primary.id]
    return [
        replace(dkim_record(domain, key.selector, key.txt_value, deployment), required=False) for key in extra
    ]


class DkimKeys:
    """Create, list, rotate and look up the DKIM keys of an enterprise's domains."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        key_factory: KeyFactory = default_key_factory,
        dual_sign: bool = False,
    ) -> None:
        self._db = db
        self._clock = clock
        self._factory = key_factory
        self._dual_sign = dual_sign

    async def new_keys(self) -> list[DkimKey]:
        """The keys a new domain starts with; generated off the event loop (RSA takes tens of ms)."""
        algorithms = [DkimAlgorithm.RSA, *([DkimAlgorithm.ED25519] if self._dual_sign else [])]
        return [await asyncio.to_thread(self._factory, algorithm) for algorithm in algorithms]

    async def store_initial(self, conn: AsyncConnection, domain_id: int, keys: Sequence[DkimKey]) -> None:
        """Store a new domain's keys as active, inside the caller's transaction."""
        now = self._clock.now()
        taken: list[str] = []
        for key in keys:
            selector = selector_for(now, key.algorithm, taken)
            await _insert(conn, domain_id, selector, key, active=True, now=now)
            taken.append(selector)

    async def list_keys(self, enterprise_id: int, domain_id: int) -> list[DomainKey]:
        async with self._db.read() as conn:
            rows = await key_rows.list_keys(conn, enterprise_id, domain_id)
        return [DomainKey.from_row(row) for row in rows]

    async def rotate(
        self, enterprise_id: int, domain_id: int, actor: str, algorithm: DkimAlgorithm = DkimAlgorithm.RSA
    ) -> DomainKey:
        """A new inactive key, listed in the domain's records for publishing; ``activate`` it later."""
        key = await asyncio.to_thread(self._factory, algorithm)
        now = self._clock.now()
        async with self._db.transaction() as conn:
            domain = await _domain(conn, enterprise_id, domain_id)
            taken = [row["selector"] for row in await key_rows.list_keys(conn, enterprise_id, domain_id)]
            selector = selector_for(now, algorithm, taken)
            await _insert(conn, domain_id, selector, key, active=False, now=now)
            await _audit(conn, enterprise_id, actor, "domain.dkim_rotate", domain, selector, now)
            row = await key_rows.get_key(conn, enterprise_id, domain_id, selector)
        assert row is not None
        return DomainKey.from_row(row)

    async def activate(self, enterprise_id: int, domain_id: int, selector: str, actor: str) -> DomainKey:
        """Sign with ``selector`` from now on; the previous key of its algorithm stops signing."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            domain = await _domain(conn, enterprise_id, domain_id)
            row = await key_rows.get_key(conn, enterprise_id, domain_id, selector)
            if row is None:
                raise DkimKeyNotFound(selector=selector)
            await key_rows.activate(conn, domain_id, row["id"], row["algorithm"])
            await _audit(conn, enterprise_id, actor, "domain.dkim_activate", domain, selector, now)
            row = await key_rows.get_key(conn, enterprise_id, domain_id, selector)
        assert row is not None
        return DomainKey.from_row(row)

    async def retire(self, enterprise_id: int, domain_id: int, selector: str, actor: str) -> None:
        """Delete an inactive key (its DNS record may then be removed); an active key is refused."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            domain = await _domain(conn, enterprise_id, domain_id)
            row = await key_rows.get_key(conn, enterprise_id, domain_id, selector)
            if row is None:
                raise DkimKeyNotFound(selector=selector)
            if row["active"]:
                raise DkimKeyActive(selector=selector)
            await key_rows.delete_key(conn, domain_id, row["id"])
            await _audit(conn, enterprise_id, actor, "domain.dkim_retire", domain, selector, now)

    async def active_keys(self, domain: str) -> list[SigningKey]:
        """Keys to sign mail from ``domain`` (A-label) with: one per algorithm, RSA first."""
        async with self._db.read() as conn:
            rows = await key_rows.active_keys_by_domain_name(conn, domain)
        rows.sort(key=lambda row: (row["algorithm"] != DkimAlgorithm.RSA.value, row["id"]))
        return [
            SigningKey(domain, row["selector"], load_key(row["private_key"].encode("ascii"))) for row in rows
        ]


async def _domain(conn: AsyncConnection, enterprise_id: int, domain_id: int) -> str:
    row = await domain_rows.get(conn, enterprise_id, domain_id)
    if row is None:
        raise DomainNotFound()
    return str(row["name"])


async def _insert(
    conn: AsyncConnection, domain_id: int, selector: str, key: DkimKey, *, active: bool, now: dt.datetime
) -> None:
    await key_rows.insert_key(
        conn,
        domain_id=domain_id,
        selector=selector,
        algorithm=key.algorithm.value,
        private_key=key.private_pem.decode("ascii"),
        public_key=key.public_key_b64(),
        active=active,
        created_at=now,
    )


async def _audit(
    conn: AsyncConnection,
    enterprise_id: int,
    actor: str,
    action: str,
    domain: str,
    selector: str,
    now: dt.datetime,
) -> None:
    await audit.record(
        conn,
        enterprise_id=enterprise_id,
        actor=actor,
        action=action,
        target=domain,
        detail={"selector": selector},
        at=now,
    )
