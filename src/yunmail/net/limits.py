"""Connection-level limits shared by every protocol server: idle timeouts, line and literal sizes, caps.

The numbers come from the RFCs where they name one (SMTP and IMAP idle timeouts, SMTP line length)
and from ``Settings`` where the product sets one (message size). Protocol servers read a
``NetLimits`` value; nothing here enforces anything by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from yunmail.config import Settings

# RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes for the next command.
SMTP_IDLE_SECONDS = 5 * 60
# RFC 9051 §5.4: the inactivity autologout timer must be at least 30 minutes.
IMAP_IDLE_SECONDS = 30 * 60
# RFC 1939 §3: the POP3 inactivity autologout timer must be at least 10 minutes.
POP3_IDLE_SECONDS = 10 * 60
# RFC 5321 §4.5.3.1.6: 1000 octets including CRLF; aiosmtpd uses 1001 to allow a leading dot.
SMTP_LINE_BYTES = 1001
# IMAP command lines outside literals; clients with long UID sets send several kilobytes.
IMAP_LINE_BYTES = 64 * 1024
# Unauthenticated clients get a small literal budget so they cannot make us buffer a message.
IMAP_LITERAL_BYTES_UNAUTHENTICATED = 8 * 1024
# A TLS handshake that has not finished by then is a stalled or hostile client.
TLS_HANDSHAKE_SECONDS = 30.0
# Connections one address may hold open at once, per process (all listeners together).
CONNECTIONS_PER_IP = 50
# Connections the whole process accepts at once before refusing more.
CONNECTIONS_TOTAL = 10_000
# How long a graceful stop waits for in-flight connections before it cancels them.
DRAIN_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class NetLimits:
    """The limits a protocol server applies to one connection, plus listener-wide caps."""

    smtp_idle_seconds: float = SMTP_IDLE_SECONDS
    imap_idle_seconds: float = IMAP_IDLE_SECONDS
    pop3_idle_seconds: float = POP3_IDLE_SECONDS
    smtp_line_bytes: int = SMTP_LINE_BYTES
    imap_line_bytes: int = IMAP_LINE_BYTES
    imap_literal_bytes: int = 100 * 1024 * 1024
    imap_literal_bytes_unauthenticated: int = IMAP_LITERAL_BYTES_UNAUTHENTICATED
    message_size_bytes: int = 100 * 1024 * 1024
    tls_handshake_seconds: float = TLS_HANDSHAKE_SECONDS
    connections_per_ip: int = CONNECTIONS_PER_IP
    connections_total: int = CONNECTIONS_TOTAL
    drain_seconds: float = DRAIN_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings) -> NetLimits:
        """Limits for a server configured by ``settings`` (message size bounds APPEND literals too)."""
        size = settings.limits.message_size_bytes
        return cls(message_size_bytes=size, imap_literal_bytes=size)
