"""Security primitives with no knowledge of members or tenants."""

from yunmail.security.passwords import (
    check_password_policy,
    hash_password,
    password_needs_rehash,
    verify_password,
)
from yunmail.security.tokens import constant_time_equal, hash_token, new_code, new_token

__all__ = [
    "check_password_policy",
    "constant_time_equal",
    "hash_password",
    "hash_token",
    "new_code",
    "new_token",
    "password_needs_rehash",
    "verify_password",
]
