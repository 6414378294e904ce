"""Failed-login lockout: failure counters per login subject and per remote IP, temporary locks, unlock.

Rules (numbers from ``AuthLimits``):

* Every refused credential counts once for its *subject* and once for the remote IP, whatever the
  protocol (web, IMAP, POP3, SMTP, SMS code), in fixed windows of ``failure_window_minutes``.
* ``login_failures`` failures of a subject (or ``ip_failures`` of an IP) in one window lock it for
  ``lock_minutes``. A locked subject or IP is refused before its secret is even checked, so a lock
  also stops guessing. Locking clears the failure count: after the lock, the full budget is back.
* A successful login clears the subject's failure count (not the IP's: one good account behind an
  address must not launder another's guessing). An administrator can lift a lock (``unlock``);
  otherwise it expires by the clock.

Subjects: ``member_subject(id)`` for a login that names a known member (account, address or phone
all lock the same member), ``login_subject(text)`` for one that names nobody, so unknown and known
logins behave alike. Administrators and operators are locked by their login text
(``admin_subject``, ``operator_subject``), known or not, for the same reason.

Storage: the ``Counters`` port (shared by every node in scale-out mode). A lock is kept in a counter
whose value is the lock's end (Unix seconds) in one window that spans all time, so its length is
exact rather than rounded to a window boundary. Fixed failure windows let a burst that straddles a
boundary try up to ``2 x login_failures - 1`` times before the lock; the IP budget bounds that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from yunmail.auth.limits import AuthLimits
from yunmail.clock import Clock
from yunmail.errors import LoginLocked
from yunmail.storage import CounterCheck, Counters

# The lock counter's window: 2**40 s (~35,000 years) puts every plausible time in window 0.
_FOREVER = 2**40
# Failure counts are not limited by the port (the lock is our decision); this only bounds the column.
_UNBOUNDED = 2**62
_MAX_SUBJECT = 120


def member_subject(member_id: int) -> str:
    return f"member:{member_id}"


def login_subject(login: str) -> str:
    return f"login:{_bounded(login)}"


def admin_subject(login: str) -> str:
    """An administrator login (known or not): its own namespace, apart from member logins."""
    return f"admin:{_bounded(login)}"


def operator_subject(login: str) -> str:
    return f"operator:{_bounded(login)}"


def _bounded(login: str) -> str:
    text = login.strip().lower()
    if len(text) > _MAX_SUBJECT:  # the counters key column is bounded; long junk logins are hashed
        text = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text


def ip_subject(remote_ip: str) -> str:
    return f"ip:{remote_ip.strip().lower()[:_MAX_SUBJECT]}"


@dataclass(frozen=True, slots=True)
class LockStatus:
    """A subject's state for the admin console: failures in the current window and any lock."""

    subject: str
    failures: int
    locked_until: dt.datetime | None

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


class Lockout:
    def __init__(self, counters: Counters, clock: Clock, limits: AuthLimits | None = None) -> None:
        self._counters = counters
        self._clock = clock
        self._limits = limits or AuthLimits()

    @property
    def _window(self) -> int:
        return self._limits.failure_window_minutes * 60

    async def check(self, subject: str | None, remote_ip: str) -> int:
        """LoginLocked when the subject (if given) or the remote IP is locked now.

        Otherwise the subject's failures in the current window (0 without a subject), read in the
        same round trip as the locks, for ``record_success``.
        """
        now = self._clock.now().timestamp()
        keys: list[tuple[str, int]] = []
        if subject is not None:
            keys += [(_fail_key(subject), self._window), (_lock_key(subject), _FOREVER)]
        if remote_ip:
            keys.append((_lock_key(ip_subject(remote_ip)), _FOREVER))
        counts = await self._counters.peek_many(keys, now)
        for (key, _), until in zip(keys, counts, strict=True):
            if key.startswith(_LOCK_PREFIX) and until > now:
                raise LoginLocked(minutes=max(1, math.ceil((until - now) / 60)))
        return counts[0] if subject is not None else 0

    async def record_failure(self, subject: str, remote_ip: str) -> None:
        """Count one refused credential; lock the subject and/or the IP that reach their limit."""
        now = self._clock.now().timestamp()
        subjects = [(subject, self._limits.login_failures)]
        if remote_ip:
            subjects.append((ip_subject(remote_ip), self._limits.ip_failures))
        checks = [CounterCheck(_fail_key(s), 1, _UNBOUNDED, self._window) for s, _ in subjects]
        result = await self._counters.consume(checks, now)
        for (name, limit), count in zip(subjects, result.counts, strict=True):
            if count >= limit:
                await self._lock(name, now)

    async def record_success(self, subject: str, *, failures: int | None = None) -> None:
        """Clear the subject's failures; a read when there are none (the usual case), not a write.

        ``failures`` is what ``check`` returned for this login: 0 saves even the read (a failure
        counted in between then stays counted, which errs on the strict side).
        """
        if failures == 0:
            return
        now = self._clock.now().timestamp()
        if failures is not None or await self._counters.peek(_fail_key(subject), self._window, now):
            await self._counters.reset(_fail_key(subject))

    async def unlock(self, subject: str) -> None:
        """An administrator lifts the lock and clears the failures of a subject."""
        await self._counters.reset(_lock_key(subject))
        await self._counters.reset(_fail_key(subject))

    async def unlock_ip(self, remote_ip: str) -> None:
        """The operator lifts an IP lock (e.g. an office behind one NAT address)."""
        await self.unlock(ip_subject(remote_ip))

    async def status(self, subject: str) -> LockStatus:
        now = self._clock.now().timestamp()
        failures = await self._counters.peek(_fail_key(subject), self._window, now)
        until = await self._counters.peek(_lock_key(subject), _FOREVER, now)
        locked_until = dt.datetime.fromtimestamp(until, dt.UTC) if until > now else None
        return LockStatus(subject=subject, failures=failures, locked_until=locked_until)

    async def _lock(self, subject: str, now: float) -> None:
        until = math.ceil(now) + self._limits.lock_minutes * 60
        key = _lock_key(subject)
        # Reset, then add the deadline with limit == deadline: the add only succeeds on an empty
        # counter, so two racing lockers can never sum their deadlines; the loser's lock is equal.
        await self._counters.reset(key)
        await self._counters.consume([CounterCheck(key, until, until, _FOREVER)], now)
        await self._counters.reset(_fail_key(subject))


_LOCK_PREFIX = "auth:lock:"


def _fail_key(subject: str) -> str:
    return f"auth:fail:{subject}"


def _lock_key(subject: str) -> str:
    return f"{_LOCK_PREFIX}{subject}"
