"""Search contexts kept up to date (RFC 5267 §4: ``RETURN (UPDATE)``, ADDTO/REMOVEFROM, CANCELUPDATE).

A SEARCH or SORT with UPDATE leaves a context behind: its criteria and its current result as
UIDs in result order. Whenever the session is about to report changes of the selected mailbox,
each context is evaluated again and the difference goes out as ``* ESEARCH (TAG "t") [UID]
REMOVEFROM (...)`` / ``ADDTO (...)``. This happens before EXPUNGE responses (so a removed
message is still numbered) and again after EXISTS (so a new message has a number).

Positions: an unsorted context reports position 0, as Dovecot does; a SORT context reports
each message's 1-based position in the old (REMOVEFROM) or new (ADDTO) order (RFC 5267 §4.3).
Contexts belong to one selected mailbox and end with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from yunmail.protocols.imap.commands import Outcome, no, ok
from yunmail.protocols.imap.wire import commands, responses
from yunmail.protocols.imap.wire import search_keys as k

if TYPE_CHECKING:
    from yunmail.protocols.imap.selected import SelectedView
    from yunmail.protocols.imap.session import Session

MAX_CONTEXTS = 16  # per session; more UPDATE requests are answered without keeping a context


@dataclass(slots=True)
class _Context:
    tag: str
    uid: bool
    criteria: k.SearchKey
    sort: commands.Sort | None  # None: an unsorted SEARCH context
    result: list[int]  # UIDs in result order


@dataclass(slots=True)
class SearchContexts:
    """The live contexts of one session (empty for nearly every session)."""

    view: SelectedView | None = None
    items: dict[str, _Context] = field(default_factory=dict)
    _state: tuple[int, ...] = ()

    def add(self, session: Session, context: _Context) -> bool:
        self.follow(session)
        if len(self.items) >= MAX_CONTEXTS and context.tag not in self.items:
            return False
        self.items[context.tag] = context
        self._state = self._snapshot(session)
        return True

    def cancel(self, tags: tuple[str, ...]) -> bool:
        if any(t not in self.items for t in tags):
            return False
        for t in tags:
            del self.items[t]
        return True

    def follow(self, session: Session) -> None:
        """Drop the contexts of a mailbox that is no longer selected."""
        if self.view is not session.view:
            self.view = session.view
            self.items.clear()

    @staticmethod
    def _snapshot(session: Session) -> tuple[int, ...]:
        view = session.view
        if view is None:
            return ()
        own = max(view.own_modseqs, default=0)
        return (view.modseq, own, len(view.uids), len(view.expunged), len(view.pending_new))

    async def update(self, session: Session, *, force: bool = False) -> None:
        """Send ADDTO/REMOVEFROM for every context whose result changed."""
        self.follow(session)
        if not self.items:
            return
        state = self._snapshot(session)
        if state == self._state and not force:
            return
        self._state = state
        for context in list(self.items.values()):
            await _refresh(session, context)


async def current_result(session: Session, context: _Context) -> list[int]:
    # Imported here: sort_thread imports search, which this module must not import at load time.
    from yunmail.protocols.imap.commands.search import matching_uids
    from yunmail.protocols.imap.commands.sort_thread import sorted_messages

    if context.sort is not None:
        return [m.uid for m in await sorted_messages(session, context.sort)]
    uids, _ = await matching_uids(session, context.criteria)
    return uids


async def _refresh(session: Session, context: _Context) -> None:
    view = session.view
    assert view is not None
    old = context.result
    new = await current_result(session, context)
    if new == old:
        return
    context.result = new
    new_set, old_set = set(new), set(old)

    def number(uid: int) -> int | None:
        return uid if context.uid else view.seq_of(uid)

    removed = [(i + 1, n) for i, u in enumerate(old) if u not in new_set and (n := number(u)) is not None]
    added = [(i + 1, n) for i, u in enumerate(new) if u not in old_set and (n := number(u)) is not None]
    Pairs = tuple[tuple[int, tuple[int, ...]], ...]
    removefrom: Pairs
    addto: Pairs
    if context.sort is None:
        removefrom = ((0, tuple(sorted(n for _, n in removed))),) if removed else ()
        addto = ((0, tuple(sorted(n for _, n in added))),) if added else ()
    else:
        removefrom = tuple((pos, (n,)) for pos, n in reversed(removed))
        addto = tuple((pos, (n,)) for pos, n in added)
    if removefrom:
        session.send(responses.ESearch(tag=context.tag, uid=context.uid, removefrom=removefrom))
    if addto:
        session.send(responses.ESearch(tag=context.tag, uid=context.uid, addto=addto))


def remember(
    session: Session,
    tag: str,
    uid: bool,
    criteria: k.SearchKey,
    sort: commands.Sort | None,
    result: list[int],
) -> bool:
    """Keep a context for ``RETURN (UPDATE)``; False when the session holds too many already."""
    return session.search_contexts.add(session, _Context(tag, uid, criteria, sort, list(result)))


async def cancelupdate(session: Session, command: commands.CancelUpdate) -> Outcome:
    """RFC 5267 §4.2 CANCELUPDATE; an unknown tag is refused, as Dovecot does."""
    contexts = session.search_contexts
    contexts.follow(session)
    if not contexts.cancel(command.tags):
        return no("unknown search context tag")
    return ok("CANCELUPDATE completed")
