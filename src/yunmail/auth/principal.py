"""``Principal``: the answer to "who is this?" that every front door gets from the auth service.

A principal is a value, built by ``Authenticator`` (password or client password), ``Codes`` (SMS code)
or ``Sessions`` (a web session token); front doors never construct one from user input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yunmail.errors import MailboxNotOpened

PrincipalKind = Literal["member", "admin", "operator"]
Channel = Literal["web", "imap", "pop3", "smtp"]
MAIL_CHANNELS: frozenset[str] = frozenset({"imap", "pop3", "smtp"})


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated member, enterprise administrator or operator.

    ``login`` is canonical (``account@orgid`` for members). ``mailbox_id``/``address`` are the member's
    own open mailbox (None when it has none, and for admins and operators). ``via_client_password``
    marks a mail-client login with a client password (``client_password_id`` names it, so a long-lived
    session can check it has not been revoked since). ``admin_id`` names an administrator (with its
    ``enterprise_id``), ``operator_id`` a platform operator (no enterprise).
    """

    kind: PrincipalKind
    login: str
    enterprise_id: int | None = None
    member_id: int | None = None
    admin_id: int | None = None
    mailbox_id: int | None = None
    address: str | None = None
    via_client_password: bool = False
    client_password_id: int | None = None
    must_change_password: bool = False
    operator_id: int | None = None

    @property
    def is_member(self) -> bool:
        return self.kind == "member"

    def require_mailbox(self) -> int:
        """The member's open mailbox id; MailboxNotOpened when there is none."""
        if self.mailbox_id is None:
            raise MailboxNotOpened()
        return self.mailbox_id
