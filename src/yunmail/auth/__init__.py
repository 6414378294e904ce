"""Who is this? One answer for every front door: logins, lockout, client passwords, sessions and codes.

Public API: build one ``Auth`` (the runtime does) and call its parts: ``login.authenticate`` (web,
IMAP, POP3, SMTP) -> ``Principal``; ``sessions`` for the web; ``client_passwords`` for mail programs;
``codes`` for SMS/e-mail login and password reset; ``lockout`` and ``login.unlock`` for admins;
``outbox`` for the operator console in development; ``admin_login`` and ``operators`` for the
consoles' sign-in; ``api_tokens`` for the REST API; ``totp`` for two-step verification.
"""

from yunmail.auth.admin_login import AdminLogin
from yunmail.auth.api_tokens import ApiToken, ApiTokens
from yunmail.auth.client_passwords import ClientPassword, ClientPasswordMatch, ClientPasswords
from yunmail.auth.codes import CodeChannel, Codes, CodeSent, Purpose
from yunmail.auth.limits import ADMIN_IDLE_MINUTES, AuthLimits
from yunmail.auth.lockout import Lockout, LockStatus
from yunmail.auth.login import Authenticator
from yunmail.auth.operators import Operator, Operators
from yunmail.auth.outbox import EmailSender, Outbox, OutboxMessage, OutboxSender, SmsSender
from yunmail.auth.principal import Channel, Principal, PrincipalKind
from yunmail.auth.service import Auth
from yunmail.auth.sessions import SessionInfo, Sessions
from yunmail.auth.totp import Totp, TotpEnrollment, code_at

__all__ = [
    "ADMIN_IDLE_MINUTES",
    "AdminLogin",
    "ApiToken",
    "ApiTokens",
    "Auth",
    "AuthLimits",
    "Authenticator",
    "Channel",
    "ClientPassword",
    "ClientPasswordMatch",
    "ClientPasswords",
    "CodeChannel",
    "CodeSent",
    "Codes",
    "EmailSender",
    "LockStatus",
    "Lockout",
    "Operator",
    "Operators",
    "Outbox",
    "OutboxMessage",
    "OutboxSender",
    "Principal",
    "PrincipalKind",
    "Purpose",
    "SessionInfo",
    "Sessions",
    "SmsSender",
    "Totp",
    "TotpEnrollment",
    "code_at",
]
