"""``MailFlow``: the mail-flow services of one process (local delivery, queue, MX, submission), built once.

The runtime builds one from its ports and services and hands it to the SMTP listeners; tests build
one on their own database. One instance per process matters: ``LocalDelivery`` owns the
group-commit queue that lets concurrent sessions share a commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from yunmail.clock import Clock
from yunmail.delivery.automation import Automations
from yunmail.delivery.inbound import InboundDelivery
from yunmail.delivery.local import LocalDelivery, MessageFilter
from yunmail.delivery.queue import OutboundQueue
from yunmail.delivery.submission import EnterpriseSettings, Submission
from yunmail.directory import Identities, Recipients
from yunmail.dns import Resolver
from yunmail.mailstore import MailStore
from yunmail.policy import SendingLimits, SendingPolicy
from yunmail.storage import BlobStore, Counters, Database


@dataclass(frozen=True, slots=True)
class MailFlow:
    local: LocalDelivery
    queue: OutboundQueue
    inbound: InboundDelivery
    submission: Submission
    policy: SendingPolicy
    automation: Automations

    @classmethod
    def build(
        cls,
        *,
        db: Database,
        blobs: BlobStore,
        counters: Counters,
        clock: Clock,
        mailstore: MailStore,
        recipients: Recipients,
        enterprises: EnterpriseSettings,
        hostname: str,
        resolver: Resolver | None = None,
        limits: SendingLimits | None = None,
        filters: Sequence[MessageFilter] | None = None,
    ) -> MailFlow:
        identities = Identities(db)
        automation = Automations(db, clock, mailstore, hostname=hostname)
        local = LocalDelivery(mailstore, filters=filters, automation=automation)
        queue = OutboundQueue(db, blobs, clock)
        policy = SendingPolicy(counters, clock, limits)
        inbound = InboundDelivery(
            recipients=recipients,
            identities=identities,
            local=local,
            queue=queue,
            clock=clock,
            hostname=hostname,
            resolver=resolver,
        )
        submission = Submission(
            identities=identities,
            enterprises=enterprises,
            inbound=inbound,
            policy=policy,
            local=local,
            queue=queue,
            clock=clock,
            hostname=hostname,
        )
        automation.sender = submission  # forwards and auto-replies leave like submitted mail
        return cls(
            local=local,
            queue=queue,
            inbound=inbound,
            submission=submission,
            policy=policy,
            automation=automation,
        )
