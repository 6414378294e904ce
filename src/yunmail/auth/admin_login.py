"""Admin console sign-in: login + password (+ authenticator code when turned on) -> admin ``Principal``.

The password check is the directory's (``administrators.verify_admin_password``: LOGIN_INVALID for
unknown logins and wrong passwords alike, LOGIN_ACCOUNT_DISABLED / ENTERPRISE_SUSPENDED only after
a correct password). Around it this adds what members get:

* the shared lockout, by ``admin_subject(login)`` (known or unknown login alike) and remote IP:
  LOGIN_LOCKED before the password is even checked;
* the second factor when the administrator turned TOTP on: no code -> TOTP_REQUIRED (not a
  failure: the sign-in page then asks for it), a wrong code -> TOTP_INVALID (a failure).

The failure count is cleared only by a complete sign-in, never by a right password alone:
otherwise someone holding the password could alternate it with code guesses forever.
"""

from __future__ import annotations

from yunmail.auth.lockout import Lockout, LockStatus, admin_subject
from yunmail.auth.principal import Principal
from yunmail.auth.totp import Totp
from yunmail.directory import Directory
from yunmail.errors import LoginInvalid, TotpInvalid


class AdminLogin:
    def __init__(self, directory: Directory, lockout: Lockout, totp: Totp) -> None:
        self._directory = directory
        self._lockout = lockout
        self._totp = totp

    async def authenticate(
        self, login: str, password: str, *, totp_code: str | None = None, remote_ip: str
    ) -> Principal:
        """An administrator principal, or the catalogue error that says why not."""
        subject = admin_subject(login)
        await self._lockout.check(subject, remote_ip)
        try:
            admin = await self._directory.administrators.verify_admin_password(login, password)
        except LoginInvalid:
            await self._lockout.record_failure(subject, remote_ip)
            raise
        try:
            await self._totp.check_login("admin", admin.id, totp_code)
        except TotpInvalid:
            await self._lockout.record_failure(subject, remote_ip)
            raise
        await self._lockout.record_success(subject)
        return Principal(
            kind="admin", login=admin.login, enterprise_id=admin.enterprise_id, admin_id=admin.id
        )

    async def unlock(self, login: str) -> None:
        """Lift an administrator login's lock (operator console)."""
        await self._lockout.unlock(admin_subject(login))

    async def lock_status(self, login: str) -> LockStatus:
        return await self._lockout.status(admin_subject(login))
