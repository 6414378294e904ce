"""SMTP front doors: MX (25), submission (587 STARTTLS) and implicit TLS (465) on aiosmtpd.

Layout: ``server`` (the only aiosmtpd importer: protocol class, hooks, listeners), ``session``
(per-connection state, path/parameter parsing, message-byte checks), ``mx`` and ``submission``
(each port's policy, delegating to ``delivery``), ``replies`` (catalogue error -> SMTP reply).
"""

from yunmail.protocols.smtp.server import (
    SmtpContext,
    SmtpListeners,
    SmtpStats,
    smtp_listener_specs,
    start_smtp,
)
from yunmail.protocols.smtp.session import SmtpSettings

__all__ = [
    "SmtpContext",
    "SmtpListeners",
    "SmtpSettings",
    "SmtpStats",
    "smtp_listener_specs",
    "start_smtp",
]
