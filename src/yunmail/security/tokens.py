"""Random tokens and codes, their hashes for storage, and constant-time comparison."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(nbytes: int = 32) -> str:
    """URL-safe random token (invitation links, sessions, client passwords)."""
    return secrets.token_urlsafe(nbytes)


def new_code(digits: int = 6) -> str:
    """Numeric one-time code (SMS / e-mail)."""
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def hash_token(token: str) -> str:
    """Tokens are stored only as SHA-256 hashes: they are long and random, so no salt is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
