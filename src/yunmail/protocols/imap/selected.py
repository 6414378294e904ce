"""The selected mailbox as one session sees it: seq <-> UID map and the untagged updates it still owes.

A `SelectedView` is the session's own copy of the folder's message list (pymap ``SelectedMailbox``
style, owned by the session as in mox). The store's change feed only wakes it; the session then
reads ``changes_since(view.modseq)`` and hands the `ChangeSet` to `apply`. `take_updates` turns
what is pending into untagged responses at the moments the RFC allows.

Invariants:

* ``uids`` is ascending and is exactly the client's view: message sequence number ``n`` is
  ``uids[n-1]``. A message expunged by someone else stays in ``uids`` (in ``expunged``) until its
  EXPUNGE/VANISHED is sent, because the client's sequence numbers must not shift during FETCH,
  STORE and SEARCH (RFC 9051 §7.4.1). New messages wait in ``pending_new`` until EXISTS is sent.
* ``modseq`` only advances through `apply` (never through the session's own writes), so a change
  committed by another session before ours is never skipped. Own writes are remembered in
  ``own_modseqs`` so their flag changes are not announced twice.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from yunmail.mailstore import ChangeSet, MessageFlags
from yunmail.protocols.imap.wire import codes, responses
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.sequence_set import SequenceSet
from yunmail.protocols.imap.wire.values import RawAtom

RECENT = "\\Recent"
SYSTEM_FLAG_ORDER = ("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft")


def sorted_flags(flags: Iterable[str]) -> tuple[str, ...]:
    """``\\Recent`` and system flags first in a fixed order, then keywords alphabetically."""
    names = set(flags)
    system = [f for f in (RECENT, *SYSTEM_FLAG_ORDER) if f in names]
    return (*system, *sorted(names - set(system), key=str.lower))


def fetch_flags(seq: int, uid: int, flags: Iterable[str], modseq: int | None) -> responses.Fetch:
    items: list[tuple[str, object]] = [
        ("UID", uid),
        ("FLAGS", tuple(RawAtom(f) for f in sorted_flags(flags))),
    ]
    if modseq is not None:
        items.append(("MODSEQ", (modseq,)))
    return responses.Fetch(seq, tuple(items))  # type: ignore[arg-type]


@dataclass(slots=True)
class SelectedView:
    folder_id: int
    name: str
    readonly: bool
    uidvalidity: int
    modseq: int
    uids: list[int]
    expunged: set[int] = field(default_factory=set)
    pending_new: list[int] = field(default_factory=list)
    pending_flags: dict[int, MessageFlags] = field(default_factory=dict)
    own_modseqs: set[int] = field(default_factory=set)
    saved: tuple[int, ...] = ()  # SEARCHRES (RFC 5182): UIDs of the last SEARCH ... SAVE
    dirty: bool = False
    # Keywords the client was told about in FLAGS (lower case -> spelling sent).
    keywords: dict[str, str] = field(default_factory=dict)
    # IMAP4rev1 \\Recent (RFC 3501 §2.3.2): UIDs recent in this session; ``recent_next`` is the
    # first UID not yet looked at. Sessions with IMAP4rev2 enabled do not track it.
    rev1: bool = True
    recent: set[int] = field(default_factory=set)
    recent_next: int = 1

    def flags_of(self, uid: int, flags: Iterable[str]) -> frozenset[str]:
        """The flags a FETCH shows: the stored ones plus the session flag ``\\Recent``."""
        if uid in self.recent:
            return frozenset((*flags, RECENT))
        return frozenset(flags)

    def unexamined_recent(self) -> list[int]:
        """New UIDs (pending or listed) whose recency was not decided yet."""
        if not self.rev1:
            return []
        return [u for u in (*self.uids, *self.pending_new) if u >= self.recent_next]

    def add_recent(self, uids: Iterable[int], first_recent: int, upto: int) -> None:
        self.recent.update(u for u in uids if u >= first_recent)
        self.recent_next = max(self.recent_next, upto)

    # --- FLAGS -----------------------------------------------------------------------------------

    def flag_responses(self) -> list[responses.Response]:
        """``* FLAGS`` and ``* OK [PERMANENTFLAGS]`` for the keywords announced so far."""
        flags = (*SYSTEM_FLAG_ORDER, *sorted(self.keywords.values(), key=str.lower))
        permanent = () if self.readonly else (*flags, "\\*")
        return [
            responses.Flags(flags),
            responses.Untagged("OK", "permanent flags", codes.ResponseCode.permanentflags(permanent)),
        ]

    def announce(self, flags: Iterable[str]) -> list[responses.Response]:
        """FLAGS updates owed before ``flags`` may appear in a FETCH (RFC 3501 §7.2.6, RFC 9051
        §7.3.5: a keyword is defined by FLAGS first); empty when every keyword is known."""
        fresh = False
        for flag in flags:
            if not flag.startswith("\\") and flag.lower() not in self.keywords:
                self.keywords[flag.lower()] = flag
                fresh = True
        return self.flag_responses() if fresh else []

    # --- numbers ---------------------------------------------------------------------------------

    @property
    def exists(self) -> int:
        return len(self.uids)

    def seq_of(self, uid: int) -> int | None:
        i = bisect.bisect_left(self.uids, uid)
        return i + 1 if i < len(self.uids) and self.uids[i] == uid else None

    def live(self, uid: int) -> bool:
        return uid not in self.expunged and self.seq_of(uid) is not None

    def resolve(self, numbers: SequenceSet, *, uid: bool) -> list[tuple[int, int]]:
        """``(seq, uid)`` of the live messages ``numbers`` names, ascending.

        A message sequence number beyond EXISTS is a client error (RFC 9051 §6.4.5 "BAD");
        UID sets simply match what exists (RFC 9051 §6.4.9). ``$`` is the saved search result.
        """
        if numbers.saved:
            found = [u for u in self.saved if self.live(u)]
            return [(s, u) for u in found if (s := self.seq_of(u)) is not None]
        if uid:
            chosen = numbers.select(self.uids)
            return [(s, u) for u in chosen if u not in self.expunged and (s := self.seq_of(u)) is not None]
        highest = numbers.max_number()
        if highest is not None and highest > len(self.uids):
            raise WireError("invalid message sequence number")
        if not self.uids:
            return []
        out: list[tuple[int, int]] = []
        for seq in numbers.iter_numbers(len(self.uids)):
            u = self.uids[seq - 1]
            if u not in self.expunged:
                out.append((seq, u))
        return out

    # --- changes ---------------------------------------------------------------------------------

    def apply(self, changes: ChangeSet) -> None:
        """Take in what the store says changed since ``modseq``."""
        known_max = max(self.uids[-1] if self.uids else 0, self.pending_new[-1] if self.pending_new else 0)
        fresh: list[int] = []
        top = changes.highestmodseq
        for item in changes.changed:
            top = max(top, item.modseq)
            if item.uid > known_max:
                fresh.append(item.uid)
            elif item.modseq not in self.own_modseqs and self.live(item.uid):
                self.pending_flags[item.uid] = item
        self.pending_new.extend(sorted(set(fresh)))
        gone = set(changes.vanished)
        if gone:
            self.pending_new = [u for u in self.pending_new if u not in gone]
            self.recent -= {u for u in gone if self.seq_of(u) is None}
            for u in gone:
                if self.seq_of(u) is not None:
                    self.expunged.add(u)
                    self.pending_flags.pop(u, None)
        self.modseq = max(self.modseq, top)
        self.own_modseqs = {m for m in self.own_modseqs if m > self.modseq}

    def remember_own(self, modseq: int) -> None:
        if modseq > self.modseq:
            self.own_modseqs.add(modseq)

    def remove(self, uids: Iterable[int]) -> list[int]:
        """Drop messages now (own EXPUNGE/MOVE); returns their sequence numbers, highest first."""
        seqs = sorted((s for u in set(uids) if (s := self.seq_of(u)) is not None), reverse=True)
        for seq in seqs:
            u = self.uids.pop(seq - 1)
            self.expunged.discard(u)
            self.pending_flags.pop(u, None)
            self.recent.discard(u)
        return seqs

    def take_updates(
        self, *, allow_expunge: bool, vanished: bool, condstore: bool
    ) -> list[responses.Response]:
        """Untagged responses for what is pending: expunges (if allowed), EXISTS, flag changes."""
        out: list[responses.Response] = []
        if allow_expunge and self.expunged:
            gone = sorted(self.expunged)
            if vanished:
                # RFC 7162 §3.2.10: with QRESYNC enabled, VANISHED replaces EXPUNGE.
                self.remove(gone)
                out.append(responses.Vanished(SequenceSet.of(gone)))
            else:
                out.extend(responses.Expunge(seq) for seq in self.remove(gone))
        if self.pending_new:
            self.uids.extend(self.pending_new)
            self.pending_new.clear()
            out.append(responses.Exists(len(self.uids)))
            if self.rev1:
                out.append(responses.Recent(len(self.recent)))
        if self.pending_flags:
            for u in sorted(self.pending_flags):
                seq = self.seq_of(u)
                change = self.pending_flags[u]
                if seq is not None and u not in self.expunged:
                    out.extend(self.announce(change.flags))
                    flags = self.flags_of(u, change.flags)
                    out.append(fetch_flags(seq, u, flags, change.modseq if condstore else None))
            self.pending_flags.clear()
        return out

    def uid_set(self, uids: Sequence[int]) -> SequenceSet | None:
        return SequenceSet.of(uids) if uids else None
