"""The ``Auth`` service object: login, lockout, client passwords, sessions and codes over shared ports."""

from __future__ import annotations

from yunmail.auth.accounts import Accounts
from yunmail.auth.admin_login import AdminLogin
from yunmail.auth.api_tokens import ApiTokens
from yunmail.auth.client_passwords import ClientPasswords
from yunmail.auth.codes import Codes
from yunmail.auth.limits import AuthLimits
from yunmail.auth.lockout import Lockout
from yunmail.auth.login import Authenticator
from yunmail.auth.operators import Operators
from yunmail.auth.outbox import EmailSender, Outbox, OutboxSender, SmsSender
from yunmail.auth.sessions import Sessions
from yunmail.auth.totp import Totp
from yunmail.clock import Clock
from yunmail.directory import Argon2idHasher, Directory, PasswordHasher
from yunmail.storage import Counters, Database


class Auth:
    """Who is this? Built once by the runtime; front doors call ``login.authenticate`` and friends.

    ``hasher`` must be the directory's (argon2id in production, a cheap one in tests); ``sms`` and
    ``email`` default to the development outbox, which the operator console shows. Consoles use
    ``admin_login`` and ``operators``; the REST API ``api_tokens``; everybody ``totp`` for two-step
    verification.
    """

    def __init__(
        self,
        db: Database,
        directory: Directory,
        counters: Counters,
        clock: Clock,
        *,
        limits: AuthLimits | None = None,
        hasher: PasswordHasher | None = None,
        sms: SmsSender | None = None,
        email: EmailSender | None = None,
    ) -> None:
        self.limits = limits or AuthLimits()
        hasher = hasher or Argon2idHasher()
        outbox_sender = OutboxSender(db, clock)
        accounts = Accounts(db)
        self.lockout = Lockout(counters, clock, self.limits)
        self.totp = Totp(db, self.lockout, clock)
        self.client_passwords = ClientPasswords(db, directory, clock, self.limits)
        self.login = Authenticator(
            accounts,
            self.lockout,
            self.client_passwords,
            hasher,
            self.limits,
            totp=self.totp,
            db=db,
            clock=clock,
        )
        self.sessions = Sessions(db, accounts, clock, self.limits)
        self.codes = Codes(
            db,
            directory,
            accounts,
            self.lockout,
            clock,
            sms=sms or outbox_sender,
            email=email or outbox_sender,
            limits=self.limits,
        )
        self.outbox = Outbox(db)
        # The configured senders, for other messages a front door sends (administrator invitation links).
        self.sms: SmsSender = sms or outbox_sender
        self.email: EmailSender = email or outbox_sender
        self.admin_login = AdminLogin(directory, self.lockout, self.totp)
        self.operators = Operators(db, self.lockout, self.totp, hasher, clock)
        self.api_tokens = ApiTokens(db, clock, self.limits)
