"""NOTIFY (RFC 5465): unsolicited notices about the selected mailbox and other folders of the mailbox.

Supported events: MessageNew, MessageExpunge, FlagChange, MailboxName, SubscriptionChange, for the
filters SELECTED, SELECTED-DELAYED, INBOXES (our INBOX), PERSONAL (every folder), SUBSCRIBED,
SUBTREE and MAILBOXES. What is sent (RFC 5465 §5):

* selected mailbox (SELECTED group): the usual EXISTS / EXPUNGE / FETCH, as soon as they happen
  (SELECTED-DELAYED holds EXPUNGE back to the command boundaries RFC 9051 §7.4.1 allows);
* other folders: ``* STATUS name (MESSAGES n UIDNEXT n UIDVALIDITY n [HIGHESTMODSEQ n])`` when
  their counts (MessageNew/MessageExpunge) or, with FlagChange, their HIGHESTMODSEQ moved;
* MailboxName: ``* LIST`` for a new folder, ``(\\NonExistent)`` for a deleted one, ``OLDNAME`` for
  a renamed one; SubscriptionChange: ``* LIST`` with or without ``\\Subscribed``.

The session listens to the whole mailbox's change feed while NOTIFY is set; a notice only marks
the notifier pending and wakes the connection, and `Notifier.deliver` compares fresh folder state
with the last one it reported. ``MessageNew (fetch-att...)`` on the selected mailbox adds a FETCH
of those items for each new message after its EXISTS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from yunmail.mailstore import INBOX, SEPARATOR, Change, Folder
from yunmail.protocols.imap.commands import Outcome, bad, fetch, no, ok
from yunmail.protocols.imap.wire import codes, commands, responses
from yunmail.protocols.imap.wire.fetch_items import FetchItem, parse_fetch_items
from yunmail.protocols.imap.wire.sequence_set import SequenceSet
from yunmail.protocols.imap.wire.values import RenderValue

if TYPE_CHECKING:
    from yunmail.protocols.imap.feeds import FeedHandle
    from yunmail.protocols.imap.session import Session

SUPPORTED = ("MessageNew", "MessageExpunge", "FlagChange", "MailboxName", "SubscriptionChange")
KNOWN = (*SUPPORTED, "AnnotationChange", "MailboxMetadataChange", "ServerMetadataChange")
_CANONICAL = {name.upper(): name for name in KNOWN}
_SELECTED = ("SELECTED", "SELECTED-DELAYED")


@dataclass(frozen=True, slots=True)
class Group:
    filter: str
    mailboxes: tuple[str, ...]
    events: frozenset[str]
    fetch_items: tuple[FetchItem, ...] = ()

    def covers(self, name: str, subscribed: set[str]) -> bool:
        """Whether this (non-SELECTED) filter names the folder ``name`` (RFC 5465 §6)."""
        if self.filter == "PERSONAL":
            return True
        if self.filter == "INBOXES":
            return name == INBOX
        if self.filter == "SUBSCRIBED":
            return name in subscribed
        if self.filter == "MAILBOXES":
            return name in self.mailboxes
        return any(name == m or name.startswith(m + SEPARATOR) for m in self.mailboxes)  # SUBTREE


@dataclass(frozen=True, slots=True)
class Seen:
    """What was last reported (or taken as known) about one folder."""

    name: str
    messages: int
    uidnext: int
    uidvalidity: int
    highestmodseq: int
    subscribed: bool


@dataclass(slots=True)
class Notifier:
    groups: tuple[Group, ...]
    feed: FeedHandle | None = None
    known: dict[int, Seen] = field(default_factory=dict)
    orphans: set[str] = field(default_factory=set)
    pending: bool = False
    fetched: tuple[int, int] = (0, 0)  # (folder id, highest UID) MessageNew's FETCH has covered

    @property
    def selected_group(self) -> Group | None:
        return next((g for g in self.groups if g.filter in _SELECTED), None)

    def group_for(self, name: str, subscribed: set[str]) -> Group | None:
        """The first non-SELECTED group naming ``name`` (its events apply)."""
        return next(
            (g for g in self.groups if g.filter not in _SELECTED and g.covers(name, subscribed)), None
        )

    def on_change(self, change: Change) -> None:
        self.pending = True


def _validate(group: commands.NotifyGroup) -> tuple[Group | None, Outcome | None]:
    events: set[str] = set()
    for event in group.events:
        canonical = _CANONICAL.get(event.upper())
        if canonical is None or canonical not in SUPPORTED:
            # RFC 5465 §3.1: an unsupported event is NO [BADEVENT (what we support)].
            return None, no(
                f"unsupported event {event[:40]}", codes.ResponseCode("BADEVENT", f"({' '.join(SUPPORTED)})")
            )
        events.add(canonical)
    if ("MessageNew" in events) != ("MessageExpunge" in events):
        return None, bad("MessageNew and MessageExpunge go together")
    if "FlagChange" in events and "MessageNew" not in events:
        return None, bad("FlagChange needs MessageNew and MessageExpunge")
    items: tuple[FetchItem, ...] = ()
    if group.fetch_items:
        items = parse_fetch_items("(" + " ".join(group.fetch_items) + ")")
    return Group(group.filter, group.mailboxes, frozenset(events), items), None


def _status_items(folder: Folder, group: Group) -> tuple[tuple[str, RenderValue], ...]:
    items: list[tuple[str, RenderValue]] = [
        ("MESSAGES", folder.messages),
        ("UIDNEXT", folder.uidnext),
        ("UIDVALIDITY", folder.uidvalidity),
    ]
    if "FlagChange" in group.events:
        items.append(("HIGHESTMODSEQ", folder.highestmodseq))
    return tuple(items)


def _seen(folder: Folder, subscribed: set[str]) -> Seen:
    return Seen(
        folder.name,
        folder.messages,
        folder.uidnext,
        folder.uidvalidity,
        folder.highestmodseq,
        folder.name in subscribed,
    )


async def notify(session: Session, command: commands.Notify) -> Outcome:
    await stop(session)
    if command.groups is None:
        return ok("NOTIFY completed")
    groups: list[Group] = []
    for raw in command.groups:
        group, refusal = _validate(raw)
        if refusal is not None:
            return refusal
        assert group is not None
        if group.events:
            groups.append(group)
    notifier = Notifier(tuple(groups))
    folders = await session.store.list_folders(session.mailbox_id)
    subscribed = set(await session.store.list_subscriptions(session.mailbox_id))
    notifier.known = {f.id: _seen(f, subscribed) for f in folders}
    notifier.orphans = subscribed - {f.name for f in folders}
    if command.status:
        # RFC 5465 §3: with STATUS, the current state of every folder the groups watch.
        view = session.view
        for folder in sorted(folders, key=lambda f: f.name):
            group = notifier.group_for(folder.name, subscribed)
            if group is None or "MessageNew" not in group.events:
                continue
            if view is not None and view.folder_id == folder.id:
                continue  # the selected mailbox is reported through EXISTS/EXPUNGE/FETCH
            session.send(responses.StatusData(folder.name, _status_items(folder, group)))
    if session.view is not None:
        notifier.fetched = (session.view.folder_id, session.view.uids[-1] if session.view.uids else 0)
    notifier.feed = await session.deps.feeds.attach(session.mailbox_id, session.on_notify_change)
    session.notifier = notifier
    return ok("NOTIFY completed")


async def stop(session: Session) -> None:
    notifier, session.notifier = session.notifier, None
    if notifier is not None and notifier.feed is not None:
        await notifier.feed.close()


async def _fetch_new(session: Session, notifier: Notifier, group: Group) -> None:
    """RFC 5465 §5.2: ``MessageNew (fetch-att...)`` sends a FETCH of those items for each new message
    of the selected mailbox, after its EXISTS."""
    view = session.view
    assert view is not None
    top = view.uids[-1] if view.uids else 0
    folder_id, covered = notifier.fetched
    notifier.fetched = (view.folder_id, top)
    if folder_id != view.folder_id or not group.fetch_items or top <= covered:
        return  # a new selection: SELECT itself described what is there
    fresh = [u for u in view.uids if u > covered]
    await fetch.fetch(session, commands.Fetch("*", SequenceSet.of(fresh), group.fetch_items, uid=True))


async def deliver(session: Session, *, in_command: bool) -> None:
    """Send what changed since the last delivery (called between commands and while idle)."""
    notifier = session.notifier
    if notifier is None:
        return
    selected = notifier.selected_group
    view = session.view
    if not in_command and selected is not None and view is not None and view.dirty:
        await session.send_updates(allow_expunge=selected.filter == "SELECTED")
    if selected is not None and view is not None:
        await _fetch_new(session, notifier, selected)
    if not notifier.pending:
        return
    notifier.pending = False
    folders = await session.store.list_folders(session.mailbox_id)
    subscribed = set(await session.store.list_subscriptions(session.mailbox_id))
    current = {f.id: f for f in folders}
    for folder_id, before in list(notifier.known.items()):
        folder = current.get(folder_id)
        if folder is None:
            group = notifier.group_for(before.name, subscribed)
            if group is not None and "MailboxName" in group.events:
                session.send(responses.ListItem(before.name, SEPARATOR, ("\\NonExistent",)))
            del notifier.known[folder_id]
    for folder in sorted(folders, key=lambda f: f.name):
        before_seen = notifier.known.get(folder.id)
        after = _seen(folder, subscribed)
        notifier.known[folder.id] = after
        group = notifier.group_for(folder.name, subscribed)
        if group is None:
            continue
        if before_seen is None or before_seen.name != folder.name:
            if "MailboxName" in group.events:
                old = None if before_seen is None else before_seen.name
                session.send(responses.ListItem(folder.name, SEPARATOR, (), old_name=old))
            continue
        if before_seen.subscribed != after.subscribed and "SubscriptionChange" in group.events:
            attrs: tuple[str, ...] = ("\\Subscribed",) if after.subscribed else ()
            session.send(responses.ListItem(folder.name, SEPARATOR, attrs))
        if view is not None and view.folder_id == folder.id:
            continue  # the selected mailbox speaks through EXISTS/EXPUNGE/FETCH, never STATUS
        counts_moved = (before_seen.messages, before_seen.uidnext) != (after.messages, after.uidnext)
        flags_moved = before_seen.highestmodseq != after.highestmodseq
        if ("MessageNew" in group.events and counts_moved) or ("FlagChange" in group.events and flags_moved):
            session.send(responses.StatusData(folder.name, _status_items(folder, group)))
    orphans = subscribed - set(current_names := {f.name for f in folders})
    for name in sorted(orphans ^ notifier.orphans):
        group = notifier.group_for(name, subscribed | notifier.orphans)
        if group is not None and "SubscriptionChange" in group.events and name not in current_names:
            attrs = ("\\Subscribed", "\\NonExistent") if name in orphans else ("\\NonExistent",)
            session.send(responses.ListItem(name, SEPARATOR, attrs))
    notifier.orphans = orphans
