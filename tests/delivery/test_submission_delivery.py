"""Submission service: queue rows holding blob references, retries adding nothing, refunds on failure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from support.smtp import SmtpEnv, SmtpUser, message, start_smtp_env, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.delivery import (
    ClientInfo,
    FilterAction,
    FilterVerdict,
    LocalMessage,
    SubmittedMessage,
    Submitter,
)
from yunmail.errors import SendRateLimited, Unavailable
from yunmail.events import InProcessBus
from yunmail.policy import SendingLimits
from yunmail.storage import Database, FileBlobStore
from yunmail.storage.sql.schema import blobs as blob_rows

CLIENT = ClientInfo(ip="192.0.2.9", helo="laptop", tls="TLSv1.3 X", login="amy@org")


class Flaky:
    """A filter that fails (storage trouble stand-in) while ``broken`` is set."""

    name = "flaky"

    def __init__(self) -> None:
        self.broken = True

    async def check(self, message: LocalMessage) -> FilterVerdict:
        if self.broken:
            raise Unavailable()
        return FilterVerdict(self.name, FilterAction.DELIVER)


@pytest.fixture
def flaky() -> Flaky:
    return Flaky()


@pytest.fixture
async def env(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock, flaky: Flaky
) -> AsyncIterator[SmtpEnv]:
    environment = await start_smtp_env(
        tmp_path, db, blobs, bus, clock, limits=SendingLimits(burst_limit=3), filters=[flaky]
    )
    try:
        yield environment
    finally:
        await stop_smtp_env(environment)


@pytest.fixture
async def amy(env: SmtpEnv) -> SmtpUser:
    return await env.user(await env.tenant(), "amy")


def submitter(user: SmtpUser) -> Submitter:
    return Submitter(user.tenant.enterprise.id, user.member.id, user.login)


async def submission(env: SmtpEnv, user: SmtpUser, recipients: list[str], data: bytes) -> SubmittedMessage:
    routed = [await env.flow.submission.check_recipient(submitter(user), r) for r in recipients]
    return SubmittedMessage(
        data=data, mail_from=user.address, recipients=tuple(routed), client=CLIENT, trace_id="T"
    )


async def test_remote_recipients_become_queue_rows_holding_blob_references(
    env: SmtpEnv, amy: SmtpUser
) -> None:
    data = message(amy.address, "x@a.example")
    sent = await submission(env, amy, ["x@a.example", "y@b.example"], data)
    report = await env.flow.submission.submit(submitter(amy), sent)
    async with env.db.read() as conn:
        refcounts = (await conn.execute(select(blob_rows.c.refcount))).scalars().all()
    queued = await env.queued(amy.tenant)
    stored = [await env.queue.read_message(q) for q in queued]
    assert (len(report.queued), report.local_mailboxes) == (2, 0)
    assert sorted(q.recipient for q in queued) == ["x@a.example", "y@b.example"]
    assert [s.endswith(data) and s.startswith(b"Received: from laptop") for s in stored] == [True, True]
    assert [q.size for q in queued] == [len(s) for s in stored]
    assert refcounts == [2]


async def test_the_same_message_submitted_again_adds_no_row(env: SmtpEnv, amy: SmtpUser) -> None:
    data = message(amy.address, "x@a.example")
    sent = await submission(env, amy, ["x@a.example"], data)
    first = await env.flow.submission.submit(submitter(amy), sent)
    again = await env.flow.submission.submit(submitter(amy), sent)
    assert (len(first.queued), again.queued) == (1, ())
    assert len(await env.queued(amy.tenant)) == 1


async def test_failed_storage_refunds_the_charge(env: SmtpEnv, amy: SmtpUser, flaky: Flaky) -> None:
    ben = await env.user(amy.tenant, "ben")
    sent = await submission(env, amy, [ben.address, "x@a.example"], message(amy.address, ben.address))
    with pytest.raises(Unavailable):
        await env.flow.submission.submit(submitter(amy), sent)
    flaky.broken = False
    # The retry is charged again: it fits only because the failed attempt was refunded (2 + 2 > 3).
    report = await env.flow.submission.submit(submitter(amy), sent)
    assert (report.local_mailboxes, len(report.queued)) == (1, 0)  # the remote row survived the failure
    assert len(await env.queued(amy.tenant)) == 1
    with pytest.raises(SendRateLimited):
        await env.flow.submission.submit(
            submitter(amy),
            await submission(env, amy, ["z@c.example", "w@c.example"], message(amy.address, "z@c.example")),
        )


async def test_remote_address_is_routed_unchanged(env: SmtpEnv, amy: SmtpUser) -> None:
    routed = await env.flow.submission.check_recipient(submitter(amy), "Friend@Elsewhere.example")
    assert (routed.address, routed.local) == ("Friend@Elsewhere.example", None)
