"""Pipelined commands: each answer reaches the client as soon as its command is done.

A client that sends many commands at once (mbsync pipelines a whole mailbox of UID FETCHes) must
not wait for the end of the batch to read the first answer, nor for a command it has only half
sent. The held LOGIN below makes "later" observable without timing: the first answer has to
arrive while the second command is still running. The ``asyncio.timeout`` only turns a hang into
a failure.
"""

from __future__ import annotations

import asyncio

import pytest

from support.imap import PASSWORD, FakePrincipal, ImapEnv

GUARD_SECONDS = 30


async def test_an_answer_is_sent_while_the_command_pipelined_after_it_still_runs(
    imap: ImapEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    real = imap.auth.authenticate

    async def held(login: str, secret: str, *, channel: str, remote_ip: str) -> FakePrincipal:
        await release.wait()
        return await real(login, secret, channel=channel, remote_ip=remote_ip)

    monkeypatch.setattr(imap.auth, "authenticate", held)
    client = await imap.client(login=False)
    try:
        client.send(f'a1 NOOP\r\na2 LOGIN "alice@example.test" "{PASSWORD}"\r\n'.encode())
        async with asyncio.timeout(GUARD_SECONDS):
            first = await client.result("a1")
        assert first.status == "OK"
        release.set()
        assert (await client.result("a2")).status == "OK"
    finally:
        release.set()
        await client.close()


async def test_an_answer_is_sent_before_the_next_command_is_complete(imap: ImapEnv) -> None:
    client = await imap.client()
    try:
        client.send(b"a1 NOOP\r\na2 NO")
        async with asyncio.timeout(GUARD_SECONDS):
            first = await client.result("a1")
        assert first.status == "OK"
        client.send(b"OP\r\n")
        assert (await client.result("a2")).status == "OK"
    finally:
        await client.close()
