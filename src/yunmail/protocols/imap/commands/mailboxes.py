"""Folder commands: CREATE, DELETE, RENAME, (UN)SUBSCRIBE, LIST (EXTENDED, STATUS, SPECIAL-USE), LSUB, STATUS.

The hierarchy delimiter is ``/``; names are the store's Unicode names (the codec did the modified
UTF-7 / UTF-8 decoding). Special-use attributes come from the folder roles (RFC 6154 §2); the
store's Virus quarantine has no standard attribute and is listed as a plain folder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from yunmail.mailstore import DELETED, INBOX, SEPARATOR, Folder, HasFlag, SpecialUse
from yunmail.protocols.imap.commands import Outcome, no, ok
from yunmail.protocols.imap.wire import codes, commands, responses
from yunmail.protocols.imap.wire.values import RawAtom, RenderValue

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session

SPECIAL_USE_ATTRIBUTES = {
    SpecialUse.DRAFTS: "\\Drafts",
    SpecialUse.SENT: "\\Sent",
    SpecialUse.JUNK: "\\Junk",
    SpecialUse.TRASH: "\\Trash",
}


def _clean(name: str) -> str:
    # RFC 9051 §6.3.4: a trailing delimiter only says the name will have inferiors.
    return name.rstrip(SEPARATOR) or name


async def create(session: Session, command: commands.Create) -> Outcome:
    if command.special_use:
        return no("special-use attributes cannot be assigned", codes.USEATTR)
    # RFC 3501 §6.3.3: CREATE does not subscribe (clients SUBSCRIBE when they want to).
    await session.store.create_folder(session.mailbox_id, _clean(command.mailbox), subscribe=False)
    return ok("CREATE completed")


async def delete(session: Session, command: commands.Delete) -> Outcome:
    await session.store.delete_folder(session.mailbox_id, _clean(command.mailbox))
    return ok("DELETE completed")


async def rename(session: Session, command: commands.Rename) -> Outcome:
    await session.store.rename_folder(session.mailbox_id, _clean(command.mailbox), _clean(command.new_name))
    return ok("RENAME completed")


async def subscribe(session: Session, command: commands.Subscribe) -> Outcome:
    await session.store.subscribe_folder(session.mailbox_id, _clean(command.mailbox))
    return ok("SUBSCRIBE completed")


async def unsubscribe(session: Session, command: commands.Unsubscribe) -> Outcome:
    await session.store.unsubscribe_folder(session.mailbox_id, _clean(command.mailbox))
    return ok("UNSUBSCRIBE completed")


# --- LIST ----------------------------------------------------------------------------------------


def pattern_regex(reference: str, pattern: str) -> re.Pattern[str]:
    """RFC 9051 §6.3.9: ``*`` matches anything, ``%`` anything but the delimiter; INBOX is caseless."""
    full = reference + pattern
    if full[:5].upper() == INBOX and (len(full) == 5 or full[5] in (SEPARATOR, "*", "%")):
        full = INBOX + full[5:]
    out = []
    for ch in full:
        if ch == "*":
            out.append(".*")
        elif ch == "%":
            out.append(f"[^{re.escape(SEPARATOR)}]*")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _parents(name: str) -> list[str]:
    """``a/b/c`` -> ``["a", "a/b"]``."""
    levels = name.split(SEPARATOR)
    return [SEPARATOR.join(levels[:i]) for i in range(1, len(levels))]


def _has_children(name: str, names: set[str]) -> bool:
    prefix = name + SEPARATOR
    return any(other.startswith(prefix) for other in names)


async def list_(session: Session, command: commands.List) -> Outcome:
    if command.patterns == ("",) and not command.selection:
        # RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root.
        session.send(responses.ListItem("", SEPARATOR, ("\\Noselect",)))
        return ok("LIST completed")
    folders = await session.store.list_folders(session.mailbox_id)
    names = {f.name for f in folders}
    selection = {s.upper() for s in command.selection}
    returns = {r.upper() for r in command.returns}
    show_subscribed = "SUBSCRIBED" in returns or "SUBSCRIBED" in selection
    subscribed = set(await session.store.list_subscriptions(session.mailbox_id)) if show_subscribed else set()
    regexes = [pattern_regex(command.reference, p) for p in command.patterns]
    status_items = tuple(i.upper() for i in command.status_items) if "STATUS" in returns else ()
    by_name: dict[str, Folder | None] = {f.name: f for f in folders}
    if "SUBSCRIBED" in selection:
        # RFC 5258 §3.1: subscribed names whose folder is gone are listed too, as \NonExistent.
        by_name.update({name: None for name in subscribed - names})
    for name in sorted(by_name, key=lambda n: (n != INBOX, n)):
        folder = by_name[name]
        if not any(r.match(name) for r in regexes):
            continue
        child_info: tuple[str, ...] = ()
        if "SUBSCRIBED" in selection and name not in subscribed:
            # RFC 5258 §3.5: with RECURSIVEMATCH a parent is listed with CHILDINFO when a subscribed
            # descendant does not match the patterns itself (one that matches is listed on its own).
            prefix = name + SEPARATOR
            if "RECURSIVEMATCH" in selection and any(
                s.startswith(prefix) and not any(r.match(s) for r in regexes) for s in subscribed
            ):
                child_info = ("SUBSCRIBED",)
            else:
                continue
        if folder is None:
            attributes: tuple[str, ...] = ("\\Subscribed", "\\NonExistent")
        else:
            attributes = _attributes(folder, names, subscribed)
        if "SPECIAL-USE" in selection and not any(a in SPECIAL_USE_ATTRIBUTES.values() for a in attributes):
            continue
        session.send(responses.ListItem(name, SEPARATOR, attributes, child_info=child_info))
        if status_items and folder is not None:
            session.send(await _status_data(session, name, status_items))
    return ok("LIST completed")


def _attributes(folder: Folder, names: set[str], subscribed: set[str]) -> tuple[str, ...]:
    attrs = ["\\HasChildren" if _has_children(folder.name, names) else "\\HasNoChildren"]
    if folder.name in subscribed:
        attrs.append("\\Subscribed")
    if folder.special_use is not None and folder.special_use in SPECIAL_USE_ATTRIBUTES:
        attrs.append(SPECIAL_USE_ATTRIBUTES[folder.special_use])
    return tuple(attrs)


async def lsub(session: Session, command: commands.Lsub) -> Outcome:
    """RFC 3501 §6.3.9: subscribed names (whether their folder exists or not) matching the pattern;
    a parent that only a ``%`` reaches is listed ``\\Noselect`` when just its children are subscribed."""
    subscribed = set(await session.store.list_subscriptions(session.mailbox_id))
    regex = pattern_regex(command.reference, command.pattern)
    found: dict[str, tuple[str, ...]] = {}
    for name in subscribed:
        if regex.match(name):
            found[name] = ()
            continue
        for parent in _parents(name):
            if parent not in subscribed and regex.match(parent):
                found.setdefault(parent, ("\\Noselect",))
    for name in sorted(found, key=lambda n: (n != INBOX, n)):
        session.send(responses.ListItem(name, SEPARATOR, found[name], kind="LSUB"))
    return ok("LSUB completed")


# --- STATUS --------------------------------------------------------------------------------------


async def _status_data(session: Session, name: str, items: Sequence[str]) -> responses.StatusData:
    status = await session.store.status(session.mailbox_id, name, recent="RECENT" in items)
    values: list[tuple[str, RenderValue]] = []
    for item in items:
        if item == "MESSAGES":
            values.append((item, status.messages))
        elif item == "RECENT":
            values.append((item, status.recent))  # IMAP4rev1 only (RFC 9051 removed it)
        elif item == "UIDNEXT":
            values.append((item, status.uidnext))
        elif item == "UIDVALIDITY":
            values.append((item, status.uidvalidity))
        elif item == "UNSEEN":
            values.append((item, status.unseen))
        elif item == "DELETED":
            deleted = await session.store.search(session.mailbox_id, status.folder_id, HasFlag(DELETED))
            values.append((item, len(deleted)))
        elif item == "SIZE":
            values.append((item, status.size))
        elif item == "HIGHESTMODSEQ":
            session.enable_condstore()  # RFC 7162 §3.1: a CONDSTORE-enabling command
            values.append((item, status.highestmodseq))
        elif item == "APPENDLIMIT":
            values.append((item, session.config.limits.message_size_bytes))
        elif item == "MAILBOXID":
            values.append((item, (RawAtom(f"F{status.folder_id}"),)))
    return responses.StatusData(status.name, tuple(values))


async def status(session: Session, command: commands.Status) -> Outcome:
    session.send(await _status_data(session, _clean(command.mailbox), command.items))
    return ok("STATUS completed")
