"""SMTP replies: catalogue errors and aiosmtpd's own answers rendered as ``code x.y.z text``.

The only place where SMTP words are chosen (DESIGN §3 rule 9):

* ``reply_for(error)`` renders a catalogue error with its ``smtp`` pair and English text;
* ``translate(status)`` rewrites the fixed replies aiosmtpd produces by itself (syntax errors,
  sequence errors, size and line limits) into precise replies with enhanced status codes
  (RFC 2034 requires the code on every reply once ENHANCEDSTATUSCODES is advertised), and never
  echoes client bytes back: aiosmtpd's ``command "<verb>" not recognized`` would reflect control
  characters;
* every text goes through ``_safe`` (printable ASCII, bounded), so no client-supplied value can
  inject CR/LF into a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yunmail.errors import (
    CommandOutOfSequence,
    CommandTooLong,
    CommandUnrecognised,
    MessageLineTooLong,
    ParameterNotSupported,
    TlsRequired,
    Unavailable,
    YunmailError,
)

MAX_TEXT = 400
_ENHANCED = re.compile(r"^\d{3}[ -]\d\.\d{1,3}\.\d{1,3}( |$)")


@dataclass(frozen=True, slots=True)
class Reply:
    code: int
    enhanced: str | None
    text: str

    def __str__(self) -> str:
        head = f"{self.code} {self.enhanced}" if self.enhanced else str(self.code)
        return f"{head} {_safe(self.text)}" if self.text else head

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 400

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500


def _safe(text: str) -> str:
    cleaned = "".join(ch if " " <= ch <= "~" else "?" for ch in text)
    return cleaned[:MAX_TEXT]


def reply_for(error: YunmailError) -> Reply:
    code, enhanced = error.smtp
    return Reply(code, enhanced, error.text("en"))


def ok(enhanced: str, text: str, code: int = 250) -> Reply:
    return Reply(code, enhanced, text)


def internal_error(trace_id: str) -> Reply:
    """The reply to an unexpected exception: transient, with only the trace id to quote."""
    error = Unavailable()
    code, enhanced = error.smtp
    return Reply(code, enhanced, f"{error.text('en')} (trace {trace_id})")


def _from(error: YunmailError) -> str:
    return str(reply_for(error))


# aiosmtpd's fixed replies (aiosmtpd/smtp.py 1.4.6) -> ours. Prefix match, longest first.
_BUILTIN: tuple[tuple[str, str], ...] = (
    ("500 Command line too long", _from(CommandTooLong())),
    # An empty line, or a verb that is not ASCII (RFC 5321 §4.2.3: 500 = syntax error, unrecognised).
    ("500 Error: bad syntax", "500 5.5.2 Syntax error: empty or non-ASCII command"),
    ("500 Error: strict ASCII mode", "500 5.5.2 Syntax error: non-ASCII command"),
    ('500 Error: command "', _from(CommandUnrecognised())),
    ("500 Error: command 'AUTH' not recognized", _from(CommandOutOfSequence(detail="send EHLO before AUTH"))),
    ("500 Line too long", _from(MessageLineTooLong())),
    ("501 Syntax: HELO", "501 5.5.4 Syntax: HELO hostname"),
    ("501 Syntax: EHLO", "501 5.5.4 Syntax: EHLO hostname"),
    ("501 Syntax: QUIT", "501 5.5.4 Syntax: QUIT takes no argument"),
    ("501 Syntax: RSET", "501 5.5.4 Syntax: RSET takes no argument"),
    ("501 Syntax: DATA", "501 5.5.4 Syntax: DATA takes no argument"),
    ("501 Syntax: STARTTLS", "501 5.5.4 Syntax: STARTTLS takes no argument"),
    ("501 Syntax: VRFY", "501 5.5.4 Syntax: VRFY <address>"),
    ("501 Not enough value", "501 5.5.4 Syntax: AUTH mechanism [initial-response]"),
    ("501 Too many values", "501 5.5.4 Syntax: AUTH mechanism [initial-response]"),
    ("503 Error: send HELO first", _from(CommandOutOfSequence(detail="send HELO first"))),
    ("503 Error: send EHLO first", _from(CommandOutOfSequence(detail="send EHLO first"))),
    ("503 Error: need MAIL command", _from(CommandOutOfSequence(detail="send MAIL FROM first"))),
    ("503 Error: need RCPT command", _from(CommandOutOfSequence(detail="no valid recipients; send RCPT TO"))),
    ("503 Error: nested MAIL command", _from(CommandOutOfSequence(detail="nested MAIL command"))),
    ("503 Already authenticated", _from(CommandOutOfSequence(detail="already authenticated"))),
    ("530 Must issue a STARTTLS command first", _from(TlsRequired())),
    ("552 Error: Too much mail data", "552 5.3.4 Message size exceeds the fixed maximum message size"),
    ("552 Error: message size exceeds", "552 5.3.4 Message size exceeds the fixed maximum message size"),
    ("555 MAIL FROM parameters", _from(ParameterNotSupported(name="in MAIL FROM"))),
    ("555 RCPT TO parameters", _from(ParameterNotSupported(name="in RCPT TO"))),
    ("454 TLS not available", "454 4.7.0 TLS not available"),
    ("220 Ready to start TLS", "220 2.0.0 Ready to start TLS"),
    ("502 EXPN not implemented", "502 5.5.1 EXPN is not available"),
    ("250 OK", "250 2.0.0 OK"),
    ("221 Bye", "221 2.0.0 Bye"),
)


def translate(status: str) -> str:
    """aiosmtpd's own reply -> ours; replies that already carry an enhanced code pass unchanged.

    The greeting and the 334/354 continuations carry no enhanced code (RFC 2034 §3) and pass
    unchanged too; EHLO/HELO replies never come through here (the server pushes them directly).
    """
    if _ENHANCED.match(status) or status.startswith(("334 ", "354 ")):
        return status
    if status.startswith("220 ") and not status.startswith("220 Ready"):
        return status  # the greeting
    for prefix, ours in _BUILTIN:
        if status.startswith(prefix):
            return ours
    code = status[:3]
    if code.isdigit() and code[0] in "245":
        # Anything else aiosmtpd invents: keep its code, give the generic enhanced status.
        generic = {"2": "2.0.0", "4": "4.0.0", "5": "5.5.0"}[code[0]]
        return f"{code} {generic} {_safe(status[4:])}".rstrip()
    return status
