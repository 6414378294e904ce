"""Ports 587 (STARTTLS) and 465 (implicit TLS): signed-in members send mail.

AUTH PLAIN and LOGIN are offered only once the connection is encrypted; the secret is checked by
``auth.Authenticator`` (account password or client password, lockout after repeated failures:
``454 4.7.0``). Every mail command needs a successful AUTH first (the server enforces that with
``530 5.7.0``). The policy lives in ``delivery.Submission``; this session carries the state:

* MAIL FROM must be an address the member may send as (550 5.7.1 otherwise);
* RCPT past the per-message cap gets 452 and marks the transaction, which DATA then refuses as a
  whole (554 5.5.3), so a client that ignores the 452 cannot send to part of its list;
* DATA checks the From header and the rate windows, then stores local copies and queues the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from yunmail import logging
from yunmail.auth import Channel, Principal
from yunmail.delivery import (
    ClientInfo,
    RecipientDsn,
    Submission,
    SubmissionRecipient,
    SubmittedMessage,
    Submitter,
)
from yunmail.errors import (
    AuthenticationFailed,
    LoginInvalid,
    RecipientLimitExceeded,
    SmtpAuthRequired,
    TooManyRecipients,
    Unavailable,
    YunmailError,
)
from yunmail.policy import SendingLimits
from yunmail.protocols.smtp.replies import Reply, reply_for
from yunmail.protocols.smtp.session import Connection, SmtpSession, SmtpSettings, Transaction

_log = logging.get("smtp.submission")


class SmtpAuthenticator(Protocol):
    """``auth.Authenticator`` as this port uses it."""

    async def authenticate(
        self, login: str, secret: str, *, channel: Channel, remote_ip: str
    ) -> Principal: ...


@dataclass(slots=True)
class SubmissionTransaction(Transaction):
    recipients: list[SubmissionRecipient] = field(default_factory=list)
    limits: SendingLimits | None = None


class SubmissionSession(SmtpSession[SubmissionTransaction]):
    offers_auth = True

    def __init__(
        self,
        settings: SmtpSettings,
        connection: Connection,
        submission: Submission,
        authenticator: SmtpAuthenticator,
    ) -> None:
        super().__init__(settings, connection)
        self._submission = submission
        self._authenticator = authenticator
        self.submitter: Submitter | None = None

    def new_transaction(self) -> SubmissionTransaction:
        return SubmissionTransaction()

    async def authenticate(self, login: str, secret: str) -> tuple[Reply, object | None]:
        try:
            principal = await self._authenticator.authenticate(
                login, secret, channel="smtp", remote_ip=self.connection.peer_ip
            )
        except AuthenticationFailed as exc:
            return reply_for(exc), None
        except Unavailable as exc:
            return Reply(454, "4.7.0", f"Temporary authentication failure: {exc.text('en')}"), None
        except YunmailError as exc:
            # Refusals that are not credential errors (no mailbox opened, ...) still fail the AUTH.
            return Reply(535, "5.7.8", exc.text("en")), None
        if principal.kind != "member" or principal.enterprise_id is None or principal.member_id is None:
            return reply_for(LoginInvalid()), None
        self.submitter = Submitter(principal.enterprise_id, principal.member_id, principal.login)
        _log.info(
            "authenticated", extra={"fields": {"login": principal.login, "ip": self.connection.peer_ip}}
        )
        return Reply(235, "2.7.0", "Authentication successful"), principal

    def _require_submitter(self) -> Submitter:
        if self.submitter is None:
            raise SmtpAuthRequired()
        return self.submitter

    async def check_sender(self, txn: SubmissionTransaction, address: str) -> None:
        submitter = self._require_submitter()
        identities = await self._submission.identities(submitter)
        self._submission.check_sender(identities, address)
        txn.limits = await self._submission.limits(submitter)

    async def add_recipient(self, txn: SubmissionTransaction, address: str, dsn: RecipientDsn) -> None:
        submitter = self._require_submitter()
        assert txn.limits is not None  # set by check_sender
        try:
            self._submission.check_recipient_count(len(txn.recipients) + 1, txn.limits)
        except TooManyRecipients:
            txn.over_limit = True
            raise
        txn.recipients.append(await self._submission.check_recipient(submitter, address, dsn))

    async def deliver(self, txn: SubmissionTransaction, content: bytes) -> None:
        submitter = self._require_submitter()
        if txn.over_limit:
            assert txn.limits is not None
            raise RecipientLimitExceeded(limit=txn.limits.max_recipients)
        await self._submission.submit(
            submitter,
            SubmittedMessage(
                data=content,
                mail_from=txn.mail_from or "",
                recipients=tuple(txn.recipients),
                client=ClientInfo(
                    ip=self.connection.peer_ip,
                    helo=self.helo or "",
                    tls=self.tls,
                    login=submitter.login,
                    smtputf8=txn.smtputf8,
                ),
                trace_id=txn.trace_id,
                dsn=txn.dsn,
                body_8bit=txn.body_8bit,
            ),
        )
