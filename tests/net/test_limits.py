"""Connection limits derived from settings."""

from __future__ import annotations

from yunmail.config import load_settings
from yunmail.net import NetLimits


def test_message_size_setting_bounds_imap_literals() -> None:
    settings = load_settings(env={"YUNMAIL_LIMITS_MESSAGE_SIZE_BYTES": "1048576"})

    limits = NetLimits.from_settings(settings)

    assert (limits.message_size_bytes, limits.imap_literal_bytes) == (1048576, 1048576)


def test_idle_timeouts_meet_the_rfc_minimums() -> None:
    limits = NetLimits()

    assert (limits.smtp_idle_seconds, limits.imap_idle_seconds, limits.pop3_idle_seconds) == (300, 1800, 600)
