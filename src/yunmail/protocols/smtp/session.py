"""SMTP session state and the protocol rules shared by MX and submission, free of aiosmtpd.

One ``SmtpSession`` lives per connection (``server.py`` creates it and forwards the commands).
What is decided here:

* **Paths** (RFC 5321 §4.1.2, RFC 6531 §3.3): ``<local@domain>`` with an optional source route
  (ignored, §4.1.1.3) or, leniently, a bare address. Control characters (NUL, CR, LF, ...) are
  refused before anything else; arguments that are not UTF-8 (aiosmtpd hands them over with
  surrogate escapes) are refused; a non-ASCII address needs ``SMTPUTF8`` on MAIL FROM.
* **Parameters**: MAIL ``SIZE``, ``BODY=7BIT|8BITMIME``, ``SMTPUTF8``, ``RET``, ``ENVID``, ``AUTH``
  (RFC 4954 §5, accepted and ignored); RCPT ``NOTIFY`` and ``ORCPT`` (RFC 3461). Anything else is
  ``555 5.5.4``.
* **Message bytes** (SMTP smuggling defence, RFC 5321 §2.3.8): aiosmtpd ends DATA only at
  ``CRLF.CRLF``; a message that still contains a bare CR or bare LF (``\\n.\\n``, ``\\r.\\r`` and the
  mixed forms included) or a NUL is refused as a whole, so no such sequence is ever stored or
  relayed to a server that might end the message there.
* **EHLO capabilities** per port and TLS state: AUTH only under TLS and only on submission.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, TypeVar

from yunmail import logging
from yunmail.delivery import DsnRequest, RecipientDsn
from yunmail.errors import (
    AddressHasControlCharacter,
    AddressInvalid,
    AddressNotUtf8,
    AuthNotOffered,
    BareLineEnding,
    CommandOutOfSequence,
    CommandSyntax,
    MessageTooLarge,
    NulInMessage,
    ParameterNotSupported,
    SmtpUtf8Required,
    YunmailError,
)
from yunmail.mime import normalize_address
from yunmail.protocols.smtp.replies import Reply, reply_for
from yunmail.security import new_token

_log = logging.get("smtp")

DEFAULT_MESSAGE_BYTES = 100 * 1024 * 1024
# Postfix's smtpd_recipient_limit: an MX transaction beyond this gets 452 and the sender splits.
MX_MAX_RECIPIENTS = 1000
# RFC 3461 §4.4: ENVID at most 100 characters; §4.2: ORCPT at most 500.
MAX_ENVID = 100
MAX_ORCPT = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_XTEXT = re.compile(r"^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*$")
_PARAM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_NOTIFY_WORDS = frozenset({"SUCCESS", "FAILURE", "DELAY"})
_HELO = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    hostname: str
    message_size_bytes: int = DEFAULT_MESSAGE_BYTES
    mx_max_recipients: int = MX_MAX_RECIPIENTS


@dataclass(frozen=True, slots=True)
class Path:
    address: str  # "" for the null path; otherwise normalised (domain as A-label)
    params: Mapping[str, str | None]


@dataclass(slots=True)
class Transaction:
    """One mail transaction (MAIL .. DATA); a new one starts after RSET, EHLO, STARTTLS or DATA."""

    trace_id: str = field(default_factory=lambda: new_token(9))
    mail_from: str | None = None
    smtputf8: bool = False
    body_8bit: bool = False
    size: int | None = None
    dsn: DsnRequest = field(default_factory=DsnRequest)
    over_limit: bool = False  # a recipient was refused for the per-message cap


@dataclass(frozen=True, slots=True)
class Connection:
    """What a session knows about its connection."""

    peer_ip: str
    implicit_tls: bool = False
    starttls_offered: bool = False


# --- paths and parameters ------------------------------------------------------------------------


def _split_path(arg: str, keyword: str) -> tuple[str, str]:
    """``FROM:<path> params`` -> (path without brackets, rest); CommandSyntax when malformed."""
    if not arg[: len(keyword)].upper() == keyword:
        raise CommandSyntax(detail=f"expected {keyword}<address>")
    rest = arg[len(keyword) :].lstrip(" ")
    if not rest.startswith("<"):
        # Lenient: a bare address (many old clients), up to the first space.
        path, _, params = rest.partition(" ")
        if not path:
            raise CommandSyntax(detail=f"expected {keyword}<address>")
        return path, params
    quoted = escaped = False
    for i in range(1, len(rest)):
        ch = rest[i]
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ">" and not quoted:
            tail = rest[i + 1 :]
            if tail and not tail.startswith(" "):
                raise CommandSyntax(detail="a space must separate the address from its parameters")
            return rest[1:i], tail.strip(" ")
    raise CommandSyntax(detail="unbalanced '<' in the address")


def _strip_route(path: str) -> str:
    # RFC 5321 §4.1.1.3 / Appendix C: "@relay1,@relay2:user@domain" -> "user@domain".
    if path.startswith("@"):
        _, colon, mailbox = path.partition(":")
        if not colon:
            raise CommandSyntax(detail="malformed source route")
        return mailbox
    return path


def _params(text: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for word in text.split():
        name, eq, value = word.partition("=")
        if not _PARAM_NAME.match(name) or (eq and not value):
            raise CommandSyntax(detail="malformed parameter")
        key = name.upper()
        if key in found:
            raise CommandSyntax(detail=f"parameter {key} given twice")
        found[key] = value if eq else None
    return found


def check_address_text(text: str, smtputf8: bool) -> None:
    if _CONTROL.search(text):
        raise AddressHasControlCharacter()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise AddressNotUtf8() from None  # lone surrogates: the client sent bytes that are not UTF-8
    if not smtputf8 and not text.isascii():
        raise SmtpUtf8Required()


def parse_path(arg: str | None, keyword: str, *, smtputf8: bool | None = None) -> Path:
    """Parse ``MAIL FROM:``/``RCPT TO:`` arguments into a normalised address and raw parameters.

    ``smtputf8`` is the transaction's SMTPUTF8 state; None (MAIL) means "read it from the params".
    """
    if not arg:
        raise CommandSyntax(detail=f"expected {keyword}<address>")
    if _CONTROL.search(arg):
        raise AddressHasControlCharacter()
    raw, rest = _split_path(arg, keyword)
    params = _params(rest)
    utf8 = ("SMTPUTF8" in params) if smtputf8 is None else smtputf8
    check_address_text(raw, utf8)
    mailbox = _strip_route(raw)
    if not mailbox:
        return Path("", MappingProxyType(params))
    try:
        address = normalize_address(mailbox, smtputf8=utf8)
    except AddressInvalid:
        raise AddressInvalid(address=mailbox) from None
    return Path(address, MappingProxyType(params))


def _xtext(value: str, limit: int, name: str) -> str:
    if len(value) > limit or not _XTEXT.match(value):
        raise CommandSyntax(detail=f"{name} must be xtext of at most {limit} characters")
    return value


def apply_mail_params(txn: Transaction, params: Mapping[str, str | None], size_limit: int) -> None:
    """Check MAIL parameters and record them on the transaction."""
    body = "7BIT"
    for name, value in params.items():
        if name == "SIZE":
            if value is None or not value.isdigit() or len(value) > 20:
                raise CommandSyntax(detail="SIZE needs a number")
            if int(value) > size_limit:
                raise MessageTooLarge(limit=size_limit)
            txn.size = int(value)
        elif name == "BODY":
            body = (value or "").upper()
            if body not in ("7BIT", "8BITMIME"):
                raise CommandSyntax(detail="BODY must be 7BIT or 8BITMIME")
        elif name == "SMTPUTF8":
            if value is not None:
                raise CommandSyntax(detail="SMTPUTF8 takes no value")
            txn.smtputf8 = True
        elif name == "RET":
            ret = (value or "").upper()
            if ret not in ("FULL", "HDRS"):
                raise CommandSyntax(detail="RET must be FULL or HDRS")
            txn.dsn = DsnRequest(ret=ret, envid=txn.dsn.envid)
        elif name == "ENVID":
            txn.dsn = DsnRequest(ret=txn.dsn.ret, envid=_xtext(value or "", MAX_ENVID, "ENVID"))
        elif name == "AUTH":
            pass  # RFC 4954 §5: we never relay on a client's word, so the value is not used
        else:
            raise ParameterNotSupported(name=name)
    txn.body_8bit = body == "8BITMIME"


def rcpt_dsn(params: Mapping[str, str | None]) -> RecipientDsn:
    """Check RCPT parameters (RFC 3461 NOTIFY, ORCPT)."""
    notify: str | None = None
    orcpt: str | None = None
    for name, value in params.items():
        if name == "NOTIFY":
            words = (value or "").upper().split(",")
            if words != ["NEVER"] and not (set(words) <= _NOTIFY_WORDS and len(set(words)) == len(words)):
                raise CommandSyntax(detail="NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY")
            notify = ",".join(words)
        elif name == "ORCPT":
            kind, semicolon, text = (value or "").partition(";")
            if not semicolon or not _PARAM_NAME.match(kind):
                raise CommandSyntax(detail="ORCPT must be addr-type;xtext")
            orcpt = f"{kind.lower()};{_xtext(text, MAX_ORCPT, 'ORCPT')}"
        else:
            raise ParameterNotSupported(name=name)
    return RecipientDsn(notify=notify, orcpt=orcpt)


def check_message_bytes(content: bytes) -> None:
    """Refuse bytes SMTP must not carry: NUL, bare CR, bare LF (each counted in C, in one pass each)."""
    if b"\x00" in content:
        raise NulInMessage()
    pairs = content.count(b"\r\n")
    if content.count(b"\r") != pairs or content.count(b"\n") != pairs:
        raise BareLineEnding()


def check_helo(hostname: str) -> None:
    """EHLO/HELO argument: one printable ASCII word (a domain or an address literal)."""
    if not _HELO.match(hostname.strip()):
        raise CommandSyntax(detail="EHLO needs a domain name or address literal")


# --- the session ---------------------------------------------------------------------------------


TxnT = TypeVar("TxnT", bound=Transaction)


class SmtpSession(ABC, Generic[TxnT]):
    """Per-connection protocol state; subclasses add the port's policy (MX, submission)."""

    offers_auth = False

    def __init__(self, settings: SmtpSettings, connection: Connection) -> None:
        self.settings = settings
        self.connection = connection
        self.helo: str | None = None
        self.tls: str | None = None  # "TLSv1.3 TLS_AES_256_GCM_SHA384" once encrypted

    @property
    def secure(self) -> bool:
        return self.tls is not None

    def greet(self, hostname: str) -> Reply | None:
        """EHLO/HELO: None when accepted (the server then lists capabilities), else the refusal."""
        try:
            check_helo(hostname)
        except YunmailError as exc:
            return reply_for(exc)
        self.helo = hostname.strip()
        return None

    def capabilities(self) -> list[str]:
        """EHLO keywords for this port and TLS state (RFC 5321 §4.1.1.1)."""
        words = [
            "PIPELINING",
            f"SIZE {self.settings.message_size_bytes}",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "DSN",
        ]
        if self.connection.starttls_offered and not self.secure:
            words.append("STARTTLS")
        if self.offers_auth and self.secure:
            words.append("AUTH PLAIN LOGIN")
        return words

    @abstractmethod
    def new_transaction(self) -> TxnT: ...

    async def authenticate(self, login: str, secret: str) -> tuple[Reply, object | None]:
        """AUTH with a decoded login and secret: the reply, and the principal on success."""
        return reply_for(AuthNotOffered()), None

    async def mail(self, txn: TxnT, arg: str | None) -> Reply:
        if txn.mail_from is not None:
            return reply_for(CommandOutOfSequence(detail="nested MAIL command"))
        try:
            path = parse_path(arg, "FROM:")
            apply_mail_params(txn, path.params, self.settings.message_size_bytes)
            await self.check_sender(txn, path.address)
        except YunmailError as exc:
            txn.smtputf8 = txn.body_8bit = False
            txn.size, txn.dsn = None, DsnRequest()
            return reply_for(exc)
        txn.mail_from = path.address
        logging.trace_id.set(txn.trace_id)
        return Reply(250, "2.1.0", "Sender OK")

    async def rcpt(self, txn: TxnT, arg: str | None) -> Reply:
        if txn.mail_from is None:
            return reply_for(CommandOutOfSequence(detail="send MAIL FROM first"))
        try:
            path = parse_path(arg, "TO:", smtputf8=txn.smtputf8)
            if not path.address:
                raise CommandSyntax(detail="the null path is not a recipient")
            dsn = rcpt_dsn(path.params)
            await self.add_recipient(txn, path.address, dsn)
        except YunmailError as exc:
            return reply_for(exc)
        return Reply(250, "2.1.5", "Recipient OK")

    async def data(self, txn: TxnT, content: bytes) -> Reply:
        try:
            check_message_bytes(content)
            if len(content) > self.settings.message_size_bytes:
                raise MessageTooLarge(limit=self.settings.message_size_bytes)
            txn.body_8bit = txn.body_8bit or not content.isascii()
            await self.deliver(txn, content)
        except YunmailError as exc:
            _log.info("message refused", extra={"fields": {"code": exc.code, "trace": txn.trace_id}})
            return reply_for(exc)
        return Reply(250, "2.0.0", f"OK, stored as {txn.trace_id}")

    @abstractmethod
    async def check_sender(self, txn: TxnT, address: str) -> None: ...

    @abstractmethod
    async def add_recipient(self, txn: TxnT, address: str, dsn: RecipientDsn) -> None: ...

    @abstractmethod
    async def deliver(self, txn: TxnT, content: bytes) -> None: ...
