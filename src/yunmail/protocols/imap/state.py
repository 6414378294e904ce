"""Connection states, the command table and which commands each state allows (RFC 9051 §3, §6).

One screen on purpose (mox style): every command class maps to one handler, and the state sets
below are the whole permission model.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from yunmail.protocols.imap.commands import (
    append,
    auth,
    copy_move,
    expunge,
    fetch,
    idle,
    mailboxes,
    misc,
    notify,
    quota,
    search,
    search_context,
    select,
    sort_thread,
    store,
)
from yunmail.protocols.imap.wire import commands as c

if TYPE_CHECKING:
    from yunmail.protocols.imap.commands import Outcome

Handler = Callable[[Any, Any], Awaitable["Outcome | None"]]


class State(enum.Enum):
    NOT_AUTHENTICATED = "not authenticated"
    AUTHENTICATED = "authenticated"
    SELECTED = "selected"


ANY_STATE: frozenset[type[c.Command]] = frozenset({c.Capability, c.Noop, c.Logout, c.Id})
NOT_AUTHENTICATED: frozenset[type[c.Command]] = frozenset({c.StartTLS, c.Authenticate, c.Login})
AUTHENTICATED: frozenset[type[c.Command]] = frozenset(
    {
        c.Enable,
        c.Select,
        c.Examine,
        c.Create,
        c.Delete,
        c.Rename,
        c.Subscribe,
        c.Unsubscribe,
        c.List,
        c.Lsub,
        c.Namespace,
        c.Status,
        c.Append,
        c.Idle,
        c.GetQuota,
        c.GetQuotaRoot,
        c.SetQuota,
        c.Compress,
        c.Notify,
    }
)
SELECTED: frozenset[type[c.Command]] = AUTHENTICATED | {
    c.Check,
    c.Close,
    c.Unselect,
    c.Expunge,
    c.Search,
    c.Fetch,
    c.Store,
    c.Copy,
    c.Move,
    c.Sort,
    c.Thread,
    c.CancelUpdate,
}

# RFC 9051 §7.4.1: no EXPUNGE while answering these (their UID forms may carry them).
NO_EXPUNGE_DURING = (c.Fetch, c.Store, c.Search, c.Sort, c.Thread)

HANDLERS: dict[type[c.Command], Handler] = {
    c.Capability: misc.capability,
    c.Noop: misc.noop,
    c.Logout: misc.logout,
    c.Id: misc.id_,
    c.Compress: misc.compress,
    c.Notify: notify.notify,
    c.Enable: misc.enable,
    c.Namespace: misc.namespace,
    c.StartTLS: auth.starttls,
    c.Authenticate: auth.authenticate,
    c.Login: auth.login,
    c.Select: select.select,
    c.Examine: select.select,
    c.Create: mailboxes.create,
    c.Delete: mailboxes.delete,
    c.Rename: mailboxes.rename,
    c.Subscribe: mailboxes.subscribe,
    c.Unsubscribe: mailboxes.unsubscribe,
    c.List: mailboxes.list_,
    c.Lsub: mailboxes.lsub,
    c.Status: mailboxes.status,
    c.Append: append.append,
    c.Idle: idle.idle,
    c.GetQuota: quota.getquota,
    c.GetQuotaRoot: quota.getquotaroot,
    c.SetQuota: quota.setquota,
    c.Check: misc.noop,
    c.Close: select.close,
    c.Unselect: select.unselect,
    c.Expunge: expunge.expunge,
    c.Search: search.search,
    c.Fetch: fetch.fetch,
    c.Store: store.store,
    c.Copy: copy_move.copy,
    c.Move: copy_move.move,
    c.Sort: sort_thread.sort,
    c.Thread: sort_thread.thread,
    c.CancelUpdate: search_context.cancelupdate,
}


def refusal(current: State, command: c.Command) -> str | None:
    """Why ``command`` may not run in ``current`` (the text of a BAD), or ``None`` if it may."""
    kind = type(command)
    if kind in ANY_STATE:
        return None
    if current is State.NOT_AUTHENTICATED:
        return None if kind in NOT_AUTHENTICATED else "log in first"
    if kind in NOT_AUTHENTICATED:
        return "already authenticated"
    if current is State.AUTHENTICATED and kind not in AUTHENTICATED:
        return "no mailbox selected"
    return None


def handler_for(command: c.Command) -> Handler:
    return HANDLERS[type(command)]
