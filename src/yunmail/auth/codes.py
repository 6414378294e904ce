"""One-time codes by SMS or e-mail: login by phone + code, and forgot-password (code, then new password).

Rules (numbers from ``AuthLimits``):

* A code is ``code_digits`` random digits for one purpose (``login`` or ``reset``) and one target
  (a mainland mobile number, or a contact e-mail). It expires after ``code_ttl_seconds``, allows
  ``code_attempts`` wrong tries, and works once. Only the newest code of a purpose and target counts:
  requesting a new one retires the previous.
* A new code for the same purpose and target needs ``code_resend_seconds`` since the last one, and a
  target gets at most ``codes_per_hour`` codes an hour (SMS bombing costs money and annoys people).
* Only a hash of the code is stored. A 6-digit code is guessable offline from its hash, so the hash
  merely keeps codes out of plain sight; the attempt limit and expiry are the protection.
* The code is bound to the phone, not to a tenant: one phone may belong to members of several
  enterprises (it is unique only within one). Then the login must name the enterprise (``org_id``),
  otherwise LOGIN_ORG_REQUIRED asks for it.
* Wrong codes count towards the member's and the IP's lockout, like wrong passwords.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from yunmail.auth.accounts import Accounts, MemberAccount
from yunmail.auth.limits import AuthLimits
from yunmail.auth.lockout import Lockout, member_subject
from yunmail.auth.login import require_usable
from yunmail.auth.outbox import EmailSender, SmsSender
from yunmail.auth.principal import Principal
from yunmail.clock import Clock
from yunmail.directory import Directory, is_sms_phone, normalise_phone
from yunmail.errors import (
    CodeAttemptsExhausted,
    CodeExpired,
    CodeInvalid,
    CodeRequestLimit,
    CodeResendTooSoon,
    LoginAccountDisabled,
    MemberNotFound,
    PhoneNotSmsCapable,
    ResetChannelUnavailable,
    YunmailError,
)
from yunmail.security import constant_time_equal, hash_token, new_code
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import auth_accounts as account_rows
from yunmail.storage.repos import auth_codes as rows
from yunmail.storage.repos import auth_sessions as session_rows

Purpose = Literal["login", "reset"]
CodeChannel = Literal["sms", "email"]

_TEXT = {
    "login": (
        "Your Yunmail login code is {code}, valid for {minutes} minutes. Never share it.\n"
        "您的登录验证码为 {code}，{minutes} 分钟内有效，请勿泄露。"
    ),
    "reset": (
        "Your Yunmail password reset code is {code}, valid for {minutes} minutes. "
        "If you did not ask for it, ignore this message.\n"
        "您正在重置密码，验证码为 {code}，{minutes} 分钟内有效。如非本人操作，请忽略。"
    ),
}
_SUBJECT = {"login": "Yunmail login code / 登录验证码", "reset": "Yunmail password reset / 重置密码"}


@dataclass(frozen=True, slots=True)
class CodeSent:
    """What the page tells the user: where the code went (masked) and when to ask again."""

    channel: CodeChannel
    masked_target: str
    expires_at: dt.datetime
    resend_at: dt.datetime


def mask(target: str) -> str:
    """``138****5678`` for a phone, ``z***@example.com`` for an e-mail address."""
    local, at, domain = target.partition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    return f"{target[:3]}****{target[-4:]}" if len(target) > 7 else "****"


class Codes:
    def __init__(
        self,
        db: Database,
        directory: Directory,
        accounts: Accounts,
        lockout: Lockout,
        clock: Clock,
        *,
        sms: SmsSender,
        email: EmailSender,
        limits: AuthLimits | None = None,
    ) -> None:
        self._db = db
        self._directory = directory
        self._accounts = accounts
        self._lockout = lockout
        self._clock = clock
        self._sms = sms
        self._email = email
        self._limits = limits or AuthLimits()

    # --- login by phone + SMS code ---------------------------------------------------------------

    async def request_login_code(self, phone: str, *, org_id: str | None = None) -> CodeSent:
        """Send a login code to a registered mainland mobile number.

        LOGIN_PHONE_NOT_REGISTERED, LOGIN_ORG_REQUIRED (several enterprises), PHONE_NOT_SMS_CAPABLE.
        """
        normalised = _sms_phone(phone)
        await self._accounts.by_phone(normalised, org_id)
        return await self.issue("login", "sms", normalised)

    async def login_with_code(
        self, phone: str, code: str, *, org_id: str | None = None, remote_ip: str = ""
    ) -> Principal:
        """A webmail principal for phone + code; the same refusals as a password login afterwards."""
        normalised = _sms_phone(phone)
        account = await self._accounts.by_phone(normalised, org_id)
        subject = member_subject(account.member_id)
        await self._lockout.check(subject, remote_ip)
        try:
            await self.verify("login", [normalised], code)
        except CodeInvalid:
            await self._lockout.record_failure(subject, remote_ip)
            raise
        await self._lockout.record_success(subject)
        require_usable(account)
        return account.principal()

    # --- forgot password -------------------------------------------------------------------------

    async def request_reset_code(self, login: str, channel: CodeChannel) -> CodeSent:
        """Send a reset code to the member's registered phone (``sms``) or contact e-mail (``email``).

        This tells whether an account exists (MEMBER_NOT_FOUND), as phone login tells whether a phone
        is registered; the per-target limits bound what can be learnt or sent.
        """
        account = await self._member(login)
        target = _reset_target(account, channel)
        return await self.issue("reset", channel, target)

    async def reset_password(self, login: str, code: str, new_password: str, *, remote_ip: str = "") -> None:
        """Set a new password after a correct reset code; ends every session and lifts the lockout."""
        account = await self._member(login)
        subject = member_subject(account.member_id)
        # Only the IP lock applies: a code to the member's own phone or e-mail is how a locked-out
        # member gets back in (it has its own attempt limits), and success lifts the member's lock.
        await self._lockout.check(None, remote_ip)
        # Policy and hashing first: a too-weak password must not use up the code.
        password_hash = await self._directory.members.hash_new_password(new_password)
        targets = [t for t in (account.phone, _email_key(account.contact_email)) if t]
        try:
            await self.verify("reset", targets, code)
        except CodeInvalid:
            await self._lockout.record_failure(subject, remote_ip)
            raise
        if account.status != "active":
            raise LoginAccountDisabled()
        now = self._clock.now()
        enterprise_id = account.enterprise.id
        async with self._db.transaction() as conn:
            await account_rows.set_password_hash(conn, enterprise_id, account.member_id, password_hash)
            ended = await session_rows.revoke_for_member(conn, enterprise_id, account.member_id, now)
            await audit.record(
                conn,
                enterprise_id=enterprise_id,
                actor=f"member:{account.member_id}",
                action="member.password_reset_by_code",
                target=f"member:{account.member_id}",
                detail={"sessions_ended": ended},
                at=now,
            )
        await self._lockout.unlock(subject)

    # --- codes -----------------------------------------------------------------------------------

    async def issue(self, purpose: Purpose, channel: CodeChannel, target: str) -> CodeSent:
        """Create and send a code to an already-normalised target, within the resend limits."""
        now = self._clock.now()
        code = new_code(self._limits.code_digits)
        expires_at = now + dt.timedelta(seconds=self._limits.code_ttl_seconds)
        resend = dt.timedelta(seconds=self._limits.code_resend_seconds)
        async with self._db.transaction() as conn:
            last = await rows.latest(conn, purpose, [target], for_update=True)
            if last is not None and now - last["created_at"] < resend:
                wait = resend - (now - last["created_at"])
                raise CodeResendTooSoon(seconds=max(1, math.ceil(wait.total_seconds())))
            if (
                await rows.count_since(conn, target, now - dt.timedelta(hours=1))
                >= self._limits.codes_per_hour
            ):
                raise CodeRequestLimit()
            code_id = await rows.insert_code(
                conn,
                purpose=purpose,
                channel=channel,
                target=target,
                code_hash=_code_hash(purpose, target, code),
                created_at=now,
                expires_at=expires_at,
            )
        try:
            await self._send(purpose, channel, target, code)
        except Exception:
            # Not sent: forget it, so the user may ask again at once instead of waiting out the throttle.
            async with self._db.transaction() as conn:
                await rows.delete_code(conn, code_id)
            raise
        return CodeSent(channel, mask(target), expires_at, now + resend)

    async def verify(self, purpose: Purpose, targets: list[str], code: str) -> None:
        """Consume the newest code of ``purpose`` sent to any of ``targets`` if ``code`` matches it.

        CODE_INVALID (wrong, or none was sent), CODE_EXPIRED (expired or already used),
        CODE_ATTEMPTS_EXHAUSTED (too many wrong tries: request a new one).
        """
        now = self._clock.now()
        refusal: YunmailError | None = None
        async with self._db.transaction() as conn:
            row = await rows.latest(conn, purpose, targets, for_update=True) if targets else None
            if row is None:
                refusal = CodeInvalid()
            elif row["used_at"] is not None or now >= row["expires_at"]:
                refusal = CodeExpired()
            elif row["attempts"] >= self._limits.code_attempts:
                refusal = CodeAttemptsExhausted()
            elif not constant_time_equal(row["code_hash"], _code_hash(purpose, row["target"], code.strip())):
                await rows.add_attempt(conn, int(row["id"]))  # committed: the refusal is raised below
                refusal = CodeInvalid()
            else:
                await rows.mark_used(conn, int(row["id"]), now)
        if refusal is not None:
            raise refusal

    async def prune(self) -> int:
        """Delete codes expired for over a day (kept that long for the hourly limit and support)."""
        async with self._db.transaction() as conn:
            return await rows.delete_expired(conn, expired_before=self._clock.now() - dt.timedelta(days=1))

    async def _send(self, purpose: Purpose, channel: CodeChannel, target: str, code: str) -> None:
        text = _TEXT[purpose].format(code=code, minutes=max(1, self._limits.code_ttl_seconds // 60))
        if channel == "sms":
            await self._sms.send_sms(target, text)
        else:
            await self._email.send_email(target, _SUBJECT[purpose], text)

    async def _member(self, login: str) -> MemberAccount:
        resolution = await self._accounts.resolve(login)
        if resolution.account is None:
            raise MemberNotFound()
        return resolution.account


def _sms_phone(phone: str) -> str:
    normalised = normalise_phone(phone)
    if not is_sms_phone(normalised):
        raise PhoneNotSmsCapable()
    return normalised


def _email_key(address: str | None) -> str | None:
    return address.strip().lower() if address else None


def _reset_target(account: MemberAccount, channel: CodeChannel) -> str:
    target = account.phone if channel == "sms" else _email_key(account.contact_email)
    if target is None or (channel == "sms" and not is_sms_phone(target)):
        raise ResetChannelUnavailable()
    return target


def _code_hash(purpose: str, target: str, code: str) -> str:
    return hash_token(f"{purpose}:{target}:{code}")
