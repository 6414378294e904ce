"""Mail flow: MX and submission delivery, local delivery into mailboxes, the outbound queue, and bounces.

Layout:

* ``flow``       -- ``MailFlow``: the objects below, built once per process by the runtime;
* ``inbound``    -- MX: which recipients port 25 accepts; sender authentication, trace fields;
* ``submission`` -- authenticated sending: identities, limits, local copies and queued remote ones;
* ``local``      -- filter chain, folder routing, dedupe, group-committed ``MailStore.ingest_many``;
* ``queue``      -- durable per-recipient ``outbound_queue`` rows (the worker is another issue);
* ``bounces``    -- a remote reply or a local failure -> ``BounceCause`` with plain-language words
  (English and Chinese); ``dsn_parse`` reads incoming bounces (``parse_dsn``).
"""

from yunmail.delivery.automation import Automations
from yunmail.delivery.automation_model import AutoReply, Forwarding, MailboxAutomation, MailRule
from yunmail.delivery.bounce_causes import BounceCauseId
from yunmail.delivery.bounces import BounceCause, LocalFailure, classify, classify_local
from yunmail.delivery.dsn import DsnKind, FailedDelivery, NoticeResult, Notifier, compose_notice, wants_notice
from yunmail.delivery.dsn_parse import Dsn, DsnFormat, DsnRecipient, parse_dsn
from yunmail.delivery.flow import MailFlow
from yunmail.delivery.inbound import ClientInfo, InboundDelivery, InboundMessage, InboundRecipient
from yunmail.delivery.local import (
    DeliveryResult,
    FilterAction,
    FilterVerdict,
    LocalDelivery,
    LocalMessage,
    MessageFilter,
    NoopFilter,
    NotStored,
)
from yunmail.delivery.outbound import OutboundWorker, RunReport, Transport, WorkerSettings
from yunmail.delivery.queue import (
    DsnRequest,
    OutboundMessage,
    OutboundQueue,
    OutboundRecipient,
    QueuedRecipient,
    RecipientDsn,
)
from yunmail.delivery.signing import (
    DkimSigner,
    DomainSigningKeys,
    SignedMessage,
    SigningKey,
    SigningKeys,
    StaticSigningKeys,
)
from yunmail.delivery.submission import (
    Submission,
    SubmissionRecipient,
    SubmitReport,
    SubmittedMessage,
    Submitter,
)
from yunmail.delivery.transport import (
    AttemptResult,
    Envelope,
    Outcome,
    Route,
    SmtpTransport,
    TransportSettings,
)

__all__ = [
    "AttemptResult",
    "AutoReply",
    "Automations",
    "BounceCause",
    "BounceCauseId",
    "ClientInfo",
    "DeliveryResult",
    "DkimSigner",
    "DomainSigningKeys",
    "Dsn",
    "DsnFormat",
    "DsnKind",
    "DsnRecipient",
    "DsnRequest",
    "Envelope",
    "FailedDelivery",
    "FilterAction",
    "FilterVerdict",
    "Forwarding",
    "InboundDelivery",
    "InboundMessage",
    "InboundRecipient",
    "LocalDelivery",
    "LocalFailure",
    "LocalMessage",
    "MailFlow",
    "MailRule",
    "MailboxAutomation",
    "MessageFilter",
    "NoopFilter",
    "NotStored",
    "NoticeResult",
    "Notifier",
    "OutboundMessage",
    "OutboundQueue",
    "OutboundRecipient",
    "OutboundWorker",
    "Outcome",
    "QueuedRecipient",
    "RecipientDsn",
    "Route",
    "RunReport",
    "SignedMessage",
    "SigningKey",
    "SigningKeys",
    "SmtpTransport",
    "StaticSigningKeys",
    "Submission",
    "SubmissionRecipient",
    "SubmitReport",
    "SubmittedMessage",
    "Submitter",
    "Transport",
    "TransportSettings",
    "WorkerSettings",
    "classify",
    "classify_local",
    "compose_notice",
    "parse_dsn",
    "wants_notice",
]
