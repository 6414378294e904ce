"""DKIM signing of outbound mail with the sending domain's active key(s), after the final headers are set.

The signing domain is the RFC 5322 From domain (what DMARC aligns with, RFC 7489 §3.1.1), falling
back to the envelope sender's. Keys come through the small `SigningKeys` port (``domains.dkim_keys``
provides them in production); a domain without an active key goes out unsigned, which the caller
may log. With two keys (RSA + Ed25519, RFC 8463 §4) the message carries one signature for each.
Signing is CPU-bound and runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from yunmail.clock import Clock
from yunmail.mailauth.dkim import DkimAlgorithm, DkimKey, sign

__all__ = ["DkimSigner", "SigningKey", "SigningKeys", "StaticSigningKeys", "signing_domain"]


@dataclass(frozen=True, slots=True)
class SigningKey:
    selector: str
    algorithm: str  # "rsa" | "ed25519"
    private_pem: bytes


class SigningKeys(Protocol):
    """The active signing keys of a domain (A-label); empty when it has none."""

    async def signing_keys(self, domain: str) -> Sequence[SigningKey]: ...


class StaticSigningKeys:
    """Keys held in memory per domain: tests, benchmarks and single-domain deployments."""

    def __init__(self, keys: Mapping[str, Sequence[SigningKey]]) -> None:
        self._keys = {domain.lower(): tuple(items) for domain, items in keys.items()}

    async def signing_keys(self, domain: str) -> Sequence[SigningKey]:
        return self._keys.get(domain.lower(), ())


@dataclass(frozen=True, slots=True)
class SignedMessage:
    data: bytes
    domain: str | None  # the d= domain, None when unsigned
    selectors: tuple[str, ...]


class DkimSigner:
    """Signs outgoing mail with every active key of the From domain; ``t=`` from ``clock`` if given."""

    def __init__(self, keys: SigningKeys, clock: Clock | None = None) -> None:
        self._keys = keys
        self._clock = clock

    async def sign(self, message: bytes, envelope_sender: str = "") -> SignedMessage:
        """``message`` with DKIM-Signature fields prepended (or unchanged when no key applies)."""
        domain = signing_domain(message, envelope_sender)
        if domain is None:
            return SignedMessage(message, None, ())
        keys = await self._keys.signing_keys(domain)
        if not keys:
            return SignedMessage(message, None, ())
        timestamp = int(self._clock.now().timestamp()) if self._clock is not None else None
        headers = await asyncio.to_thread(_sign_all, message, domain, tuple(keys), timestamp)
        return SignedMessage(headers + message, domain, tuple(k.selector for k in keys))


def _sign_all(message: bytes, domain: str, keys: tuple[SigningKey, ...], timestamp: int | None) -> bytes:
    # Each signature covers the message as the receiver sees it below that field; signing the same
    # bytes for both keys is correct because DKIM-Signature fields are not in each other's h=.
    fields = [
        sign(
            message,
            domain,
            key.selector,
            DkimKey(DkimAlgorithm(key.algorithm), key.private_pem),
            timestamp=timestamp,
        )
        for key in keys
    ]
    return b"".join(fields)


def signing_domain(message: bytes, envelope_sender: str = "") -> str | None:
    """The From header's domain (lower-case), else the envelope sender's; None when neither has one."""
    head = message.split(b"\r\n\r\n", 1)[0]
    value: str | None = None
    collecting = False
    for line in head.split(b"\r\n"):
        if collecting and line[:1] in (b" ", b"\t"):
            value = (value or "") + line.decode("utf-8", "replace")
            continue
        collecting = False
        if line[:5].lower() == b"from:":
            if value is not None:
                return _envelope_domain(envelope_sender)  # RFC 5322 allows one From; don't guess
            value = line[5:].decode("utf-8", "replace")
            collecting = True
    if value is not None:
        addresses = email.utils.getaddresses([value])
        if len(addresses) == 1 and "@" in addresses[0][1]:
            return addresses[0][1].rpartition("@")[2].strip().lower() or None
    return _envelope_domain(envelope_sender)


def _envelope_domain(sender: str) -> str | None:
    return sender.rpartition("@")[2].lower() or None if "@" in sender else None


class DomainKeySource(Protocol):
    """The domains service's key store, as far as signing needs it."""

    async def active_keys(self, domain: str) -> Sequence[ActiveKey]: ...


class ActiveKey(Protocol):
    @property
    def selector(self) -> str: ...

    @property
    def key(self) -> DkimKeyLike: ...


class DkimKeyLike(Protocol):
    @property
    def algorithm(self) -> str: ...

    @property
    def private_pem(self) -> bytes: ...


class DomainSigningKeys:
    """Signing keys read from the domains' DKIM key store (the one owner of key generation)."""

    def __init__(self, source: DomainKeySource) -> None:
        self._source = source

    async def signing_keys(self, domain: str) -> Sequence[SigningKey]:
        return [
            SigningKey(active.selector, str(active.key.algorithm), active.key.private_pem)
            for active in await self._source.active_keys(domain)
        ]
