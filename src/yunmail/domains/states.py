"""The domain verification state machine (PRODUCT §4): which stored state a check verdict leads to.

Stored states: ``pending`` (nothing proven yet), ``ownership-verified`` (the ``_dnsauth`` token or an
earlier ownership check passed), ``verified`` (fully verified: mail flows on the Internet; other
packages test exactly this word together with mode ``full``) and ``broken`` (was verified, a later
check failed; the reason is kept with the record status).

Rules, as pure functions so every caller (on-demand check, background worker, CLI) agrees:

* a check whose verdict is ``unknown`` (DNS trouble) never changes the state;
* a passing check moves to the mode's verified state (ownership -> ``ownership-verified``,
  full -> ``verified``), also out of ``broken``;
* a failing check leaves ``pending`` pending; breaks a verified domain; and keeps an
  ``ownership-verified`` domain that is being upgraded to full mode at ``ownership-verified``
  (its full records are simply not there yet) but breaks it when its ownership record vanished.
"""

from __future__ import annotations

from yunmail.domains.verify import DomainState

__all__ = [
    "BROKEN",
    "OWNERSHIP_VERIFIED",
    "PENDING",
    "STATES",
    "VERIFIED",
    "is_settled",
    "next_state",
    "verified_state",
]

PENDING = "pending"
OWNERSHIP_VERIFIED = "ownership-verified"
VERIFIED = "verified"
BROKEN = "broken"
STATES = (PENDING, OWNERSHIP_VERIFIED, VERIFIED, BROKEN)

_FULL = "full"


def verified_state(mode: str) -> str:
    """The state a passing check reaches in ``mode``."""
    return VERIFIED if mode == _FULL else OWNERSHIP_VERIFIED


def next_state(current: str, mode: str, verdict: DomainState) -> str:
    """The stored state after a check of a ``mode`` domain in state ``current`` ended with ``verdict``."""
    if verdict is DomainState.UNKNOWN:
        return current
    if verdict is DomainState.VERIFIED:
        return verified_state(mode)
    if current == VERIFIED:
        return BROKEN
    if current == OWNERSHIP_VERIFIED:
        # Upgrading to full mode: ownership stays proven while the full records are being published.
        return OWNERSHIP_VERIFIED if mode == _FULL else BROKEN
    return current  # pending stays pending; broken stays broken


def is_settled(state: str, mode: str) -> bool:
    """Has the domain reached its mode's goal (re-checked daily rather than on the early ladder)?"""
    return state == verified_state(mode)
