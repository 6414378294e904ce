"""Recently verified account passwords, so that a repeated login does not pay argon2id again.

Mail programs log in on every poll and every extra connection; argon2id is deliberately slow, so
without this each of those logins costs a verification (tens of milliseconds of a core, seconds
under load). Like Dovecot's auth cache, a correct login is remembered for a short time and the same
secret is then accepted without the hash.

What an entry is: HMAC-SHA256 under a key drawn at random when the process starts, over the
channel class (``web`` or ``mail``), the member id, the member's **stored password hash** and the
secret. The secret itself is never kept, logged or compared; the key never leaves the process, so
the entries are useless elsewhere (a restart forgets everything).

Why entries go stale "at once", in every process and on every node, without any messaging: the
stored hash is part of the entry's identity. A password change or an administrator's reset writes
a new hash (argon2id salts every hash, so even the same password gives a new one), the login reads
the member's row anyway, and an entry made under the old hash can never match again. Everything
else that can refuse a correct secret (lockout of the member or the IP, a disabled or deleted
member, a suspended enterprise, a closed mailbox, ``require_client_passwords``, a pending
password change) is checked on every login from the same row and the lockout counters, before or
after this lookup, cache hit or not. Only the hash verification is skipped.

What is not cached: client passwords (SHA-256 of ~79 random bits: no argon2id to save, and the
query that matches them is also what makes a revoked one fail at once), failed logins (an entry is
added only after a complete login) and unknown accounts. A wrong secret gives a different HMAC, so
it always misses and pays the full verification, as before.

Bounds: an entry lives ``ttl_seconds`` from its verification (a hit does not extend it), and at
most ``max_entries`` are kept, least recently used dropped first (an entry is ~200 bytes).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict
from typing import Literal

from yunmail.clock import Clock

ChannelClass = Literal["web", "mail"]


class CredentialCache:
    def __init__(self, clock: Clock, *, ttl_seconds: float, max_entries: int) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._max = max_entries
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, float] = OrderedDict()  # digest -> expiry (Unix seconds)

    def __len__(self) -> int:
        return len(self._entries)

    def hit(self, channel_class: ChannelClass, member_id: int, password_hash: str, secret: str) -> bool:
        """Was this secret verified against this very stored hash, on this channel class, lately?"""
        if self._ttl <= 0:
            return False
        digest = self._digest(channel_class, member_id, password_hash, secret)
        expires = self._entries.get(digest)
        if expires is None:
            return False
        if expires <= self._clock.now().timestamp():
            del self._entries[digest]
            return False
        self._entries.move_to_end(digest)
        return True

    def remember(self, channel_class: ChannelClass, member_id: int, password_hash: str, secret: str) -> None:
        """Record a login that verified ``secret`` against ``password_hash`` and succeeded."""
        if self._ttl <= 0 or self._max <= 0:
            return
        now = self._clock.now().timestamp()
        digest = self._digest(channel_class, member_id, password_hash, secret)
        self._entries[digest] = now + self._ttl
        self._entries.move_to_end(digest)
        while self._entries and (len(self._entries) > self._max or next(iter(self._entries.values())) <= now):
            self._entries.popitem(last=False)  # over the bound, or the least recently used has expired

    def _digest(self, channel_class: ChannelClass, member_id: int, password_hash: str, secret: str) -> bytes:
        message = hmac.new(self._key, digestmod=hashlib.sha256)
        for part in (channel_class, str(member_id), password_hash, secret):
            data = part.encode("utf-8", "surrogatepass")
            message.update(len(data).to_bytes(4, "big"))  # length-prefixed: no two tuples collide
            message.update(data)
        return message.digest()
