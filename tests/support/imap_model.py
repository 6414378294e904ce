"""A model of one IMAP session's view of its selected mailbox, built only from what the server said.

Load tools such as Dovecot's imaptest keep such a model per session and flag every response that
contradicts it; ``tests/protocols/imap/test_concurrent_sessions_model.py`` and
``bench/imap_stress.py`` use this one. Feed it every untagged response of the selected state, in
order, with literal *data* removed (``strip_literals`` does that for clients that inline literals)::

    view = MailboxView()
    view.reset()                      # before SELECT
    for line in untagged:
        view.feed(line)
    assert not view.violations

Rules checked (each violation is recorded as a sentence, nothing raises):

* ``* n EXPUNGE`` names an existing message, 1 <= n <= count (RFC 3501 §7.4.1).
* ``* n EXISTS`` never shrinks the mailbox: only EXPUNGE/VANISHED remove messages (RFC 3501 §7.3.1).
* ``* n FETCH`` names an existing message; a message's UID never changes and UIDs strictly ascend
  with sequence numbers (RFC 3501 §2.3.1.1).
* FETCH FLAGS shows only flags announced by the last untagged ``FLAGS`` (RFC 3501 §7.2.6,
  RFC 9051 §7.3.5: a new keyword is announced before any FETCH shows it). ``\\Recent`` is exempt.
* ``* VANISHED`` (not EARLIER) names only UIDs the session has been told about (RFC 7162 §3.2.10).

Flag names compare case-insensitively (RFC 3501 §2.3.2), so the model keeps them lower-cased.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_UID = re.compile(rb"[ (]UID (\d+)")
_FLAGS = re.compile(rb"[ (]FLAGS \(([^)]*)\)")
_SIZE = re.compile(rb"[ (]RFC822\.SIZE (\d+)")
_LITERAL_END = re.compile(rb"\{(\d+)\+?\}\r\n")
_RECENT = "\\recent"


def strip_literals(line: bytes) -> bytes:
    """``line`` with each inlined literal's data dropped (its ``{n}`` marker kept)."""
    if b"}\r\n" not in line:
        return line
    out = bytearray()
    pos = 0
    while (found := _LITERAL_END.search(line, pos)) is not None:
        out += line[pos : found.start()] + b"{" + found.group(1) + b"}"
        pos = found.end() + int(found.group(1))
    out += line[pos:]
    return bytes(out)


def flag_set(text: bytes | str | Iterable[str]) -> frozenset[str]:
    """Flags from ``(\\Seen $Label1)`` text or an iterable of names, lower-cased."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if isinstance(text, str):
        text = text.strip("()").split()
    return frozenset(name.lower() for name in text)


@dataclass(slots=True)
class Entry:
    """One message as the session knows it: UID and flags once a FETCH told them."""

    uid: int | None = None
    flags: frozenset[str] | None = None
    size: int | None = None


@dataclass
class MailboxView:
    """The sequence-number map and flag knowledge of one session (see the module docstring)."""

    name: str = "session"
    entries: list[Entry] = field(default_factory=list)
    announced: frozenset[str] | None = None  # None until the first untagged FLAGS
    violations: list[str] = field(default_factory=list)
    expunged: int = 0  # EXPUNGEs and VANISHED UIDs seen, for reports

    def reset(self) -> None:
        """Forget the mailbox (a new SELECT/EXAMINE starts from nothing)."""
        self.entries = []
        self.announced = None

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def uids(self) -> list[int | None]:
        return [entry.uid for entry in self.entries]

    def violation(self, text: str) -> None:
        self.violations.append(f"{self.name}: {text}")

    # --- feeding ---------------------------------------------------------------------------------

    def feed(self, line: bytes) -> None:
        """One untagged response (``* ...``, no CRLF, literal data removed); others are ignored."""
        if not line.startswith(b"* "):
            return
        parts = line.split(b" ", 3)
        if len(parts) < 3:
            return
        word = parts[1].upper()
        if word == b"FLAGS":
            self.announced = flag_set(line[len(b"* FLAGS ") :])
        elif word == b"VANISHED":
            self._vanished(line)
        elif parts[1].isdigit():
            number = int(parts[1])
            kind = parts[2].upper()
            if kind == b"EXISTS":
                self._exists(number)
            elif kind == b"EXPUNGE":
                self._expunge(number)
            elif kind == b"FETCH":
                self._fetch(number, line)

    def feed_all(self, lines: Iterable[bytes]) -> None:
        for line in lines:
            self.feed(line)

    def _exists(self, number: int) -> None:
        if number < self.count:
            self.violation(f"EXISTS {number} shrank the mailbox from {self.count} without EXPUNGE")
            del self.entries[number:]
            return
        self.entries.extend(Entry() for _ in range(number - self.count))

    def _expunge(self, number: int) -> None:
        if not 1 <= number <= self.count:
            self.violation(f"EXPUNGE {number} outside 1:{self.count}")
            return
        del self.entries[number - 1]
        self.expunged += 1

    def _vanished(self, line: bytes) -> None:
        rest = line[len(b"* VANISHED ") :]
        earlier = rest.upper().startswith(b"(EARLIER)")
        if earlier:
            rest = rest[len(b"(EARLIER)") :]
        gone = set(expand_uid_set(rest.strip().decode()))
        known = {entry.uid for entry in self.entries}
        if not earlier and None not in known:
            unknown = gone - known
            if unknown:
                self.violation(f"VANISHED names UIDs never announced: {sorted(unknown)[:5]}")
        before = self.count
        self.entries = [entry for entry in self.entries if entry.uid not in gone]
        self.expunged += before - self.count

    def _fetch(self, number: int, line: bytes) -> None:
        if not 1 <= number <= self.count:
            self.violation(f"FETCH {number} outside 1:{self.count}: {line[:120]!r}")
            return
        entry = self.entries[number - 1]
        if (found := _UID.search(line)) is not None:
            self._set_uid(number, entry, int(found.group(1)))
        if (found := _FLAGS.search(line)) is not None:
            flags = flag_set(found.group(1))
            self._check_announced(number, flags)
            entry.flags = flags - {_RECENT}
        if (found := _SIZE.search(line)) is not None:
            size = int(found.group(1))
            if entry.size is not None and entry.size != size:
                self.violation(f"RFC822.SIZE of {number} changed from {entry.size} to {size}")
            entry.size = size

    def _set_uid(self, number: int, entry: Entry, uid: int) -> None:
        if entry.uid is not None:
            if entry.uid != uid:
                self.violation(f"message {number} changed UID from {entry.uid} to {uid}")
            return
        index = number - 1
        before = self.entries[index - 1].uid if index > 0 else None
        after = self.entries[index + 1].uid if index + 1 < self.count else None
        if (before is not None and before >= uid) or (after is not None and after <= uid):
            self.violation(f"UID {uid} of message {number} not between its neighbours {before} and {after}")
        entry.uid = uid

    def _check_announced(self, number: int, flags: frozenset[str]) -> None:
        if self.announced is None:
            self.violation(f"FETCH {number} FLAGS before any untagged FLAGS")
            return
        unannounced = flags - self.announced - {_RECENT}
        if unannounced:
            self.violation(
                f"FETCH {number} FLAGS shows {sorted(unannounced)} not announced in FLAGS "
                f"(announced: {sorted(self.announced)})"
            )

    # --- comparing with the truth ------------------------------------------------------------------

    def differences(self, real: Sequence[tuple[int, Iterable[str]]]) -> list[str]:
        """How the view differs from the mailbox's real ``(uid, flags)`` list, UID order.

        Unknown UIDs or flags (never FETCHed) are not differences; a wrong count, a wrong known UID
        or known flags that are stale are.
        """
        out: list[str] = []
        if self.count != len(real):
            out.append(f"{self.name}: {self.count} messages, the mailbox has {len(real)}")
        for number, (entry, (uid, flags)) in enumerate(zip(self.entries, real, strict=False), 1):
            if entry.uid is not None and entry.uid != uid:
                out.append(f"{self.name}: message {number} is UID {entry.uid}, the mailbox says {uid}")
            elif entry.flags is not None and entry.flags != flag_set(flags) - {_RECENT}:
                out.append(
                    f"{self.name}: UID {uid} flags {sorted(entry.flags)}, "
                    f"the mailbox has {sorted(flag_set(flags))}"
                )
        return out


def expand_uid_set(text: str) -> list[int]:
    """``1:3,7`` -> [1, 2, 3, 7] (no ``*``: servers send explicit UIDs in VANISHED)."""
    out: list[int] = []
    for part in text.split(","):
        if not part:
            continue
        low, _, high = part.partition(":")
        first, last = int(low), int(high or low)
        out.extend(range(min(first, last), max(first, last) + 1))
    return out


@dataclass
class UidFacts:
    """What every session of one mailbox was told about a UID; immutable facts must agree.

    RFC 3501 §2.3.1.1: a UID names one message for the life of the UIDVALIDITY, so its size is the
    same in every session and in every FETCH.
    """

    sizes: dict[int, int] = field(default_factory=dict)

    def size(self, uid: int, size: int) -> str | None:
        """Record ``uid``'s size; a sentence when it contradicts an earlier answer."""
        known = self.sizes.setdefault(uid, size)
        if known != size:
            return f"UID {uid}: size {size}, earlier {known}"
        return None
