"""One shared change-feed subscription per mailbox, fanned out to the IMAP sessions that have it selected.

A session used to own a store subscription (an event-bus queue) and a task draining it; with
thousands of idle IDLE connections those were the biggest per-connection costs. `ChangeFeeds`
keeps one `ChangeSubscription` and one pump task per *mailbox* with at least one selecting
session, and calls each session's listener synchronously for every change (listeners only mark
their view dirty and wake their connection, so the pump never waits on a session).

Ordering guarantee kept from the store's rule "subscribe first, then read state": `attach`
returns only once the mailbox's subscription exists, so anything committed after it reaches the
listener. A change already queued before the attach may also reach it: a spare wake-up, harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from yunmail import logging
from yunmail.mailstore import Change, ChangeSubscription, MailStore

_log = logging.get("imap.feeds")

Listener = Callable[[Change], None]


class _Feed:
    """The shared subscription of one mailbox and who listens to it."""

    __slots__ = ("listeners", "ready", "task")

    def __init__(self) -> None:
        self.listeners: set[FeedHandle] = set()
        self.ready: asyncio.Future[ChangeSubscription] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None


class FeedHandle:
    """One session's place on a mailbox feed; `close` takes it off (idempotent)."""

    __slots__ = ("_feeds", "listener", "mailbox_id")

    def __init__(self, feeds: ChangeFeeds, mailbox_id: int, listener: Listener) -> None:
        self._feeds: ChangeFeeds | None = feeds
        self.mailbox_id = mailbox_id
        self.listener = listener

    async def close(self) -> None:
        feeds, self._feeds = self._feeds, None
        if feeds is not None:
            await feeds.detach(self)


class ChangeFeeds:
    """Per-server registry of mailbox feeds (one instance per `ImapServer`, never module-level)."""

    def __init__(self, store: MailStore) -> None:
        self._store = store
        self._feeds: dict[int, _Feed] = {}

    @property
    def mailbox_count(self) -> int:
        return len(self._feeds)

    async def attach(self, mailbox_id: int, listener: Listener) -> FeedHandle:
        """Put ``listener`` on the mailbox's feed (subscribing to the store on first use)."""
        handle = FeedHandle(self, mailbox_id, listener)
        feed = self._feeds.get(mailbox_id)
        if feed is None:
            feed = _Feed()
            self._feeds[mailbox_id] = feed
            feed.listeners.add(handle)
            try:
                subscription = await self._store.subscribe(mailbox_id)
            except BaseException as exc:
                self._feeds.pop(mailbox_id, None)
                feed.ready.set_exception(exc)
                feed.ready.exception()  # retrieved: waiters get it, no "never retrieved" warning
                raise
            feed.task = asyncio.get_running_loop().create_task(self._pump(feed, subscription))
            feed.ready.set_result(subscription)
        else:
            feed.listeners.add(handle)
            try:
                # Shielded: a waiter cancelled here must not cancel the subscribing attach.
                await asyncio.shield(feed.ready)
            except BaseException:
                feed.listeners.discard(handle)
                raise
        return handle

    async def detach(self, handle: FeedHandle) -> None:
        feed = self._feeds.get(handle.mailbox_id)
        if feed is None:
            return
        feed.listeners.discard(handle)
        if feed.listeners or not feed.ready.done():
            return
        # The last listener left: drop the feed now (a new attach starts a fresh one), then stop it.
        del self._feeds[handle.mailbox_id]
        task = feed.task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if feed.ready.exception() is None:
            await feed.ready.result().close()

    async def _pump(self, feed: _Feed, subscription: ChangeSubscription) -> None:
        async for change in subscription:
            for handle in list(feed.listeners):
                try:
                    handle.listener(change)
                except Exception:  # one session's bug must not silence the others
                    _log.exception("IMAP change listener failed")
