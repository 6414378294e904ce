"""MX delivery: which recipients port 25 accepts, and what happens to a message it accepted.

Recipient rules (RCPT time, ``check_recipient``; answers are cached for ``cache_seconds``, 2 s by
default, because these two lookups per RCPT dominated port 25's cost), in this order:

1. the domain must be hosted here, else ``RelayDenied`` (550 5.7.1): we are never an open relay;
2. the domain must accept Internet mail (verified, full mode), else ``DomainNotReceiving``: an
   ownership-only or unverified domain gets mail only from its own enterprise's signed-in members
   (that path is ``delivery.submission``);
3. the address must resolve (mailbox, alias, group, shared mailbox), else ``RecipientUnknown``
   (550 5.1.1); a mailbox in the recycle bin is ``MailboxRecycled`` (550 5.2.1).

Message pipeline (``deliver``), after the SMTP layer has checked the bytes:

0. an incoming ``Authentication-Results`` field that claims our authserv-id is renamed
   (``X-Forged-Authentication-Results``, RFC 8601 §5);
1. sender authentication (SPF, DKIM, DMARC through ``mailauth`` with the injected ``Resolver``)
   into an ``Authentication-Results`` field; DMARC ``reject`` refuses the message, ``quarantine``
   files it as junk. Without a resolver the checks are skipped (no field is added);
2. trace fields (``Received`` + ``Authentication-Results``) form the stored ``prefix``, so one blob
   serves every recipient;
3. local mailboxes through ``LocalDelivery`` (filters, folder, dedupe, group commit); a group's
   outside addresses through the outbound queue, with the original reverse-path;
4. the method returns only when every copy is committed; any failure raises, so the SMTP layer
   never says ``250`` for mail that is not stored. When some mailboxes took the message and others
   did not, ``DeliveryIncomplete`` (4xx) makes the sender retry: the dedupe key (the SHA-256 of the
   message) turns the retry into a no-op for the mailboxes that already have it.
"""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from yunmail import logging
from yunmail.clock import Clock
from yunmail.delivery.local import DeliveryResult, FilterAction, FilterVerdict, LocalDelivery, LocalMessage
from yunmail.delivery.queue import DsnRequest, OutboundMessage, OutboundQueue, OutboundRecipient
from yunmail.directory import HostedDomain, Identities, Recipients
from yunmail.dns import Resolver
from yunmail.domains import to_unicode
from yunmail.errors import (
    DeliveryIncomplete,
    DmarcRejected,
    DomainNotReceiving,
    MailboxRecycled,
    RecipientUnknown,
    RelayDenied,
    YunmailError,
)
from yunmail.mailauth import dkim, dmarc, results, spf
from yunmail.mime import iter_header_fields, parse_address_list
from yunmail.mime.address import Address, flatten_addresses

_log = logging.get("delivery.inbound")

# Header fields read from an incoming message (bounded: only the header block is scanned).
MAX_HEADER_BLOCK = 256 * 1024


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """The SMTP client as the trace fields describe it."""

    ip: str
    helo: str
    tls: str | None = None  # "TLSv1.3 TLS_AES_256_GCM_SHA384" when the session is encrypted
    login: str | None = None  # authenticated submission login
    smtputf8: bool = False

    @property
    def protocol(self) -> str:
        """RFC 3848 / RFC 6531 ``with`` keyword: ESMTP, ESMTPS, ESMTPSA, UTF8SMTPS, ..."""
        base = "UTF8SMTP" if self.smtputf8 else "ESMTP"
        return base + ("S" if self.tls else "") + ("A" if self.login else "")


@dataclass(frozen=True, slots=True)
class InboundRecipient:
    address: str  # canonical
    enterprise_id: int
    mailbox_ids: tuple[int, ...]
    external: tuple[str, ...] = ()  # a group's outside addresses


@dataclass(frozen=True, slots=True)
class InboundMessage:
    data: bytes
    mail_from: str  # "" = null reverse-path
    recipients: tuple[InboundRecipient, ...]
    client: ClientInfo
    trace_id: str
    dsn: DsnRequest = field(default_factory=DsnRequest)
    body_8bit: bool = False


# --- header helpers shared with submission ---------------------------------------------------------


def header_block(data: bytes) -> bytes:
    """The header block of a message (up to and including the empty line), bounded."""
    end = data.find(b"\r\n\r\n", 0, MAX_HEADER_BLOCK)
    return data[: end + 4] if end >= 0 else data[:MAX_HEADER_BLOCK]


def header_values(data: bytes, name: str) -> list[bytes]:
    """Unfolded raw values of every field called ``name`` (case-insensitive)."""
    wanted = name.lower()
    return [f.value for f in iter_header_fields(header_block(data)) if f.name.lower() == wanted]


def from_addresses(data: bytes) -> tuple[Address, ...]:
    """Every mailbox in the message's From fields (RFC 5322 allows several in one field)."""
    found: list[Address] = []
    for value in header_values(data, "From"):
        found.extend(flatten_addresses(parse_address_list(value.decode("utf-8", "replace"))))
    return tuple(found)


def message_id_of(data: bytes) -> str | None:
    values = header_values(data, "Message-ID")
    if not values:
        return None
    return values[0].decode("utf-8", "replace").strip()[:998] or None


def dedupe_key(data: bytes) -> str | None:
    """Per-recipient dedupe key: the content hash, when the message has a Message-ID.

    The same bytes arriving twice are the same message (a retry after a lost reply); a message
    without Message-ID could be a legitimately repeated notice, so it is never deduplicated.
    """
    if message_id_of(data) is None:
        return None
    return "smtp:" + hashlib.sha256(data).hexdigest()


def neutralise_forged_results(data: bytes, authserv_id: str) -> bytes:
    """Rename incoming Authentication-Results fields that claim to be ours (RFC 8601 §5).

    A reader trusts the fields carrying our authserv-id, so one the sender wrote must not pass as
    ours: it becomes ``X-Forged-Authentication-Results``. Other servers' fields are left alone.
    """
    block = header_block(data)
    if b"authentication-results" not in block.lower():
        return data
    ours = authserv_id.lower().encode("ascii", "replace")
    out, pos = [], 0
    for found in iter_header_fields(block):
        if found.name.lower() != "authentication-results":
            continue
        claimed = found.value.strip().split(b";", 1)[0].split()
        if claimed and claimed[0].lower() == ours:
            out += [data[pos : found.start], b"X-Forged-"]
            pos = found.start
    if not out:
        return data
    out.append(data[pos:])
    return b"".join(out)


def _clean(text: str, limit: int = 255) -> str:
    """Client-supplied text made safe for a header: printable, no folding, bounded."""
    return "".join(ch if ch.isprintable() and ch not in "()" else "?" for ch in text)[:limit]


def received_field(
    client: ClientInfo, hostname: str, trace_id: str, when: str, recipient: str | None = None
) -> bytes:
    """RFC 5321 §4.4 trace field; ``for`` is given only for a single recipient (Bcc privacy)."""
    helo = _clean(client.helo) or "unknown"
    lines = [f"Received: from {helo} ([{_clean(client.ip, 64)}])"]
    tls = f" ({_clean(client.tls, 128)})" if client.tls else ""
    by = f"\tby {hostname} (Yunmail) with {client.protocol} id {trace_id}{tls}"
    if recipient:
        lines.append(by)
        lines.append(f"\tfor <{_clean(recipient, 320)}>; {when}")
    else:
        lines.append(by + ";")
        lines.append(f"\t{when}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# --- the MX service ---------------------------------------------------------------------------------

_Answer = InboundRecipient | YunmailError


class RecipientCache:
    """Recent RCPT answers (both kinds) for ``ttl_seconds``: the lookups are port 25's hot path.

    A directory change (mailbox closed, alias added, domain verified) is seen by port 25 at most
    ``ttl_seconds`` later. Refusals are kept as (class, params) so each raise is a fresh error.
    """

    def __init__(self, clock: Clock, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[
            str, tuple[float, InboundRecipient | tuple[type[YunmailError], dict[str, object]]]
        ] = {}

    def get(self, key: str) -> _Answer | None:
        found = self._entries.get(key)
        if found is None:
            return None
        expires, value = found
        if self._clock.now().timestamp() >= expires:
            del self._entries[key]
            return None
        if isinstance(value, InboundRecipient):
            return value
        cls, params = value
        return cls(**params)

    def put(self, key: str, answer: _Answer) -> None:
        if self._ttl <= 0:
            return
        if len(self._entries) >= self._max:
            del self._entries[next(iter(self._entries))]  # oldest first (insertion order)
        value = answer if isinstance(answer, InboundRecipient) else (type(answer), dict(answer.params))
        self._entries[key] = (self._clock.now().timestamp() + self._ttl, value)


class InboundDelivery:
    def __init__(
        self,
        *,
        recipients: Recipients,
        identities: Identities,
        local: LocalDelivery,
        queue: OutboundQueue,
        clock: Clock,
        hostname: str,
        resolver: Resolver | None = None,
        cache_seconds: float = 2.0,
    ) -> None:
        self._cache = RecipientCache(clock, cache_seconds)
        self._recipients = recipients
        self._identities = identities
        self._local = local
        self._queue = queue
        self._clock = clock
        self.hostname = hostname
        self._resolver = resolver

    async def check_recipient(self, address: str) -> InboundRecipient:
        """May port 25 accept mail for ``address``? The resolved recipient, or a catalogue error."""
        key = address.lower()
        cached = self._cache.get(key)
        if isinstance(cached, YunmailError):
            raise cached
        if cached is not None:
            return cached
        try:
            answer = await self._check_recipient(address)
        except (RelayDenied, DomainNotReceiving, RecipientUnknown, MailboxRecycled) as refusal:
            self._cache.put(key, refusal)
            raise
        self._cache.put(key, answer)
        return answer

    async def _check_recipient(self, address: str) -> InboundRecipient:
        domain_text = address.rpartition("@")[2]
        hosted = await self._identities.hosted_domain(domain_text)
        if hosted is None:
            raise RelayDenied(domain=domain_text)
        if not hosted.accepts_internet_mail:
            raise DomainNotReceiving(domain=to_unicode(hosted.name))
        return await self.resolve_hosted(address, hosted)

    async def resolve_hosted(self, address: str, hosted: HostedDomain) -> InboundRecipient:
        """Resolve an address on a hosted domain; RecipientUnknown / MailboxRecycled otherwise."""
        recipient = await self._recipients.resolve(address)
        if recipient is None or recipient.enterprise_id != hosted.enterprise_id:
            raise RecipientUnknown(address=address)
        recipient.require_deliverable()
        return InboundRecipient(
            recipient.address, recipient.enterprise_id, recipient.mailbox_ids, recipient.external
        )

    async def deliver(self, message: InboundMessage) -> None:
        """Authenticate the sender, add trace fields, store every copy; returns after the commits."""
        data = neutralise_forged_results(message.data, self.hostname)
        if data is not message.data:
            message = dataclasses.replace(message, data=data)
        auth_field, verdicts = await self._sender_authentication(message)
        when = email.utils.format_datetime(self._clock.now())
        single = message.recipients[0].address if len(message.recipients) == 1 else None
        prefix = received_field(message.client, self.hostname, message.trace_id, when, single) + auth_field
        await deliver_copies(
            self._local,
            self._queue,
            data=message.data,
            prefix=prefix,
            mail_from=message.mail_from,
            recipients=message.recipients,
            trace_id=message.trace_id,
            dsn=message.dsn,
            smtputf8=message.client.smtputf8,
            body_8bit=message.body_8bit,
            verdicts=verdicts,
        )

    async def _sender_authentication(
        self, message: InboundMessage
    ) -> tuple[bytes, tuple[FilterVerdict, ...]]:
        if self._resolver is None:
            return b"", ()
        try:
            return await self._authenticate(self._resolver, message)
        except DmarcRejected:
            raise
        except Exception:
            # A bug or odd input in a check must not lose mail: deliver without the field.
            _log.exception("sender authentication failed", extra={"fields": {"trace": message.trace_id}})
            return b"", ()

    async def _authenticate(
        self, resolver: Resolver, message: InboundMessage
    ) -> tuple[bytes, tuple[FilterVerdict, ...]]:
        client = message.client
        spf_outcome = await spf.evaluate(resolver, client.ip, message.mail_from, client.helo, self.hostname)
        dkim_checks = await dkim.verify(message.data, resolver)
        found: list[results.MethodResult] = [
            results.spf_result(spf_outcome, message.mail_from, client.helo),
            *results.dkim_results(dkim_checks),
        ]
        verdicts: list[FilterVerdict] = []
        domains = {a.domain for a in from_addresses(message.data) if a.domain}
        if len(domains) == 1:
            outcome = await dmarc.evaluate(resolver, domains.pop(), spf_outcome, dkim_checks)
            found.append(results.dmarc_result(outcome))
            if outcome.disposition is dmarc.DmarcPolicy.REJECT:
                raise DmarcRejected(domain=outcome.from_domain)
            if outcome.disposition is dmarc.DmarcPolicy.QUARANTINE:
                verdicts.append(FilterVerdict("dmarc", FilterAction.JUNK, "DMARC policy: quarantine"))
        header = results.render_field(results.AuthenticationResults(self.hostname, tuple(found)))
        return header, tuple(verdicts)


async def deliver_copies(
    local: LocalDelivery,
    queue: OutboundQueue,
    *,
    data: bytes,
    prefix: bytes,
    mail_from: str,
    recipients: Sequence[InboundRecipient],
    trace_id: str,
    dsn: DsnRequest,
    smtputf8: bool,
    body_8bit: bool,
    verdicts: Sequence[FilterVerdict] = (),
    member_id: int | None = None,
) -> tuple[DeliveryResult, ...]:
    """Store copies for resolved local recipients (and queue their groups' outside addresses).

    Raises when any copy failed (see the module docstring); returns the per-mailbox results.
    """
    key = dedupe_key(data)
    mailbox_ids = tuple(dict.fromkeys(m for r in recipients for m in r.mailbox_ids))
    delivered = await local.deliver(
        LocalMessage(
            data=data,
            prefix=prefix,
            mailbox_ids=mailbox_ids,
            sender=mail_from,
            trace_id=trace_id,
            dedupe_key=key,
            meta={"mail_from": mail_from, **({"dsn": dsn_meta} if (dsn_meta := _dsn_meta(dsn)) else {})},
        ),
        extra_verdicts=verdicts,
    )
    _raise_failures(delivered)
    by_enterprise: dict[int, list[str]] = {}
    for recipient in recipients:
        by_enterprise.setdefault(recipient.enterprise_id, []).extend(recipient.external)
    for enterprise_id, outside in by_enterprise.items():
        if outside:
            await queue.enqueue(
                OutboundMessage(
                    enterprise_id=enterprise_id,
                    member_id=member_id,
                    sender=mail_from,
                    recipients=tuple(OutboundRecipient(a) for a in dict.fromkeys(outside)),
                    data=data,
                    prefix=prefix,
                    trace_id=trace_id,
                    dsn=dsn,
                    smtputf8=smtputf8,
                    body_8bit=body_8bit,
                    message_id=message_id_of(data),
                    dedupe_key=key,
                )
            )
    return delivered


def _dsn_meta(dsn: DsnRequest) -> dict[str, str]:
    return {k: v for k, v in (("ret", dsn.ret), ("envid", dsn.envid)) if v is not None}


def _raise_failures(delivered: Iterable[DeliveryResult]) -> None:
    done = [d for d in delivered if d.ok]
    failed = [d.outcome for d in delivered if isinstance(d.outcome, YunmailError)]
    if not failed:
        return
    if not done:
        raise failed[0]
    raise DeliveryIncomplete(reason=failed[0].text("en"))
