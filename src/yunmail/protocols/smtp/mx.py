"""Port 25 (MX): mail from the Internet for hosted recipients, nothing else.

The session only translates: recipients are decided by ``delivery.InboundDelivery.check_recipient``
(hosted domain that receives Internet mail, known address, not in the recycle bin), messages are
stored by ``InboundDelivery.deliver``. No AUTH is offered here, so nothing arriving on port 25 is
ever relayed: a recipient that is not hosted is ``550 5.7.1`` whatever the client claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yunmail.delivery import ClientInfo, InboundDelivery, InboundMessage, InboundRecipient, RecipientDsn
from yunmail.errors import TooManyRecipients
from yunmail.protocols.smtp.session import Connection, SmtpSession, SmtpSettings, Transaction


@dataclass(slots=True)
class MxTransaction(Transaction):
    recipients: list[InboundRecipient] = field(default_factory=list)


class MxSession(SmtpSession[MxTransaction]):
    def __init__(self, settings: SmtpSettings, connection: Connection, inbound: InboundDelivery) -> None:
        super().__init__(settings, connection)
        self._inbound = inbound

    def new_transaction(self) -> MxTransaction:
        return MxTransaction()

    async def check_sender(self, txn: MxTransaction, address: str) -> None:
        """Any syntactically valid reverse-path, the null one included (bounces); SPF runs at DATA."""

    async def add_recipient(self, txn: MxTransaction, address: str, dsn: RecipientDsn) -> None:
        # RFC 5321 §4.5.3.1.10: past the buffer, 452 and the sending MTA opens a new transaction.
        if len(txn.recipients) >= self.settings.mx_max_recipients:
            raise TooManyRecipients(limit=self.settings.mx_max_recipients)
        txn.recipients.append(await self._inbound.check_recipient(address))

    async def deliver(self, txn: MxTransaction, content: bytes) -> None:
        await self._inbound.deliver(
            InboundMessage(
                data=content,
                mail_from=txn.mail_from or "",
                recipients=tuple(txn.recipients),
                client=ClientInfo(
                    ip=self.connection.peer_ip, helo=self.helo or "", tls=self.tls, smtputf8=txn.smtputf8
                ),
                trace_id=txn.trace_id,
                dsn=txn.dsn,
                body_8bit=txn.body_8bit,
            )
        )
