"""The rules again through Debian's ``swaks`` (a third client implementation): MX, relay, submission, limits.

swaks runs as a subprocess against the listeners of the test's event loop. Missing swaks skips on a
laptop and fails under ``CI=true`` (install it with ``scripts/install-test-deps.sh``).
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.databases import require_or_skip
from support.factories import ACTOR
from support.smtp import SmtpEnv, SmtpUser, start_smtp_env, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.events import InProcessBus
from yunmail.policy import SendingLimits
from yunmail.storage import Database, FileBlobStore


@dataclass(frozen=True, slots=True)
class SwaksRun:
    exit_code: int
    transcript: str

    def replies(self) -> list[str]:
        """Server replies as ``code enhanced`` pairs in order (``<-`` plain, ``<~`` TLS, ``*`` errors)."""
        return [f"{m.group(2)} {m.group(3)}" for m in _REPLY.finditer(self.transcript)]


_REPLY = re.compile(r"^\s*(<-|<~|<\*\*|<~\*)\s+(\d{3}) (\S+)", re.MULTILINE)


async def swaks(address: tuple[str, int], *args: str) -> SwaksRun:
    if shutil.which("swaks") is None:
        require_or_skip("swaks is not installed (apt-get install swaks)")
    process = await asyncio.create_subprocess_exec(
        "swaks",
        "--server",
        address[0],
        "--port",
        str(address[1]),
        "--ehlo",
        "client.example",
        "--timeout",
        "20",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    return SwaksRun(process.returncode or 0, output.decode("utf-8", "replace"))


def submit_args(user: SmtpUser, *, tls: str = "--tls") -> list[str]:
    return [tls, "--auth", "PLAIN", "--auth-user", user.login, "--auth-password", user.password]


async def test_swaks_mx_delivery_is_stored(smtp: SmtpEnv, alice: SmtpUser) -> None:
    run = await swaks(smtp.mx, "--from", "bob@sender.example", "--to", alice.address)
    assert (run.exit_code, run.replies()[-2:]) == (0, ["250 2.0.0", "221 2.0.0"])
    assert len(await smtp.messages(alice.mailbox)) == 1


async def test_swaks_pipelined_mx_delivery_is_stored(smtp: SmtpEnv, alice: SmtpUser) -> None:
    run = await swaks(smtp.mx, "--pipeline", "--from", "bob@sender.example", "--to", alice.address)
    assert run.exit_code == 0
    assert len(await smtp.messages(alice.mailbox)) == 1


async def test_swaks_unknown_recipient_is_550_5_1_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    run = await swaks(smtp.mx, "--from", "bob@sender.example", "--to", f"nobody@{alice.tenant.domain.name}")
    assert (run.exit_code, run.replies()[3]) == (24, "550 5.1.1")


async def test_swaks_relay_attempt_is_550_5_7_1(smtp: SmtpEnv) -> None:
    run = await swaks(smtp.mx, "--from", "bob@sender.example", "--to", "victim@elsewhere.example")
    assert (run.exit_code, run.replies()[3]) == (24, "550 5.7.1")


async def test_swaks_relay_attempt_over_tls_is_still_550_5_7_1(smtp: SmtpEnv) -> None:
    run = await swaks(smtp.mx, "--tls", "--from", "bob@sender.example", "--to", "victim@elsewhere.example")
    assert run.exit_code == 24
    assert "550 5.7.1" in run.replies()


async def test_swaks_recycled_recipient_is_550_5_2_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    await smtp.directory.mailboxes.close(alice.tenant.enterprise.id, alice.mailbox.id, ACTOR)
    run = await swaks(smtp.mx, "--from", "bob@sender.example", "--to", alice.address)
    assert (run.exit_code, run.replies()[3]) == (24, "550 5.2.1")


async def test_swaks_submission_with_starttls_and_auth_queues_remote_mail(
    smtp: SmtpEnv, alice: SmtpUser
) -> None:
    run = await swaks(
        smtp.submission, *submit_args(alice), "--from", alice.address, "--to", "friend@elsewhere.example"
    )
    assert run.exit_code == 0
    assert [q.recipient for q in await smtp.queued(alice.tenant)] == ["friend@elsewhere.example"]


async def test_swaks_implicit_tls_submission_delivers_locally(smtp: SmtpEnv, alice: SmtpUser) -> None:
    carol = await smtp.user(alice.tenant, "carol")
    run = await swaks(
        smtp.smtps,
        *submit_args(alice, tls="--tls-on-connect"),
        "--from",
        alice.address,
        "--to",
        carol.address,
    )
    assert run.exit_code == 0
    assert len(await smtp.messages(carol.mailbox)) == 1


async def test_swaks_auth_without_tls_is_refused(smtp: SmtpEnv, alice: SmtpUser) -> None:
    run = await swaks(
        smtp.submission, "--auth", "PLAIN", "--auth-user", alice.login, "--auth-password", alice.password,
        "--from", alice.address, "--to", "friend@elsewhere.example",
    )  # fmt: skip
    assert run.exit_code == 28  # swaks: AUTH not advertised before STARTTLS
    assert await smtp.queued(alice.tenant) == []


async def test_swaks_wrong_password_is_535_5_7_8(smtp: SmtpEnv, alice: SmtpUser) -> None:
    args = ["--tls", "--auth", "PLAIN", "--auth-user", alice.login, "--auth-password", "Wrong-pass1"]
    run = await swaks(smtp.submission, *args, "--from", alice.address, "--to", "friend@elsewhere.example")
    assert (run.exit_code, "535 5.7.8" in run.replies()) == (28, True)


async def test_swaks_spoofed_mail_from_is_550_5_7_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    run = await swaks(
        smtp.submission, *submit_args(alice), "--from", "ceo@elsewhere.example", "--to", "x@e.example"
    )
    assert (run.exit_code, "550 5.7.1" in run.replies()) == (23, True)


async def test_swaks_spoofed_from_header_is_550_5_7_1(smtp: SmtpEnv, alice: SmtpUser) -> None:
    run = await swaks(
        smtp.submission, *submit_args(alice), "--from", alice.address, "--to", "x@elsewhere.example",
        "--header", "From: CEO <ceo@elsewhere.example>",
    )  # fmt: skip
    assert (run.exit_code, run.replies()[-2]) == (26, "550 5.7.1")
    assert await smtp.queued(alice.tenant) == []


@pytest.fixture
async def limited(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[SmtpEnv]:
    limits = SendingLimits(max_recipients=3, burst_limit=4, daily_limit=100)
    env = await start_smtp_env(tmp_path, db, blobs, bus, clock, limits=limits)
    try:
        yield env
    finally:
        await stop_smtp_env(env)


async def test_swaks_recipient_cap_refuses_the_whole_message(limited: SmtpEnv) -> None:
    user = await limited.user(await limited.tenant(), "amy")
    recipients = ",".join(f"r{i}@elsewhere.example" for i in range(4))
    run = await swaks(limited.submission, *submit_args(user), "--from", user.address, "--to", recipients)
    assert "452 4.5.3" in run.replies()
    assert (run.exit_code, run.replies()[-2]) == (26, "554 5.5.3")
    assert await limited.queued(user.tenant) == []


async def test_swaks_burst_limit_is_451_4_7_1(limited: SmtpEnv) -> None:
    user = await limited.user(await limited.tenant(), "amy")
    first = await swaks(
        limited.submission,
        *submit_args(user),
        "--from",
        user.address,
        "--to",
        "a@x.example,b@x.example,c@x.example",
    )
    second = await swaks(
        limited.submission, *submit_args(user), "--from", user.address, "--to", "d@x.example,e@x.example"
    )
    assert (first.exit_code, second.exit_code, second.replies()[-2]) == (0, 26, "451 4.7.1")
    assert len(await limited.queued(user.tenant)) == 3
