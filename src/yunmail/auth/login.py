"""``Authenticator``: login name + secret -> ``Principal`` for every front door (web, IMAP, POP3, SMTP).

Order of checks, chosen so that failures reveal as little as possible:

1. Resolve the login (``accounts``): no such enterprise -> LOGIN_ENTERPRISE_UNKNOWN (the product
   wants this one distinct; it names a tenant, not an account). It still counts as a failure.
2. Lockout of the subject (member, or the login text when it names nobody) or of the remote IP ->
   LOGIN_LOCKED, before any secret is checked.
3. The secret. An account password that this process verified against the member's current
   stored hash within the last ``AuthLimits.credential_cache_seconds`` is accepted from the
   ``CredentialCache`` without argon2id (a repeated login: mail programs log in on every poll);
   every other check here and below still runs. Otherwise: mail channels (imap/pop3/smtp) try the
   member's client passwords first; the web never accepts them. If the enterprise sets
   ``require_client_passwords``, a mail channel without a matching client password gets
   CLIENT_PASSWORD_REQUIRED and the account password is not even checked (nor looked up in the
   cache), so IMAP cannot serve as a guessing oracle for the web password. Otherwise the account
   password is verified (argon2id, off the event loop); an unknown account is verified against a
   dummy hash so it costs the same -> LOGIN_INVALID for both (no account enumeration).
4. Only after a correct secret: disabled member -> LOGIN_ACCOUNT_DISABLED; suspended enterprise ->
   ENTERPRISE_SUSPENDED; no open mailbox -> MAILBOX_NOT_OPENED (every member channel is a mail
   application); with ``AuthLimits.mail_needs_changed_password``, a mail channel logging in with an
   administrator-set password not yet changed -> PASSWORD_CHANGE_REQUIRED.

5. Web logins of a member who turned on two-step verification (TOTP) also need the authenticator
   code: missing -> TOTP_REQUIRED (not a failure), wrong -> TOTP_INVALID (a failure). Mail channels
   never ask for it (mail programs use client passwords); an SMS-code login is a second factor by
   itself (``Codes``).

Every refused secret counts for the lockout; a complete login clears the subject's count (a right
password alone does not, so it cannot be alternated with code guesses). Only a complete login with
a freshly verified account password enters the cache; if the hasher's parameters have changed since
the stored hash was made, that login also stores a new hash of the same password (argon2id records
its parameters in the hash, so old hashes keep verifying until then).
"""

from __future__ import annotations

from dataclasses import dataclass

from yunmail.auth.accounts import Accounts, MemberAccount, Resolution
from yunmail.auth.client_passwords import ClientPasswordMatch, ClientPasswords
from yunmail.auth.credential_cache import ChannelClass, CredentialCache
from yunmail.auth.limits import AuthLimits
from yunmail.auth.lockout import Lockout, LockStatus, login_subject, member_subject
from yunmail.auth.principal import MAIL_CHANNELS, Channel, Principal
from yunmail.auth.totp import Totp
from yunmail.clock import Clock
from yunmail.directory import PasswordHasher
from yunmail.errors import (
    ClientPasswordRequired,
    EnterpriseSuspended,
    LoginAccountDisabled,
    LoginEnterpriseUnknown,
    LoginInvalid,
    MailboxNotOpened,
    MemberNotFound,
    PasswordChangeRequired,
    TotpRequired,
    YunmailError,
)
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import auth_accounts as account_rows

# Verified when the account is unknown or has no password, so every refusal costs one verification.
_DUMMY_PASSWORD = "not-a-real-password-0"


@dataclass(frozen=True, slots=True)
class _Secret:
    """Which secret was right: a client password (``client``), else the account password, either
    verified just now with the hasher (``verified``) or found in the credential cache."""

    client: ClientPasswordMatch | None = None
    verified: bool = False


def channel_class(channel: Channel) -> ChannelClass:
    return "mail" if channel in MAIL_CHANNELS else "web"


class Authenticator:
    def __init__(
        self,
        accounts: Accounts,
        lockout: Lockout,
        client_passwords: ClientPasswords,
        hasher: PasswordHasher,
        limits: AuthLimits | None = None,
        totp: Totp | None = None,
        *,
        db: Database,
        clock: Clock,
    ) -> None:
        self._db = db  # for the audit log of unlocks and rehashing
        self._clock = clock
        self._totp = totp
        self._accounts = accounts
        self._lockout = lockout
        self._client_passwords = client_passwords
        self._hasher = hasher
        self._limits = limits or AuthLimits()
        self._dummy_hash: str | None = None  # computed on first need with the configured hasher
        self.credential_cache = CredentialCache(
            clock,
            ttl_seconds=self._limits.credential_cache_seconds,
            max_entries=self._limits.credential_cache_entries,
        )

    async def authenticate(
        self, login: str, secret: str, *, channel: Channel, remote_ip: str, totp_code: str | None = None
    ) -> Principal:
        """Who is this? A member principal, or the catalogue error that says why not.

        ``totp_code`` is for web logins of members with two-step verification; other channels ignore it.
        """
        try:
            resolution = await self._accounts.resolve(login)
        except LoginEnterpriseUnknown:
            subject = login_subject(login)
            await self._lockout.check(subject, remote_ip)
            await self._lockout.record_failure(subject, remote_ip)
            raise
        account = resolution.account
        subject = member_subject(account.member_id) if account is not None else login_subject(login)
        failures = await self._lockout.check(subject, remote_ip)
        try:
            right = await self._check_secret(resolution, secret, channel)
            assert account is not None  # _check_secret refuses unknown accounts
            if channel == "web" and self._totp is not None:
                await self._totp.check_login("member", account.member_id, totp_code)
        except TotpRequired:
            raise  # the password was right: the page asks for the code, nothing was guessed
        except YunmailError:
            await self._lockout.record_failure(subject, remote_ip)
            raise
        await self._lockout.record_success(subject, failures=failures)
        used = right.client
        self.require_usable(account, channel, via_client_password=used is not None)
        if used is not None:
            await self._client_passwords.record_use(account.enterprise.id, used, channel)
        elif right.verified:
            stored = await self._rehashed(account, secret)
            self.credential_cache.remember(channel_class(channel), account.member_id, stored, secret)
        return account.principal(client_password_id=used.id if used is not None else None)

    async def unlock(self, enterprise_id: int, member_id: int, *, actor: str = "system") -> None:
        """An administrator lifts a member's lockout (whatever login form triggered it).

        Audited (``member.unlock``: who — ``actor``, from where if the actor says so —, when, and
        whether the member was locked), like every other administrator action on a member.
        """
        if await self._accounts.get(enterprise_id, member_id) is None:
            raise MemberNotFound()
        subject = member_subject(member_id)
        before = await self._lockout.status(subject)
        await self._lockout.unlock(subject)
        async with self._db.transaction() as conn:
            await audit.record(
                conn,
                enterprise_id=enterprise_id,
                actor=actor,
                action="member.unlock",
                target=f"member:{member_id}",
                detail={"was_locked": before.locked, "failures": before.failures},
                at=self._clock.now(),
            )

    async def lock_status(self, enterprise_id: int, member_id: int) -> LockStatus:
        """Failures and lock of a member, for the admin console."""
        if await self._accounts.get(enterprise_id, member_id) is None:
            raise MemberNotFound()
        return await self._lockout.status(member_subject(member_id))

    def require_usable(self, account: MemberAccount, channel: Channel, *, via_client_password: bool) -> None:
        """The checks after a correct secret."""
        require_usable(account)
        if (
            channel in MAIL_CHANNELS
            and account.must_change_password
            and not via_client_password
            and self._limits.mail_needs_changed_password
        ):
            raise PasswordChangeRequired()

    async def _check_secret(self, resolution: Resolution, secret: str, channel: Channel) -> _Secret:
        """Which of the member's secrets ``secret`` is; raises when none."""
        account, enterprise = resolution.account, resolution.enterprise
        mail = channel in MAIL_CHANNELS
        stored = account.password_hash if account is not None else None
        if (
            account is not None
            and stored is not None
            and not (mail and enterprise.requires_client_passwords)
            and self.credential_cache.hit(channel_class(channel), account.member_id, stored, secret)
        ):
            return _Secret()
        if mail:
            if account is not None:
                used = await self._client_passwords.match(account.enterprise.id, account.member_id, secret)
                if used is not None:
                    return _Secret(client=used)
            if enterprise.requires_client_passwords:
                raise ClientPasswordRequired()
        verified = await self._hasher.verify(stored or await self._dummy(), secret)
        if account is None or stored is None or not verified:
            raise LoginInvalid()
        return _Secret(verified=True)

    async def _rehashed(self, account: MemberAccount, secret: str) -> str:
        """The stored hash, replaced by one with the hasher's current parameters if they differ.

        Compare-and-set on the old hash: a password change that raced this login wins.
        """
        stored = account.password_hash
        assert stored is not None
        if not self._hasher.needs_rehash(stored):
            return stored
        fresh = await self._hasher.hash(secret)
        async with self._db.transaction() as conn:
            replaced = await account_rows.replace_password_hash(
                conn, account.enterprise.id, account.member_id, stored, fresh
            )
        return fresh if replaced else stored

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hasher.hash(_DUMMY_PASSWORD)
        return self._dummy_hash


def require_usable(account: MemberAccount) -> None:
    """What every member login (password, SMS code, web session) needs once the secret is right."""
    if account.status != "active":
        raise LoginAccountDisabled()
    if account.enterprise.status != "active":
        raise EnterpriseSuspended()
    if account.mailbox_id is None:
        raise MailboxNotOpened()
