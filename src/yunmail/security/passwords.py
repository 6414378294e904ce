"""Password hashing (argon2id, run off the event loop) and the password strength policy.

Argon2id parameters: **m = 19 MiB (19,456 KiB), t = 2 passes, p = 1 lane**, 16-byte salt, 32-byte tag.

* This is OWASP's first recommended argon2id configuration (Password Storage Cheat Sheet: m = 19 MiB,
  t = 2, p = 1, or equivalently m = 46 MiB, t = 1 ...). RFC 9106 §4 names two "recommended" options
  (t = 1 with 2 GiB, or t = 3 with 64 MiB, both p = 4) and otherwise says to take the largest memory
  the deployment can afford and then the time cost that fits the latency budget; p = 4 would need
  four free cores per login, and 2 GiB (or 64 MiB x every concurrent login) is more than a small mail
  server can give its logins.
* Measured on this project's 2-core build machines (AMD EPYC, ``bench/argon2_cost.py``): ~25 ms of
  one core per verification, against ~190 ms for the former t = 3, m = 64 MiB. Repeated logins of
  mail programs skip the hash entirely (``auth.credential_cache``), so the cost is paid on the first
  login and on every wrong guess; a small cost per guess keeps the server answering under a guessing
  flood (lockout stops a guessed account after 5 tries and an address after 30), and 19 MiB per
  verification bounds memory with several logins verifying at once.
* The hash string records its parameters: hashes made with other parameters keep verifying, and
  ``needs_rehash`` tells the login to store a new hash of a password it has just verified.
"""

from __future__ import annotations

import asyncio
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yunmail.errors import PasswordTooLong, PasswordTooShort, PasswordTooWeak

# The parameters and their justification: module docstring.
TIME_COST = 2
MEMORY_KIB = 19 * 1024
PARALLELISM = 1
_HASHER = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM)

_CLASSES = (
    set(string.digits),
    set(string.ascii_uppercase),
    set(string.ascii_lowercase),
)


def check_password_policy(password: str) -> None:
    """PRODUCT §3: 8-32 characters with at least two of digits, upper, lower, special."""
    if len(password) < 8:
        raise PasswordTooShort()
    if len(password) > 32:
        raise PasswordTooLong()
    kinds = sum(1 for chars in _CLASSES if any(c in chars for c in password))
    if any(not c.isalnum() for c in password):
        kinds += 1
    if kinds < 2:
        raise PasswordTooWeak()


def hash_password_sync(password: str) -> str:
    return _HASHER.hash(password)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, password)


def verify_password_sync(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(verify_password_sync, password_hash, password)


def password_needs_rehash(password_hash: str) -> bool:
    """True for an argon2 hash made with other parameters than ours (cheap: parses the string)."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False  # not ours to upgrade: it never verifies anyway
