"""IDLE: updates pushed while idling, DONE ends it, other sessions' changes wake it."""

from __future__ import annotations

import asyncio

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message

WAIT = 10.0  # generous bound against a hung test, never a timing assertion


async def test_idle_reports_a_delivery(imap: ImapEnv, actor: ImapTestClient) -> None:
    await actor.select()
    await actor.idle_start()
    await imap.deliver(make_message())
    assert await asyncio.wait_for(actor.read_line(), WAIT) == b"* 1 EXISTS"
    assert (await actor.idle_done()).status == "OK"


async def test_idle_reports_another_sessions_flag_change(
    imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient
) -> None:
    await imap.deliver(make_message())
    await actor.select()
    await observer.select()
    await observer.idle_start()
    await actor.expect("OK", "STORE 1 +FLAGS.SILENT (\\Flagged)")
    assert await asyncio.wait_for(observer.read_line(), WAIT) == b"* 1 FETCH (UID 1 FLAGS (\\Flagged))"
    await observer.idle_done()


async def test_idle_reports_expunge(imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient) -> None:
    await imap.deliver(make_message(), flags=("\\Deleted",))
    await actor.select()
    await observer.select()
    await observer.idle_start()
    await actor.expect("OK", "EXPUNGE")
    assert await asyncio.wait_for(observer.read_line(), WAIT) == b"* 1 EXPUNGE"
    await observer.idle_done()


async def test_idle_sends_pending_updates_at_once(imap: ImapEnv, actor: ImapTestClient) -> None:
    await actor.select()
    await imap.deliver(make_message())
    await actor.idle_start()
    assert await asyncio.wait_for(actor.read_line(), WAIT) == b"* 1 EXISTS"
    await actor.idle_done()


async def test_idle_in_authenticated_state_ends_with_done(actor: ImapTestClient) -> None:
    await actor.idle_start()
    assert (await actor.idle_done()).status == "OK"


async def test_idle_ended_by_something_else_than_done_answers_bad(actor: ImapTestClient) -> None:
    await actor.idle_start()
    actor.send(b"NOPE\r\n")
    assert (await actor.result(actor._idle_tag)).status == "BAD"
    await actor.expect("OK", "NOOP")
