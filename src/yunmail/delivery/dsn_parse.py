"""Reading incoming bounces: RFC 3464 delivery status notifications and the common non-standard kinds.

A bounce delivered to a member is turned into one `Dsn` with a `DsnRecipient` per failed address,
each classified by `bounces.classify`, so webmail can show the cause in plain words next to it.

Formats, tried in this order:

* RFC 3464 ``multipart/report`` with ``message/delivery-status`` (and RFC 6533
  ``message/global-delivery-status``): Postfix, Gmail, Exchange Online, most modern servers.
* qmail-send plain-text bounces (``<addr>:`` blocks, "Remote host said:", "(#5.1.1)").
* Exchange NDR text (legacy ``<host #5.1.1 smtp;...>`` lines, or "Diagnostic information for
  administrators" with "Remote Server returned '...'").
* Other text bounces: Exim (``X-Failed-Recipients``) and Chinese provider notices ("无法发送到 ...").

The stdlib ``email`` package is used for reading only; nothing here writes headers. The returned
original message (``message/rfc822``) is never searched, so a bounce of a bounce reads correctly.
Text is capped at `_MAX_TEXT` characters and a report at `_MAX_RECIPIENTS` recipients, to bound the
work on hostile input.
"""

from __future__ import annotations

import base64
import dataclasses
import email
import email.header
import email.parser
import email.policy
import html
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from enum import StrEnum

from yunmail.delivery.bounces import BounceCause, classify

_MAX_TEXT = 256 * 1024
_MAX_RECIPIENTS = 1000  # well above our own 400-recipient cap per message
_STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_NOT_FAILURES = frozenset({"delivered", "relayed", "expanded"})


class DsnFormat(StrEnum):
    RFC3464 = "rfc3464"
    QMAIL = "qmail"
    EXCHANGE = "exchange"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class DsnRecipient:
    """One recipient's fate. ``cause`` is None for success actions (delivered, relayed, expanded)."""

    final_recipient: str
    original_recipient: str | None
    action: str
    status: str | None
    diagnostic_code: str | None
    remote_mta: str | None
    cause: BounceCause | None


@dataclass(frozen=True, slots=True)
class Dsn:
    format: DsnFormat
    reporting_mta: str | None
    recipients: tuple[DsnRecipient, ...]
    original_message_id: str | None
    original_subject: str | None


def parse_dsn(raw: bytes) -> Dsn | None:
    """Parse a bounce message; None when it is not recognisably one."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts = list(_leaves(msg))
    message_id, subject = _original_headers(parts)

    for part in parts:
        if part.get_content_type() in _STATUS_TYPES:
            reporting_mta, recipients = _parse_status(part)
            if recipients:
                return Dsn(DsnFormat.RFC3464, reporting_mta, recipients, message_id, subject)

    text = _human_text(parts)
    qmail = _parse_qmail(text)
    if qmail is not None:
        return Dsn(DsnFormat.QMAIL, qmail[0], qmail[1], message_id, subject)
    exchange = _parse_exchange(text)
    if exchange:
        return Dsn(DsnFormat.EXCHANGE, None, exchange, message_id, subject)
    other = _parse_text(msg, text)
    if other:
        return Dsn(DsnFormat.TEXT, None, other, message_id, subject)
    return None


# --- MIME walking -------------------------------------------------------------------------------


def _leaves(part: Message) -> Iterator[Message]:
    """Leaf parts in order; ``message/*`` parts are leaves (never descend into the returned copy)."""
    if part.get_content_maintype() == "message" or not part.is_multipart():
        yield part
        return
    payload = part.get_payload()
    if isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from _leaves(sub)


def _original_headers(parts: list[Message]) -> tuple[str | None, str | None]:
    for part in parts:
        ctype = part.get_content_type()
        headers: Message | None = None
        if ctype in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                headers = payload[0]
        elif ctype in ("text/rfc822-headers", "message/global-headers"):
            headers = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(_decode(part))
        if headers is not None:
            return _header(headers, "Message-ID"), _decoded_header(headers, "Subject")
    return None, None


def _decode(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    charset = (part.get_content_charset() or "utf-8").lower()
    if charset in ("gb2312", "gbk", "x-gbk", "euc-cn"):
        charset = "gb18030"  # superset; Chinese mailers often label GBK text as GB2312
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _header(msg: Message, name: str) -> str | None:
    # raw_items(): the plain stored value. get() would wrap undecodable bytes in a Header object.
    wanted = name.lower()
    value = next((v for k, v in msg.raw_items() if k.lower() == wanted), None)
    if value is None:
        return None
    return " ".join(_unescape(value).split()) or None


def _decoded_header(msg: Message, name: str) -> str | None:
    value = _header(msg, name)
    if value is None:
        return None
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (LookupError, ValueError, UnicodeDecodeError):
        return value


# --- RFC 3464 / RFC 6533 ------------------------------------------------------------------------


def _parse_status(part: Message) -> tuple[str | None, tuple[DsnRecipient, ...]]:
    blocks = _status_blocks(part)
    reporting_mta: str | None = None
    recipients: list[DsnRecipient] = []
    for block in blocks:
        if len(recipients) >= _MAX_RECIPIENTS:
            break
        if reporting_mta is None and block.get("Reporting-MTA"):
            reporting_mta = _typed_value(block, "Reporting-MTA")[1]
        final = _typed_value(block, "Final-Recipient")
        original = _typed_value(block, "Original-Recipient")
        address = final[1] or original[1]
        if not address:
            continue
        action = (_header(block, "Action") or "failed").split()[0].lower()
        status_match = re.search(r"[245]\.\d{1,3}\.\d{1,3}", _header(block, "Status") or "")
        status = status_match.group(0) if status_match else None
        diagnostic = _typed_value(block, "Diagnostic-Code")[1]
        remote_mta = _typed_value(block, "Remote-MTA")[1]
        recipients.append(
            _recipient(address, original[1], action, status, diagnostic, remote_mta),
        )
    return reporting_mta, tuple(recipients)


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if part.get_content_type() == "message/delivery-status" and isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]  # the stdlib split it for us
    # The stdlib reads any other message/* body as one embedded message (headers = first block,
    # body = the rest): put the wire bytes back together, undo the transfer encoding, decode UTF-8.
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        inner = payload[0]
        head = "".join(f"{name}: {value}\n" for name, value in inner.raw_items())
        body = inner.get_payload(decode=True)  # bytes as received; get_payload() would mangle UTF-8
        data = _escaped(head + "\n") + (body if isinstance(body, bytes) else b"")
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if encoding == "base64":
            data = base64.b64decode(data.replace(b"\n\n", b"\n").strip(), validate=False)
        elif encoding == "quoted-printable":
            data = quopri.decodestring(data)
        text = data.decode("utf-8", errors="replace")
    else:
        text = _decode(part)
    text = text.replace("\r\n", "\n")
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    return [parser.parsestr(block + "\n") for block in re.split(r"\n[ \t]*\n", text) if block.strip()]


def _escaped(text: str) -> bytes:
    """Back to the wire bytes: compat32 keeps undecodable bytes as surrogate escapes."""
    return text.encode("ascii", errors="surrogateescape")


def _unescape(text: str) -> str:
    """Raw UTF-8 (SMTPUTF8 headers, RFC 6533 bodies) arrives surrogate-escaped; decode it."""
    try:
        return _escaped(text).decode("utf-8", errors="replace")
    except UnicodeEncodeError:
        return text  # already real characters


def _typed_value(block: Message, name: str) -> tuple[str | None, str | None]:
    """'rfc822; bob@example.com' -> ('rfc822', 'bob@example.com')."""
    value = _header(block, name)
    if value is None:
        return None, None
    kind, sep, rest = value.partition(";")
    if not sep:
        return None, value.strip() or None
    rest = rest.strip()
    if kind.strip().lower() == "utf-8":
        # RFC 6533 utf-8-addr-xtext: "\x{4E2D}" escapes.
        rest = re.sub(r"\\x\{([0-9A-Fa-f]{1,6})\}", lambda m: chr(int(m.group(1), 16)), rest)
    if name.endswith("Recipient"):
        rest = rest.strip("<>")
    return kind.strip().lower(), rest or None


def _recipient(
    address: str,
    original: str | None,
    action: str,
    status: str | None,
    diagnostic: str | None,
    remote_mta: str | None,
) -> DsnRecipient:
    cause: BounceCause | None = None
    if action not in _NOT_FAILURES:
        cause = classify(None, status, diagnostic or "")
        # The reporting server's action is final word on permanence (e.g. "failed" with 4.4.7).
        if action == "failed" and not cause.permanent:
            cause = dataclasses.replace(cause, permanent=True)
        elif action == "delayed" and cause.permanent:
            cause = dataclasses.replace(cause, permanent=False)
        status = status or cause.enhanced
    return DsnRecipient(address, original, action, status, diagnostic, remote_mta, cause)


# --- Text bounces -------------------------------------------------------------------------------

_ADDR = r"[^\s<>()\[\],;:\"'@，。：；、]+@[^\s<>()\[\],;:\"'@，。：；、]+"
_COPY_MARKER = re.compile(
    r"^\s*-{2,}\s*(?:Below this line is a copy of the message|This is a copy of the message"
    r"|Original message|原始邮件|原邮件)",
    re.IGNORECASE | re.MULTILINE,
)
_TAG_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|tr|li|h\d)\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def _human_text(parts: list[Message]) -> str:
    plain = [_decode(p) for p in parts if p.get_content_type() == "text/plain"]
    if not plain:
        plain = [_html_to_text(_decode(p)) for p in parts if p.get_content_type() == "text/html"]
    text = "\n".join(plain).replace("\r\n", "\n")[:_MAX_TEXT]
    copy = _COPY_MARKER.search(text)
    return text[: copy.start()] if copy else text


def _html_to_text(markup: str) -> str:
    markup = _TAG_BREAKS.sub("\n", _TAG_BLOCKS.sub("", markup))
    return html.unescape(_TAGS.sub("", markup))


def _clean_address(value: str) -> str:
    return value.strip().strip("<>").rstrip(".。")


def _strip_diag_type(value: str) -> str:
    """'smtp;550 5.1.1 x' -> '550 5.1.1 x' (Exchange puts the RFC 3464 type inside its text)."""
    return re.sub(r"^\s*(?:smtp|x-[\w-]+)\s*;\s*", "", value.strip(), flags=re.IGNORECASE)


_QMAIL_HELLO = re.compile(
    r"This is the qmail-send program at (\S+?)\.?\s*$|I'm afraid I wasn't able to deliver",
    re.IGNORECASE | re.MULTILINE,
)
_QMAIL_RECIPIENT = re.compile(rf"^<({_ADDR})>:\s*$", re.MULTILINE)
_QMAIL_REMOTE_SAID = re.compile(r"Remote host said:\s*(.+?)\s*(?:^Giving up on|\Z)", re.DOTALL | re.MULTILINE)
_QMAIL_HOST = re.compile(r"^Giving up on (\S+?)\.?\s*$|^(\S+) does not like recipient", re.MULTILINE)


def _parse_qmail(text: str) -> tuple[str | None, tuple[DsnRecipient, ...]] | None:
    hello = _QMAIL_HELLO.search(text)
    if hello is None:
        return None
    pieces = _QMAIL_RECIPIENT.split(text)
    recipients: list[DsnRecipient] = []
    for address, body in zip(pieces[1::2], pieces[2::2], strict=True):
        if len(recipients) >= _MAX_RECIPIENTS:
            break
        block = body.strip().split("\n\n", 1)[0]
        said = _QMAIL_REMOTE_SAID.search(block)
        diagnostic = " ".join((said.group(1) if said else block).split())
        host = _QMAIL_HOST.search(block)
        remote = (host.group(1) or host.group(2)) if host else None
        recipients.append(_recipient(_clean_address(address), None, "failed", None, diagnostic, remote))
    if not recipients:
        return None
    return hello.group(1), tuple(recipients)


_EXCHANGE_MARKERS = re.compile(
    r"following recipient\(s\) cannot be reached|Delivery has failed to these recipients"
    r"|Diagnostic information for administrators|could not be delivered to the following recipients",
    re.IGNORECASE,
)
# Exchange 2000/2003: "bob@example.com on 3/5/2024 10:12 AM" ... "<mx.example.com #5.1.1 smtp;550 ...>".
_EXCHANGE_LEGACY = re.compile(
    rf"^\s*({_ADDR})\s+on\s+.{{0,2000}}?^\s*<([^\s#<>]*)\s*#([245]\.\d{{1,3}}\.\d{{1,3}})([^\n]*)>[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
# Exchange 2007+: "bob@example.com" then "Remote Server returned '...'" or "#550 5.1.1 ... ##".
_EXCHANGE_MODERN = re.compile(
    rf"^\s*({_ADDR})\s*\n\s*(?:Remote Server returned '([^'\n]*)'|#(.*?)\s*##)",
    re.MULTILINE,
)


def _parse_exchange(text: str) -> tuple[DsnRecipient, ...]:
    if _EXCHANGE_MARKERS.search(text) is None:
        return ()
    recipients: list[DsnRecipient] = []
    seen: set[str] = set()
    for match in _EXCHANGE_MODERN.finditer(text):
        if len(recipients) >= _MAX_RECIPIENTS:
            break
        modern = _strip_diag_type((match.group(2) or match.group(3) or "").strip("<> "))
        address = _clean_address(match.group(1))
        seen.add(address.lower())
        recipients.append(_recipient(address, None, "failed", None, modern or None, None))
    for match in _EXCHANGE_LEGACY.finditer(text):
        if len(recipients) >= _MAX_RECIPIENTS:
            break
        address = _clean_address(match.group(1))
        if address.lower() in seen:
            continue
        legacy = _strip_diag_type(match.group(4)) or None
        recipients.append(_recipient(address, None, "failed", match.group(3), legacy, match.group(2) or None))
    return tuple(recipients)


_FAILED_MARKER = re.compile(
    rf"(?:无法发送到|无法投递到|无法送达|投递失败|发送失败|could not be delivered to|delivery failed for"
    rf"|undeliverable to|failed to deliver to)\s*[:：]?\s*<?({_ADDR})",
    re.IGNORECASE,
)
# A line carrying an SMTP reply, possibly after "said:" / "返回：".
_REPLY_LINE = re.compile(
    r"^[ \t]*(?:[^\n]*?(?:said|returned|reply|response|返回|回复|响应)\s*[:：]\s*)?([45]\d\d[ -][^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_MORE_REPLY = re.compile(r"\n[ \t]*([45]\d\d[ -][^\n]*)")
_REASON_LINE = re.compile(r"(?:退信原因|失败原因|Reason)\s*[:：]\s*([^\n]+)", re.IGNORECASE)
_EXIM_HOST = re.compile(r"^\s*host\s+(\S+)\s+\[", re.MULTILINE)


def _parse_text(msg: Message, text: str) -> tuple[DsnRecipient, ...]:
    starts: list[tuple[str, int]] = []
    failed_header = _header(msg, "X-Failed-Recipients")
    lowered = text.lower()
    if failed_header:
        for address in (_clean_address(a) for a in failed_header.split(",")):
            if address:
                starts.append((address, max(lowered.find(address.lower()), 0)))
    else:
        starts = [(_clean_address(m.group(1)), m.start()) for m in _FAILED_MARKER.finditer(text)]
    starts = sorted(starts, key=lambda item: item[1])[:_MAX_RECIPIENTS]
    recipients: list[DsnRecipient] = []
    for index, (address, start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) and starts[index + 1][1] > start else len(text)
        block = text[start:end]
        diagnostic: str | None = None
        reply = _REPLY_LINE.search(block)
        if reply is not None:
            lines = [reply.group(1).strip()]
            rest = block[reply.end() :]
            while (more := _MORE_REPLY.match(rest)) is not None:
                lines.append(more.group(1).strip())
                rest = rest[more.end() :]
            diagnostic = " ".join(lines)
        elif (reason := _REASON_LINE.search(block)) is not None:
            diagnostic = reason.group(1).strip()
        host = _EXIM_HOST.search(block)
        remote = host.group(1) if host else None
        recipients.append(_recipient(address, None, "failed", None, diagnostic, remote))
    return tuple(recipients)
