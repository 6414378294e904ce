"""Password hashing (argon2id, run off the event loop) and the password strength policy."""

from __future__ import annotations

import asyncio
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yunmail.errors import PasswordTooLong, PasswordTooShort, PasswordTooWeak

# RFC 9106 "second recommended" profile, scaled for a 2-core server: ~40 ms per hash.
_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)

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
