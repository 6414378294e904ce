"""Runs each mailbox's automation at delivery: rules (move, mark read, forward, reject), forwarding and
auto-reply; stores and validates the settings members edit in webmail.

Order for one delivered message and one mailbox (``plan``, before the commit):

1. junk and virus verdicts win: such mail is never forwarded, answered or moved by a rule;
2. rules, in order: the first matching "move" picks the folder (when it still exists), "mark read"
   adds ``\\Seen``, "forward" adds targets, "reject" drops the copy and tells the sender;
3. forwarding without "keep a copy" drops the copy (it is forwarded instead).

After the commit (``follow_up``) the forwards and replies are handed to a ``FollowUpSender`` (the
submission service), which stores local copies and queues remote ones durably before returning, so a
forward that replaces the stored copy is never lost: if it cannot be sent, the copy is stored after
all (``LocalDelivery`` does that with the mailboxes ``follow_up`` returns).

Loops: every message we forward or generate carries ``X-Yunmail-Loop: <mailbox address>``; a
mailbox never acts on a message that already names it, and nothing acts on one that went round
``MAX_LOOP_HOPS`` times. Auto-replies follow RFC 3834 §2: not to automatic mail (Auto-Submitted,
Precedence bulk/list/junk, List-Id), not to an empty or daemon sender, at most one per sender per day
(the ``auto_reply_log`` key decides, so two concurrent deliveries cannot both answer).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import TYPE_CHECKING, Any, Protocol

from yunmail import logging
from yunmail.clock import Clock
from yunmail.delivery.automation_model import (
    AutoReply,
    MailboxAutomation,
    evaluate,
    validated,
)
from yunmail.errors import MailboxNotFound
from yunmail.mailstore import INBOX, FolderRef, MailStore, SpecialUse
from yunmail.security import new_token
from yunmail.storage import Database
from yunmail.storage.repos import audit
from yunmail.storage.repos import automation as rows

if TYPE_CHECKING:
    from yunmail.delivery.local import LocalMessage

ACTIVE_SET_SECONDS = 10.0
LOOP_HEADER = "X-Yunmail-Loop"
MAX_LOOP_HOPS = 5
SEEN = "\\Seen"
_DAEMON_LOCALS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply")

_log = logging.get("delivery.automation")


class FollowUpSender(Protocol):
    """Sends mail the system writes on a mailbox's behalf (forwards, auto-replies, rule notices)."""

    async def send_automatic(
        self, *, enterprise_id: int, mail_from: str, recipients: Sequence[str], data: bytes, trace_id: str
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class MailboxPlan:
    """What delivery does for one mailbox: where (and whether) to store, what to send afterwards."""

    mailbox_id: int
    enterprise_id: int
    address: str
    store: bool = True
    folder: FolderRef | None = None  # None: the folder the filters chose
    flags: tuple[str, ...] = ()
    forward_to: tuple[str, ...] = ()
    auto_reply: AutoReply | None = None
    reject: bool = False


@dataclass(frozen=True, slots=True)
class _Headers:
    fields: Mapping[str, str]  # from / subject / to, decoded, for rules
    sender: str  # reply address (envelope sender)
    subject: str
    message_id: str | None
    automatic: bool  # RFC 3834: do not answer
    loop_marks: tuple[str, ...] = field(default_factory=tuple)


class Automations:
    """Mailbox automation settings and their execution; one per process (built by ``MailFlow``)."""

    def __init__(self, db: Database, clock: Clock, mailstore: MailStore, *, hostname: str) -> None:
        self._db = db
        self._clock = clock
        self._mailstore = mailstore
        self._hostname = hostname
        self.sender: FollowUpSender | None = None  # set by MailFlow.build (submission sends them)
        # Mailboxes with something to do at delivery: most have nothing, and a query per delivery
        # would cost throughput and break up group commits. Saved here: seen at once; saved on
        # another node: seen within ACTIVE_SET_SECONDS.
        self._active: frozenset[int] = frozenset()
        self._active_at: float | None = None
        self._refreshing: asyncio.Future[frozenset[int]] | None = None  # the read in flight

    # --- settings (webmail) ------------------------------------------------------------------------

    async def get(self, enterprise_id: int, mailbox_id: int) -> MailboxAutomation:
        async with self._db.read() as conn:
            if await rows.mailbox_address(conn, enterprise_id, mailbox_id) is None:
                raise MailboxNotFound()
            stored = await rows.get(conn, enterprise_id, mailbox_id)
        return MailboxAutomation.from_json(stored)

    async def update(
        self, enterprise_id: int, mailbox_id: int, automation: MailboxAutomation, actor: str
    ) -> MailboxAutomation:
        """Validate and store the settings (AUTOMATION_INVALID / FORWARD_ADDRESS_INVALID otherwise)."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            address = await rows.mailbox_address(conn, enterprise_id, mailbox_id)
            if address is None:
                raise MailboxNotFound()
            clean = validated(automation, address)
            await rows.put(conn, enterprise_id, mailbox_id, clean.as_json(), active=not clean.idle, at=now)
            await audit.record(
                conn,
                enterprise_id=enterprise_id,
                actor=actor,
                action="mailbox.automation",
                target=f"mailbox:{mailbox_id}",
                detail={
                    "auto_reply": clean.auto_reply.enabled,
                    "forwarding": list(clean.forwarding.addresses) if clean.forwarding.enabled else [],
                    "rules": len(clean.rules),
                },
                at=now,
            )
        self._active_at = None  # re-read before the next delivery
        return clean

    # --- delivery ------------------------------------------------------------------------------------

    async def plan(
        self, message: LocalMessage, mailbox_ids: Sequence[int], routed: SpecialUse
    ) -> dict[int, MailboxPlan]:
        """Per-mailbox plans for the mailboxes with automation; others are absent (deliver as routed)."""
        if routed in (SpecialUse.JUNK, SpecialUse.VIRUS):
            return {}
        candidates = [m for m in mailbox_ids if m in await self._active_mailboxes()]
        if not candidates:
            return {}
        async with self._db.read() as conn:
            active = await rows.active_for(conn, candidates)
        if not active:
            return {}
        headers = _read_headers(message.data, message.sender)
        if len(headers.loop_marks) >= MAX_LOOP_HOPS:
            return {}
        today = self._clock.now().date()
        plans: dict[int, MailboxPlan] = {}
        for row in active:
            address = str(row["address"])
            if address.lower() in headers.loop_marks:
                continue  # this mailbox already handled this message once: never again
            settings = MailboxAutomation.from_json(row["settings"])
            plans[int(row["mailbox_id"])] = await self._plan_one(row, address, settings, headers, today)
        return plans

    async def _plan_one(
        self,
        row: Mapping[str, Any],
        address: str,
        settings: MailboxAutomation,
        headers: _Headers,
        today: dt.date,
    ) -> MailboxPlan:
        outcome = evaluate(settings.rules, headers.fields)
        mailbox_id = int(row["mailbox_id"])
        folder: FolderRef | None = None
        if outcome.folder is not None and await self._folder_exists(mailbox_id, outcome.folder):
            folder = outcome.folder
        forwarding = settings.forwarding
        forwards = list(outcome.forward_to)
        if forwarding.enabled:
            forwards += [a for a in forwarding.addresses if a not in forwards]
        store = not outcome.reject and (not forwarding.enabled or forwarding.keep_copy)
        reply = settings.auto_reply if settings.auto_reply.active_on(today) else None
        return MailboxPlan(
            mailbox_id=mailbox_id,
            enterprise_id=int(row["enterprise_id"]),
            address=address,
            store=store,
            folder=folder,
            flags=(SEEN,) if outcome.mark_read else (),
            forward_to=() if outcome.reject else tuple(forwards),
            auto_reply=None if outcome.reject else reply,
            reject=outcome.reject,
        )

    async def _active_mailboxes(self) -> frozenset[int]:
        loop = asyncio.get_running_loop()
        if self._active_at is not None and loop.time() - self._active_at < ACTIVE_SET_SECONDS:
            return self._active
        if self._refreshing is None:
            # One read for every delivery waiting now; they all resume together, so they still
            # reach the group committer in the same batch.
            self._refreshing = asyncio.ensure_future(self._read_active())
        return await asyncio.shield(self._refreshing)

    async def _read_active(self) -> frozenset[int]:
        try:
            async with self._db.read() as conn:
                self._active = frozenset(await rows.active_mailbox_ids(conn))
            self._active_at = asyncio.get_running_loop().time()
            return self._active
        finally:
            self._refreshing = None

    async def _folder_exists(self, mailbox_id: int, name: str) -> bool:
        folders = await self._mailstore.list_folders(mailbox_id)
        return any(f.name == name for f in folders)

    async def follow_up(self, message: LocalMessage, plans: Mapping[int, MailboxPlan]) -> set[int]:
        """Send forwards, replies and rule notices; the ids of unstored mailboxes whose forward failed."""
        headers = _read_headers(message.data, message.sender)
        must_store: set[int] = set()
        for plan in plans.values():
            forwarded = not plan.forward_to or await self._forward(message, plan)
            if not forwarded and not plan.store:
                must_store.add(plan.mailbox_id)
            if plan.auto_reply is not None:
                await self._auto_reply(plan, plan.auto_reply, headers, message.trace_id)
            if plan.reject:
                await self._reject_notice(plan, headers, message.trace_id)
        return must_store

    async def _forward(self, message: LocalMessage, plan: MailboxPlan) -> bool:
        data = f"{LOOP_HEADER}: {plan.address}\r\n".encode() + message.prefix + message.data
        return await self._send(plan, plan.forward_to, data, message.trace_id, what="forward")

    async def _auto_reply(
        self, plan: MailboxPlan, reply: AutoReply, headers: _Headers, trace_id: str
    ) -> None:
        if headers.automatic or not _answerable(headers.sender, plan.address):
            return
        async with self._db.transaction() as conn:
            first_today = await rows.claim_auto_reply(
                conn, plan.mailbox_id, headers.sender.lower(), self._clock.now().date()
            )
        if not first_today:
            return
        subject = reply.subject or f"Auto: {headers.subject}".strip()
        data = self._compose(plan.address, headers, subject, reply.body, "auto-replied")
        await self._send(plan, (headers.sender,), data, trace_id, what="auto-reply")

    async def _reject_notice(self, plan: MailboxPlan, headers: _Headers, trace_id: str) -> None:
        if headers.automatic or not _answerable(headers.sender, plan.address):
            return
        body = (
            f"Your message to {plan.address} was refused by the recipient's mail rules.\n"
            f"您发给 {plan.address} 的邮件被收件人的邮件规则拒收。\n"
        )
        data = self._compose(plan.address, headers, f"Refused: {headers.subject}", body, "auto-generated")
        await self._send(plan, (headers.sender,), data, trace_id, what="rule notice")

    def _compose(self, from_address: str, headers: _Headers, subject: str, body: str, kind: str) -> bytes:
        out = EmailMessage(policy=default_policy)
        out["From"] = from_address
        out["To"] = headers.sender
        out["Subject"] = subject.replace("\r", " ").replace("\n", " ")
        out["Date"] = email.utils.format_datetime(self._clock.now())
        out["Message-ID"] = f"<{new_token(12)}@{self._hostname}>"
        out["Auto-Submitted"] = kind  # RFC 3834 §5
        out[LOOP_HEADER] = from_address
        if headers.message_id:
            out["In-Reply-To"] = headers.message_id
            out["References"] = headers.message_id
        out.set_content(body)
        return out.as_bytes(policy=default_policy.clone(linesep="\r\n"))

    async def _send(
        self, plan: MailboxPlan, recipients: Sequence[str], data: bytes, trace_id: str, *, what: str
    ) -> bool:
        if self.sender is None:
            _log.warning("no follow-up sender configured; %s dropped", what)
            return False
        try:
            await self.sender.send_automatic(
                enterprise_id=plan.enterprise_id,
                mail_from=plan.address,
                recipients=recipients,
                data=data,
                trace_id=trace_id,
            )
        except Exception:
            # The original copy is already committed (or will be stored by the caller): log, go on.
            _log.exception(
                "mailbox %s: %s failed", plan.mailbox_id, what, extra={"fields": {"trace": trace_id}}
            )
            return False
        return True


def _read_headers(data: bytes, envelope_sender: str) -> _Headers:
    end = data.find(b"\r\n\r\n")
    block = data if end < 0 else data[: end + 4]
    parsed = BytesHeaderParser(policy=default_policy).parsebytes(block)

    def text(name: str) -> str:
        try:
            return " ".join(str(v) for v in parsed.get_all(name, []))
        except Exception:  # a malformed header must not stop delivery
            return ""

    auto_submitted = text("Auto-Submitted").strip().lower()
    precedence = text("Precedence").strip().lower()
    automatic = (
        (auto_submitted not in ("", "no"))
        or precedence in ("bulk", "list", "junk")
        or bool(text("List-Id"))
        or bool(text("List-Unsubscribe"))
    )
    loops = tuple(v.strip().lower() for v in text(LOOP_HEADER).split() if "@" in v)
    message_id = text("Message-ID").strip() or None
    return _Headers(
        fields={"from": text("From"), "subject": text("Subject"), "to": f"{text('To')} {text('Cc')}"},
        sender=envelope_sender,
        subject=text("Subject"),
        message_id=message_id,
        automatic=automatic,
        loop_marks=loops,
    )


def _answerable(sender: str, own_address: str) -> bool:
    if not sender or "@" not in sender or sender.lower() == own_address.lower():
        return False
    local = sender.rpartition("@")[0].lower()
    if local.startswith(_DAEMON_LOCALS) or local.endswith("-bounces") or "noreply" in local:
        return False
    try:
        HeaderAddress(addr_spec=sender)
    except Exception:
        return False
    return True


__all__ = ["INBOX", "Automations", "FollowUpSender", "MailboxPlan"]
