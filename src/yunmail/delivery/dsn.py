"""Bounces and delay notices we write (RFC 3464 DSNs) and where they go: the sender's INBOX, or back out.

A notice is a ``multipart/report``: first a plain-text part that says, in Chinese and then English,
what went wrong and what to do (words from ``bounces.classify``) and quotes the remote server's
exact reply; then ``message/delivery-status``; then the original headers (the whole message when
the sender asked for ``RET=FULL``, RFC 3461 §4.3).

RFC 3461 ``NOTIFY`` is honoured per recipient: ``NEVER`` suppresses every notice; without a NOTIFY
parameter we send failures and delays (§4.1 leaves the default to the MTA). A message from the null
sender never gets a notice (RFC 5321 §4.5.5: no bounce loops).

A local sender's notice is ingested into their INBOX with the classification in the message meta
(``meta["bounce"]``) for webmail to show; a remote sender's is queued with the null reverse-path.
The ingest uses a dedupe key per queue row and kind, so a worker crash between notice and row
update does not produce a second copy.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from yunmail.delivery.bounces import BounceCause
from yunmail.delivery.queue import OutboundMessage, OutboundQueue, OutboundRecipient
from yunmail.directory import Recipients
from yunmail.mailstore import INBOX, MailStore
from yunmail.mime.build import build_report, make_message_id

__all__ = ["DsnKind", "FailedDelivery", "NoticeResult", "Notifier", "compose_notice", "wants_notice"]


class DsnKind(enum.StrEnum):
    FAILURE = "failure"
    DELAY = "delay"


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    """One recipient's failed (or delayed) delivery, with everything a notice needs."""

    row_id: int
    enterprise_id: int
    sender: str
    recipient: str
    original: bytes
    cause: BounceCause
    reply: str  # the remote server's exact reply, or our own description
    remote_host: str | None
    queued_at: dt.datetime
    last_attempt_at: dt.datetime
    attempts: int
    trace_id: str
    notify: str | None = None
    ret: str | None = None
    envid: str | None = None
    orcpt: str | None = None
    retry_until: dt.datetime | None = None  # delays only
    expired: bool = False  # gave up after the queue's maximum lifetime (the cause is the last reply's)


@dataclass(frozen=True, slots=True)
class NoticeResult:
    """Where a notice went: mailbox ids it was stored in, a queued row id, or why none was sent."""

    mailbox_ids: tuple[int, ...] = ()
    queued: tuple[int, ...] = ()
    skipped: str | None = None  # "notify", "null_sender", "no_mailbox"


def wants_notice(notify: str | None, kind: DsnKind) -> bool:
    """RFC 3461 §4.1: NEVER, or a list of SUCCESS/FAILURE/DELAY; absent = failures and delays."""
    if notify is None or not notify.strip():
        return True
    values = {item.strip().upper() for item in notify.split(",")}
    if "NEVER" in values:
        return False
    return kind.value.upper() in values


def _status(cause: BounceCause) -> str:
    if cause.enhanced:
        return cause.enhanced
    return "5.0.0" if cause.permanent else "4.0.0"


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def _quote(reply: str) -> str:
    lines = [line.rstrip() for line in reply.splitlines() if line.strip()] or ["(none)"]
    return "\n".join(f"    {line}" for line in lines)


def _text(failed: FailedDelivery, kind: DsnKind, hostname: str) -> str:
    cause = failed.cause
    rcpt = failed.recipient
    if kind is DsnKind.DELAY:
        until = _when(failed.retry_until) if failed.retry_until else ""
        lead_zh = (
            f"您发给 <{rcpt}> 的邮件暂时还没有送达，系统会继续自动重试（直到 {until}），您现在无需重发。"
        )
        lead_en = (
            f"Your message to <{rcpt}> has not been delivered yet. We keep trying automatically "
            f"(until {until}); you do not need to send it again now."
        )
    elif failed.expired:
        days = max(1, round((failed.last_attempt_at - failed.queued_at).total_seconds() / 86400))
        lead_zh = (
            f"很抱歉，您发给 <{rcpt}> 的邮件在 {days} 天内重试 {failed.attempts} 次仍未送达，"
            "系统已放弃投递，邮件已退回。"
        )
        lead_en = (
            f"Sorry, your message to <{rcpt}> could not be delivered: we tried {failed.attempts} times "
            f"over {days} day(s) and have given up. The message has been returned."
        )
    else:
        lead_zh = f"很抱歉，您发给 <{rcpt}> 的邮件无法送达，已退回。"
        lead_en = f"Sorry, your message to <{rcpt}> could not be delivered and has been returned."
    host = f" ({failed.remote_host})" if failed.remote_host else ""
    return "\n".join(
        [
            f"这是 {hostname} 的邮件系统发出的通知。",
            "",
            lead_zh,
            "",
            f"原因：{cause.title_zh}",
            f"说明：{cause.explanation_zh}",
            f"建议：{cause.advice_zh}",
            "",
            f"对方服务器的原始回复{host}：",
            _quote(failed.reply),
            "",
            "------------------------------------------------------------",
            "",
            f"This is the mail system at {hostname}.",
            "",
            lead_en,
            "",
            f"What went wrong: {cause.title_en}",
            f"Why: {cause.explanation_en}",
            f"What to do: {cause.advice_en}",
            "",
            f"The remote server's exact reply{host}:",
            _quote(failed.reply),
            "",
        ]
    )


def compose_notice(failed: FailedDelivery, kind: DsnKind, *, hostname: str, now: dt.datetime) -> bytes:
    """The RFC 3464 report for one recipient's failure or delay."""
    per_message = [("Reporting-MTA", f"dns; {hostname}")]
    if failed.envid:
        per_message.append(("Original-Envelope-Id", failed.envid))
    per_message.append(("Arrival-Date", _when(failed.queued_at)))
    per_recipient: list[tuple[str, str]] = []
    if failed.orcpt:
        per_recipient.append(("Original-Recipient", failed.orcpt))
    per_recipient += [
        ("Final-Recipient", f"rfc822; {failed.recipient}"),
        ("Action", "delayed" if kind is DsnKind.DELAY else "failed"),
        ("Status", _status(failed.cause)),
    ]
    if failed.remote_host:
        per_recipient.append(("Remote-MTA", f"dns; {failed.remote_host}"))
    if failed.cause.reply_code is not None:
        # RFC 3464 §2.3.6: the reply as one line; the full text is in the first part.
        per_recipient.append(("Diagnostic-Code", "smtp; " + " ".join(failed.reply.split())))
    per_recipient.append(("Last-Attempt-Date", _when(failed.last_attempt_at)))
    if kind is DsnKind.DELAY and failed.retry_until is not None:
        per_recipient.append(("Will-Retry-Until", _when(failed.retry_until)))
    if kind is DsnKind.DELAY:
        subject = f"延迟通知：邮件尚未送达 / Delivery delayed: {failed.cause.title_en}"
    else:
        subject = f"退信：邮件无法送达 / Undelivered mail returned: {failed.cause.title_en}"
    return build_report(
        from_=f"MAILER-DAEMON@{hostname}",
        to=[failed.sender],
        subject=subject,
        text=_text(failed, kind, hostname),
        per_message=per_message,
        per_recipient=[per_recipient],
        original=failed.original,
        original_headers_only=(failed.ret or "").upper() != "FULL",
        message_id=make_message_id(hostname),
        date=now,
    )


def classification(failed: FailedDelivery, kind: DsnKind) -> dict[str, Any]:
    """What the stored notice's ``meta["bounce"]`` holds (JSON-safe)."""
    cause = failed.cause
    return {
        "kind": kind.value,
        "expired": failed.expired,
        "cause": cause.cause.value,
        "permanent": cause.permanent,
        "reply_code": cause.reply_code,
        "enhanced": cause.enhanced,
        "basis": cause.basis,
        "reply": failed.reply,
        "recipient": failed.recipient,
        "remote_host": failed.remote_host,
        "trace_id": failed.trace_id,
    }


class Notifier:
    """Sends failure and delay notices to the original sender."""

    def __init__(
        self,
        recipients: Recipients,
        mailstore: MailStore,
        *,
        hostname: str,
        queue: OutboundQueue | None = None,
    ) -> None:
        self._recipients = recipients
        self._mailstore = mailstore
        self._hostname = hostname
        self._queue = queue

    async def notify(self, failed: FailedDelivery, kind: DsnKind, now: dt.datetime) -> NoticeResult:
        if not failed.sender:
            return NoticeResult(skipped="null_sender")
        if not wants_notice(failed.notify, kind):
            return NoticeResult(skipped="notify")
        data = compose_notice(failed, kind, hostname=self._hostname, now=now)
        holder = await self._recipients.resolve(failed.sender)
        mailbox_ids = holder.mailbox_ids if holder is not None and not holder.recycled else ()
        if mailbox_ids:
            meta = {"bounce": classification(failed, kind)}
            key = f"dsn:{failed.row_id}:{kind.value}:{failed.trace_id}"
            stored = []
            for mailbox_id in mailbox_ids:
                await self._mailstore.ingest(mailbox_id, data, folder=INBOX, dedupe_key=key, meta=meta)
                stored.append(mailbox_id)
            return NoticeResult(mailbox_ids=tuple(stored))
        if holder is not None or self._queue is None:
            return NoticeResult(skipped="no_mailbox")
        # A remote sender (we relayed for them): the notice goes back with the null reverse-path.
        message = OutboundMessage(
            enterprise_id=failed.enterprise_id,
            member_id=None,
            sender="",
            recipients=(OutboundRecipient(failed.sender),),
            data=data,
            prefix=b"",
            trace_id=failed.trace_id,
            dedupe_key=f"dsn:{failed.row_id}:{kind.value}",
        )
        return NoticeResult(queued=await self._queue.enqueue(message))
