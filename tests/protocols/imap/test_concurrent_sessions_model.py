"""Several sessions on one mailbox at once, each checked against a model of its protocol state.

Four sessions of one member select INBOX of a real server (``server`` fixture: the runtime's IMAP
listener, the real auth service) and, round after round, each does one operation at the same time
as the others: STORE of brand-new keywords or system flags, STORE \\Deleted + EXPUNGE, APPEND with a
new keyword, FETCH 1:*, NOOP or IDLE. The operations come from a seeded generator; the interleaving
of their commands at the server is the event loop's. Every untagged response a session receives is
fed to its ``MailboxView`` (tests/support/imap_model.py), which records what imaptest would call an
error: EXPUNGE or FETCH of a sequence number the session does not have (RFC 3501 §7.4.1), EXISTS
shrinking without EXPUNGE (§7.3.1), a UID that changes or does not ascend (§2.3.1.1), and FETCH
FLAGS naming a flag the session was not told about by an untagged FLAGS first (RFC 3501 §7.2.6,
RFC 9051 §7.3.5). After a final NOOP each session's view must equal the mailbox.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from support.imap import ImapTestClient, Lit, Result
from support.imap_model import MailboxView, strip_literals
from support.mailstore import make_message
from support.server import RunningServer
from yunmail.directory import NewMember

SESSIONS = 4
ROUNDS = 30
SEED = 20261207
PASSWORD = "Model-check-2026"
OPERATIONS = ("keyword", "flag", "delete", "append", "fetch", "noop", "idle")


@dataclass
class Session:
    """One logged-in client with INBOX selected and its model."""

    client: ImapTestClient
    view: MailboxView
    refused: list[str] = field(default_factory=list)
    idle_tag: str | None = None

    def take(self, lines: list[bytes]) -> None:
        for line in lines:
            self.view.feed(strip_literals(line))

    async def run(self, *segments: str | Lit) -> Result:
        """One command; its untagged responses go to the model, a refusal is recorded."""
        result = await self.client.command(*segments)
        self.take(result.untagged)
        # RFC 3501 §7.1: NO [EXPUNGEISSUED] (RFC 5530) is the one refusal a race may cause: the
        # session named a message another session expunged before this one was told.
        if result.status != "OK" and result.code_name != "EXPUNGEISSUED":
            command = " ".join(s if isinstance(s, str) else "{literal}" for s in segments)
            self.refused.append(
                f"{self.view.name}: {command} -> {result.status} [{result.code}] {result.text}"
            )
        return result

    async def idle_start(self) -> None:
        self.idle_tag = await self.client.send_command("IDLE")
        while not (line := await self.client.read_line()).startswith(b"+"):
            self.view.feed(strip_literals(line))

    async def idle_done(self) -> None:
        assert self.idle_tag is not None
        self.client.send(b"DONE\r\n")
        await self.client.writer.drain()
        result = await self.client.result(self.idle_tag)
        self.take(result.untagged)
        self.idle_tag = None


@dataclass
class Workload:
    """The sessions after the rounds and the mailbox's real ``(uid, flags)`` list."""

    sessions: list[Session]
    mailbox_id: int
    server: RunningServer

    async def real(self) -> list[tuple[int, frozenset[str]]]:
        summaries = await self.server.services.mailstore.list_messages(self.mailbox_id, "INBOX")
        return [(m.uid, m.flags) for m in sorted(summaries, key=lambda m: m.uid)]


async def member_login(server: RunningServer) -> tuple[str, int]:
    """A member with a mailbox on ``server``: its login and the mailbox id."""
    services = server.services
    enterprise = await services.directory.enterprises.create("Model", "model", "test")
    domain = await services.domains.add(enterprise.id, "model.example", "test", trust=True)
    new = NewMember(name="Model", account="model", password=PASSWORD, contact_email="model@contact.example")
    member = await services.directory.members.add(enterprise.id, new, "test", require_password_change=False)
    mailbox = await services.directory.mailboxes.open(
        enterprise.id, member.id, domain.id, "test", local_part="model"
    )
    return mailbox.address, mailbox.id


def pick(rng: random.Random, view: MailboxView, share: float) -> str:
    """A sequence set of about ``share`` of the session's messages (at least one)."""
    chosen = rng.sample(range(1, view.count + 1), max(1, round(view.count * share)))
    return ",".join(str(n) for n in sorted(chosen))


class Planner:
    """Seeded choice of operations; every keyword it invents is new to the mailbox."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0

    def keyword(self) -> str:
        self.serial += 1
        return f"$Model{self.serial}"

    def operation(self, session: Session) -> str:
        op = self.rng.choice(OPERATIONS)
        if session.view.count == 0 and op in ("keyword", "flag", "delete"):
            return "append"
        return op

    async def act(self, session: Session, op: str) -> None:
        rng = self.rng
        if op == "keyword":
            await session.run(f"STORE {pick(rng, session.view, 0.4)} +FLAGS ({self.keyword()})")
        elif op == "flag":
            flag = rng.choice(("\\Seen", "\\Flagged", "\\Answered"))
            await session.run(f"STORE {pick(rng, session.view, 0.4)} {rng.choice('+-')}FLAGS ({flag})")
        elif op == "delete":
            await session.run(f"STORE {pick(rng, session.view, 0.2)} +FLAGS (\\Deleted)")
            await session.run("EXPUNGE")
        elif op == "append":
            message = make_message(f"model {self.serial}", "x" * rng.randint(10, 2000) + "\r\n")
            await session.run(f"APPEND INBOX ({self.keyword()}) ", Lit(message))
        elif op == "fetch":
            if session.view.count:
                await session.run("FETCH 1:* (UID FLAGS)")
        elif op == "noop":
            await session.run("NOOP")


async def run_workload(server: RunningServer) -> Workload:
    login, mailbox_id = await member_login(server)
    for n in range(8):
        await server.services.mailstore.ingest(mailbox_id, make_message(f"seed {n}"))
    host, port = server.address("imap")
    sessions = []
    for n in range(SESSIONS):
        client = await ImapTestClient.connect(host, port)
        await client.login(login, PASSWORD)
        session = Session(client, MailboxView(f"session {n + 1}"))
        session.view.reset()
        await session.run("SELECT INBOX")
        await session.run("FETCH 1:* (UID FLAGS)")
        sessions.append(session)
    planner = Planner(SEED)
    for _ in range(ROUNDS):
        plan = [(session, planner.operation(session)) for session in sessions]
        idlers = [session for session, op in plan if op == "idle"]
        for session in idlers:
            await session.idle_start()
        # The operations of one round overlap at the server. Which operation each session does
        # is the seed's; their arguments depend on the session's view, hence on the interleaving.
        await asyncio.gather(*(planner.act(session, op) for session, op in plan if op != "idle"))
        for session in idlers:
            await session.idle_done()
    for session in sessions:
        await session.run("NOOP")
    return Workload(sessions, mailbox_id, server)


@pytest.fixture
async def workload(server: RunningServer) -> AsyncIterator[Workload]:
    done = await run_workload(server)
    yield done
    for session in done.sessions:
        await session.client.close()


async def test_no_session_sees_a_response_that_contradicts_its_protocol_state(workload: Workload) -> None:
    violations = [v for s in workload.sessions for v in s.view.violations]
    refused = [r for s in workload.sessions for r in s.refused]
    assert violations == []
    assert refused == []


async def test_after_noop_every_session_sees_the_mailbox_as_it_is(workload: Workload) -> None:
    real = await workload.real()
    for session in workload.sessions:
        assert session.view.differences(real) == [], "before FETCH 1:*"
        await session.run("FETCH 1:* (UID FLAGS)")
        assert session.view.differences(real) == [], "after FETCH 1:*"
        assert session.view.uids == [uid for uid, _ in real]
