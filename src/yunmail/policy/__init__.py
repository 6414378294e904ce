"""Sending limits: recipients per message and per-member, shared-mailbox and enterprise rate windows.

``SendingPolicy.consume`` is the one atomic check every sending path calls (``limits`` module).
"""

from yunmail.policy.limits import (
    BURST_WINDOW_SECONDS,
    DAY_SECONDS,
    Charge,
    SendingAccount,
    SendingLimits,
    SendingPolicy,
)

__all__ = [
    "BURST_WINDOW_SECONDS",
    "DAY_SECONDS",
    "Charge",
    "SendingAccount",
    "SendingLimits",
    "SendingPolicy",
]
