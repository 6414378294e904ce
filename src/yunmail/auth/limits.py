"""``AuthLimits``: the numbers behind lockout, codes, sessions and client passwords (PRODUCT §1, §6).

Defaults are the product's; the runtime may pass other values (tests do, to keep cases small).
"""

from __future__ import annotations

from dataclasses import dataclass

# PRODUCT §1: admin sessions expire after 30 idle minutes and this is not configurable.
ADMIN_IDLE_MINUTES = 30


@dataclass(frozen=True, slots=True)
class AuthLimits:
    # Lockout: failures counted per login (any protocol) and per remote IP in fixed windows.
    login_failures: int = 5
    ip_failures: int = 30
    failure_window_minutes: int = 15
    lock_minutes: int = 15
    # SMS / e-mail codes.
    code_digits: int = 6
    code_ttl_seconds: int = 300
    code_attempts: int = 5
    code_resend_seconds: int = 60
    codes_per_hour: int = 10  # per target (phone or e-mail): caps SMS bombing
    # Web sessions: member default keep-alive and the range a member may choose.
    member_idle_minutes: int = 30
    member_idle_min: int = 5
    member_idle_max: int = 7 * 24 * 60
    # Stored "last seen"/"last used" times are refreshed at most this often: no write per request.
    session_touch_seconds: int = 60
    client_password_touch_seconds: int = 300
    max_client_passwords: int = 20
    max_api_tokens: int = 20  # per administrator
    # Verified-credential cache (auth.credential_cache): a repeated correct login skips argon2id for
    # this long after its verification. Five minutes covers mail programs that poll every few minutes
    # and open several connections at once; it is not what makes a changed password fail (that is
    # immediate, whatever the TTL): it bounds how long a secret's HMAC stays in memory. 0 turns it off.
    credential_cache_seconds: int = 300
    credential_cache_entries: int = 10_000  # per serving process, ~200 bytes each
    # PRODUCT §3: an admin-set password must be changed at first login. Mail programs cannot change
    # it, so when on, IMAP/POP3/SMTP refuse it (PASSWORD_CHANGE_REQUIRED) until the member changed it
    # in webmail. Off until webmail's change-password page exists; Principal.must_change_password
    # always tells the web front door to force the change.
    mail_needs_changed_password: bool = False
