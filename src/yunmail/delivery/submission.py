"""Authenticated sending (submission, 587/465): identity checks, limits, then local delivery and the queue.

Rules (PRODUCT §7):

* MAIL FROM and every address in the From header must be addresses the member may send as (own
  mailbox, its aliases, shared mailboxes it belongs to), else ``SenderNotAllowed`` (550 5.7.1).
  The null reverse-path is not allowed here (bounces come from the system, not from members).
* At most ``max_recipients`` recipients: the one past the cap gets ``TooManyRecipients`` (452) and
  the whole message is then refused at DATA with ``RecipientLimitExceeded``, so a client that
  ignores the 452 still cannot send to only part of its list.
* Rate windows are charged once per message, atomically, before anything is stored
  (``policy.SendingPolicy``); if storing then fails the charge is refunded and a 4xx asks the
  client to retry; dedupe keys make that retry a no-op for copies already stored.
* Routing per recipient: an address on a domain of the sender's own enterprise is always local
  (also while the domain is only ownership-verified); an address on another tenant's domain is
  local when that domain receives Internet mail here, else it goes out through the queue like any
  remote address (the domain's real MX is elsewhere).
"""

from __future__ import annotations

import dataclasses
import email.utils
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from yunmail import logging
from yunmail.clock import Clock
from yunmail.delivery.inbound import (
    ClientInfo,
    InboundDelivery,
    InboundRecipient,
    dedupe_key,
    deliver_copies,
    from_addresses,
    message_id_of,
    neutralise_forged_results,
    received_field,
)
from yunmail.delivery.local import LocalDelivery
from yunmail.delivery.queue import (
    DsnRequest,
    OutboundMessage,
    OutboundQueue,
    OutboundRecipient,
    RecipientDsn,
)
from yunmail.directory import Identities, SendAsAddress, SenderIdentities
from yunmail.errors import FromHeaderMissing, SenderNotAllowed, YunmailError
from yunmail.mailauth import results
from yunmail.policy import SendingAccount, SendingLimits, SendingPolicy

_log = logging.get("delivery.submission")


@dataclass(frozen=True, slots=True)
class Submitter:
    """The signed-in member as submission sees it (built from ``auth.Principal`` by the front door)."""

    enterprise_id: int
    member_id: int
    login: str


class EnterpriseSettings(Protocol):
    async def settings(self, enterprise_id: int) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class SubmissionRecipient:
    address: str  # domain as A-label
    local: InboundRecipient | None  # None: remote, goes to the outbound queue
    dsn: RecipientDsn = field(default_factory=RecipientDsn)


@dataclass(frozen=True, slots=True)
class SubmittedMessage:
    data: bytes
    mail_from: str
    recipients: tuple[SubmissionRecipient, ...]
    client: ClientInfo
    trace_id: str
    dsn: DsnRequest = field(default_factory=DsnRequest)
    body_8bit: bool = False


@dataclass(frozen=True, slots=True)
class SubmitReport:
    local_mailboxes: int
    queued: tuple[int, ...]  # outbound_queue row ids


class Submission:
    def __init__(
        self,
        *,
        identities: Identities,
        enterprises: EnterpriseSettings,
        inbound: InboundDelivery,
        policy: SendingPolicy,
        local: LocalDelivery,
        queue: OutboundQueue,
        clock: Clock,
        hostname: str,
    ) -> None:
        self._identities = identities
        self._enterprises = enterprises
        self._inbound = inbound
        self._policy = policy
        self._local = local
        self._queue = queue
        self._clock = clock
        self.hostname = hostname

    async def identities(self, submitter: Submitter) -> SenderIdentities:
        return await self._identities.sender_identities(submitter.enterprise_id, submitter.member_id)

    async def limits(self, submitter: Submitter) -> SendingLimits:
        return self._policy.limits_for(await self._enterprises.settings(submitter.enterprise_id))

    @staticmethod
    def check_sender(identities: SenderIdentities, address: str) -> SendAsAddress:
        """MAIL FROM: the identity for ``address``; SenderNotAllowed otherwise (also for ``<>``)."""
        identity = identities.find(address) if address else None
        if identity is None:
            raise SenderNotAllowed(address=address or "<>")
        return identity

    def check_recipient_count(self, count: int, limits: SendingLimits) -> None:
        """Refuse recipient number ``count`` past the cap (TooManyRecipients, 452)."""
        self._policy.check_recipient_count(count, limits)

    async def check_recipient(
        self, submitter: Submitter, address: str, dsn: RecipientDsn = RecipientDsn()
    ) -> SubmissionRecipient:
        """Route one recipient (local or remote); unknown local addresses are refused now (550 5.1.1)."""
        return await self._route(submitter.enterprise_id, address, dsn)

    async def _route(self, enterprise_id: int, address: str, dsn: RecipientDsn) -> SubmissionRecipient:
        hosted = await self._identities.hosted_domain(address.rpartition("@")[2])
        if hosted is not None and (hosted.enterprise_id == enterprise_id or hosted.accepts_internet_mail):
            local = await self._inbound.resolve_hosted(address, hosted)
            return SubmissionRecipient(local.address, local, dsn)
        return SubmissionRecipient(address, None, dsn)

    async def submit(self, submitter: Submitter, message: SubmittedMessage) -> SubmitReport:
        """Check From, charge the limits, store local copies and queue remote ones; all durable on return."""
        identities = await self.identities(submitter)
        author = self._check_from(identities, message.data)
        limits = await self.limits(submitter)
        account = SendingAccount(
            enterprise_id=submitter.enterprise_id,
            member_id=submitter.member_id,
            shared_mailbox_id=author.mailbox_id if author.shared else None,
        )
        charge = await self._policy.consume(account, len(message.recipients), limits)
        try:
            return await self._store(submitter.enterprise_id, submitter.member_id, submitter.login, message)
        except BaseException:
            await self._policy.refund(charge)
            raise

    async def send_automatic(
        self, *, enterprise_id: int, mail_from: str, recipients: Sequence[str], data: bytes, trace_id: str
    ) -> None:
        """Mail the system writes for a mailbox (forwards, auto-replies): routed like a submission,
        without the member's sending limits (one per delivered message, and never to bulk senders).

        Durable on return: local copies committed, remote ones queued. Unknown local addresses are
        skipped (logged); nothing here may bounce back into a loop.
        """
        routed: list[SubmissionRecipient] = []
        for address in dict.fromkeys(recipients):
            try:
                routed.append(await self._route(enterprise_id, address, RecipientDsn()))
            except YunmailError as exc:
                _log.warning("automatic mail from %s to %s skipped: %s", mail_from, address, exc.code)
        if not routed:
            return
        client = ClientInfo(ip="127.0.0.1", helo=self.hostname, smtputf8=True)
        message = SubmittedMessage(
            data=data, mail_from=mail_from, recipients=tuple(routed), client=client, trace_id=trace_id
        )
        await self._store(enterprise_id, None, f"automatic:{mail_from}", message)

    @staticmethod
    def _check_from(identities: SenderIdentities, data: bytes) -> SendAsAddress:
        authors = from_addresses(data)
        if not authors:
            raise FromHeaderMissing()
        allowed: SendAsAddress | None = None
        for author in authors:
            identity = identities.find(author.addr_spec)
            if identity is None:
                raise SenderNotAllowed(address=author.addr_spec)
            allowed = allowed or identity
        assert allowed is not None
        return allowed

    async def _store(
        self, enterprise_id: int, member_id: int | None, login: str, message: SubmittedMessage
    ) -> SubmitReport:
        data = neutralise_forged_results(message.data, self.hostname)
        if data is not message.data:
            message = dataclasses.replace(message, data=data)
        when = email.utils.format_datetime(self._clock.now())
        client = message.client
        received = received_field(client, self.hostname, message.trace_id, when)
        remote = [r for r in message.recipients if r.local is None]
        queued: tuple[int, ...] = ()
        if remote:
            queued = await self._queue.enqueue(
                OutboundMessage(
                    enterprise_id=enterprise_id,
                    member_id=member_id,
                    sender=message.mail_from,
                    recipients=tuple(OutboundRecipient(r.address, r.dsn) for r in remote),
                    data=message.data,
                    prefix=received,
                    trace_id=message.trace_id,
                    dsn=message.dsn,
                    smtputf8=client.smtputf8,
                    body_8bit=message.body_8bit,
                    message_id=message_id_of(message.data),
                    dedupe_key=dedupe_key(message.data),
                )
            )
        local = [r.local for r in message.recipients if r.local is not None]
        if not local:
            return SubmitReport(0, queued)
        auth = results.render_field(
            results.AuthenticationResults(
                self.hostname,
                (results.MethodResult("auth", "pass", properties=(("smtp", "auth", login),)),),
            )
        )
        delivered = await deliver_copies(
            self._local,
            self._queue,
            data=message.data,
            prefix=received + auth,
            mail_from=message.mail_from,
            recipients=local,
            trace_id=message.trace_id,
            dsn=message.dsn,
            smtputf8=client.smtputf8,
            body_8bit=message.body_8bit,
            member_id=member_id,
        )
        return SubmitReport(len(delivered), queued)
