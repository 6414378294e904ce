"""Who is this? One answer for every front door: logins, lockout, client passwords, sessions and codes.

Public API: build one ``Auth`` (the runtime does) and call its parts: ``login.authenticate`` (web,
IMAP, POP3, SMTP) -> ``Principal``; ``sessions`` for the web; ``client_passwords`` for mail programs;
``codes`` for SMS/e-mail login and password reset; ``lockout`` and ``login.unlock`` for admins;
``outbox`` for the operator console in development.
"""

from yunmail.auth.client_passwords import ClientPassword, ClientPasswordMatch, ClientPasswords
from yunmail.auth.codes import CodeChannel, Codes, CodeSent, Purpose
from yunmail.auth.limits import ADMIN_IDLE_MINUTES, AuthLimits
from yunmail.auth.lockout import Lockout, LockStatus
from yunmail.auth.login import Authenticator
from yunmail.auth.outbox import EmailSender, Outbox, OutboxMessage, OutboxSender, SmsSender
from yunmail.auth.principal import Channel, Principal, PrincipalKind
from yunmail.auth.service import Auth
from yunmail.auth.sessions import SessionInfo, Sessions

__all__ = [
    "ADMIN_IDLE_MINUTES",
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
    "Outbox",
    "OutboxMessage",
    "OutboxSender",
    "Principal",
    "PrincipalKind",
    "Purpose",
    "SessionInfo",
    "Sessions",
    "SmsSender",
]
