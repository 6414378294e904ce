"""Sending limits (PRODUCT §7): recipients per message and rate windows, checked as one atomic step.

Rules:

* At most ``max_recipients`` (400) recipients (To + Cc + Bcc) per message.
* A member sending as its own address (or an alias of it): ``burst_limit`` (500) per 15 minutes
  and ``daily_limit`` (1000) per day. Sending as a shared mailbox counts against that mailbox's
  ``shared_daily_limit`` (2000) per day instead. Every message also counts against the
  enterprise-wide ``enterprise_daily_ceiling``, which protects the platform's reputation.
* What is counted is recipients: a message to 30 people uses 30 of each window. That is the
  reading that stops bulk mail (one message to 400 addresses is 400 deliveries).
* All windows are checked and charged in one ``Counters.consume`` call, which adds everything or
  nothing: a refused message uses no quota, and parallel sessions cannot overrun a window because
  the counter backend serialises the check-and-add. ``refund`` gives a charge back when the
  message could not be stored after all (the client will retry).

Windows are fixed and aligned to UTC (a "day" runs from 00:00 UTC). Defaults are overridden per
enterprise by the numeric enterprise settings ``max_recipients``, ``burst_send_limit``,
``daily_send_limit``, ``shared_daily_send_limit`` and ``outbound_daily_ceiling``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from yunmail.clock import Clock
from yunmail.errors import (
    DailySendLimitReached,
    EnterpriseSendCeilingReached,
    RecipientLimitExceeded,
    SendRateLimited,
    TooManyRecipients,
)
from yunmail.storage import CounterCheck, Counters

BURST_WINDOW_SECONDS = 15 * 60
DAY_SECONDS = 24 * 60 * 60

# Enterprise setting key -> SendingLimits field.
_SETTING_FIELDS = {
    "max_recipients": "max_recipients",
    "burst_send_limit": "burst_limit",
    "daily_send_limit": "daily_limit",
    "shared_daily_send_limit": "shared_daily_limit",
    "outbound_daily_ceiling": "enterprise_daily_ceiling",
}


@dataclass(frozen=True, slots=True)
class SendingLimits:
    max_recipients: int = 400
    burst_limit: int = 500
    burst_window_seconds: int = BURST_WINDOW_SECONDS
    daily_limit: int = 1000
    shared_daily_limit: int = 2000
    enterprise_daily_ceiling: int = 50_000

    def with_enterprise_settings(self, settings: Mapping[str, Any]) -> SendingLimits:
        """These limits with the enterprise's overrides applied (non-positive or odd values ignored)."""
        changes: dict[str, int] = {}
        for key, name in _SETTING_FIELDS.items():
            value = settings.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                changes[name] = value
        return dataclasses.replace(self, **changes) if changes else self


@dataclass(frozen=True, slots=True)
class SendingAccount:
    """Whose windows a message is charged to."""

    enterprise_id: int
    member_id: int
    shared_mailbox_id: int | None = None  # set when sending as a shared mailbox


@dataclass(frozen=True, slots=True)
class Charge:
    """What ``consume`` added, so that ``refund`` can give exactly that back."""

    checks: tuple[CounterCheck, ...]
    at: float


class SendingPolicy:
    """The one place that decides whether a member may send a message now."""

    def __init__(self, counters: Counters, clock: Clock, defaults: SendingLimits | None = None) -> None:
        self._counters = counters
        self._clock = clock
        self.defaults = defaults or SendingLimits()

    def limits_for(self, enterprise_settings: Mapping[str, Any]) -> SendingLimits:
        return self.defaults.with_enterprise_settings(enterprise_settings)

    @staticmethod
    def check_recipient_count(count: int, limits: SendingLimits) -> None:
        """Refuse the recipient that would be number ``count`` (RCPT time: 452, the client may retry)."""
        if count > limits.max_recipients:
            raise TooManyRecipients(limit=limits.max_recipients)

    async def consume(self, account: SendingAccount, recipients: int, limits: SendingLimits) -> Charge:
        """Charge ``recipients`` to every window of ``account``, all or nothing; raise when one is full."""
        if recipients > limits.max_recipients:
            raise RecipientLimitExceeded(limit=limits.max_recipients)
        checks = self._checks(account, recipients, limits)
        now = self._clock.now().timestamp()
        result = await self._counters.consume(list(checks), now)
        if not result.allowed:
            raise self._refusal(result.refused_key or "", account, limits)
        return Charge(checks, now)

    async def refund(self, charge: Charge) -> None:
        """Give a charge back (the message was not stored); a negative amount always fits.

        Windows that have rolled over since the charge are left alone: writing into them would
        replace the new window's count with the old one's.
        """
        now = self._clock.now().timestamp()
        back = [
            dataclasses.replace(c, amount=-c.amount)
            for c in charge.checks
            if int(now // c.window_seconds) == int(charge.at // c.window_seconds)
        ]
        if back:
            await self._counters.consume(back, now)

    @staticmethod
    def _checks(account: SendingAccount, amount: int, limits: SendingLimits) -> tuple[CounterCheck, ...]:
        enterprise = CounterCheck(
            _key("e", account.enterprise_id, "day"), amount, limits.enterprise_daily_ceiling, DAY_SECONDS
        )
        if account.shared_mailbox_id is not None:
            shared = CounterCheck(
                _key("s", account.shared_mailbox_id, "day"), amount, limits.shared_daily_limit, DAY_SECONDS
            )
            return (shared, enterprise)
        burst = CounterCheck(
            _key("m", account.member_id, "burst"), amount, limits.burst_limit, limits.burst_window_seconds
        )
        daily = CounterCheck(_key("m", account.member_id, "day"), amount, limits.daily_limit, DAY_SECONDS)
        return (burst, daily, enterprise)

    @staticmethod
    def _refusal(key: str, account: SendingAccount, limits: SendingLimits) -> Exception:
        if key == _key("m", account.member_id, "burst"):
            return SendRateLimited(limit=limits.burst_limit, minutes=limits.burst_window_seconds // 60)
        if key == _key("m", account.member_id, "day"):
            return DailySendLimitReached(limit=limits.daily_limit)
        if account.shared_mailbox_id is not None and key == _key("s", account.shared_mailbox_id, "day"):
            return DailySendLimitReached(limit=limits.shared_daily_limit)
        return EnterpriseSendCeilingReached(limit=limits.enterprise_daily_ceiling)


def _key(kind: str, ident: int, window: str) -> str:
    return f"send:{kind}:{ident}:{window}"
