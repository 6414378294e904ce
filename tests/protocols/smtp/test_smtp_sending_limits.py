"""Sending limits over SMTP: each window has its own code, whole messages only, no overrun in parallel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import pytest

from support.factories import ACTOR
from support.smtp import SmtpEnv, SmtpUser, command, connect, message, start_smtp_env, status, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.events import InProcessBus
from yunmail.policy import SendingLimits
from yunmail.storage import Database, FileBlobStore

LIMITS = SendingLimits(
    max_recipients=10, burst_limit=4, daily_limit=6, shared_daily_limit=3, enterprise_daily_ceiling=8
)


@pytest.fixture
async def limited(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[SmtpEnv]:
    env = await start_smtp_env(tmp_path, db, blobs, bus, clock, limits=LIMITS)
    try:
        yield env
    finally:
        await stop_smtp_env(env)


@pytest.fixture
async def amy(limited: SmtpEnv) -> SmtpUser:
    return await limited.user(await limited.tenant(), "amy")


def remote(count: int, tag: str = "r") -> list[str]:
    return [f"{tag}{i}@elsewhere.example" for i in range(count)]


async def send(
    env: SmtpEnv, user: SmtpUser, recipients: list[str], *, sender: str | None = None
) -> tuple[int, str]:
    client = await connect(env.submission, tls=env.client_tls())
    await client.login(user.login, user.password)
    try:
        mail_from = sender or user.address
        await command(client, "MAIL", f"FROM:<{mail_from}>")
        for rcpt in recipients:
            reply = await command(client, "RCPT", f"TO:<{rcpt}>")
            if reply[0] != 250:
                return reply
        try:
            response = await client.data(message(mail_from, ", ".join(recipients)))
        except aiosmtplib.SMTPDataError as exc:
            return status(exc.code, exc.message)
        return status(response.code, response.message)
    finally:
        await client.quit()


async def queued_count(env: SmtpEnv, user: SmtpUser) -> int:
    return len(await env.queued(user.tenant))


async def test_burst_window_refuses_the_whole_message_with_451_4_7_1(limited: SmtpEnv, amy: SmtpUser) -> None:
    first = await send(limited, amy, remote(3, "a"))
    second = await send(limited, amy, remote(2, "b"))  # 3 + 2 > 4 per 15 minutes
    assert (first, second) == ((250, "2.0.0"), (451, "4.7.1"))
    assert await queued_count(limited, amy) == 3


async def test_burst_window_opens_again_after_15_minutes(limited: SmtpEnv, amy: SmtpUser) -> None:
    await send(limited, amy, remote(4, "a"))
    limited.clock.advance(minutes=15)
    assert await send(limited, amy, remote(1, "b")) == (250, "2.0.0")


async def test_daily_limit_refuses_with_550_5_4_5(limited: SmtpEnv, amy: SmtpUser) -> None:
    await send(limited, amy, remote(4, "a"))
    limited.clock.advance(minutes=15)
    refused = await send(limited, amy, remote(3, "b"))  # 4 + 3 > 6 per day
    assert refused == (550, "5.4.5")
    assert await queued_count(limited, amy) == 4


async def test_shared_mailbox_has_its_own_daily_limit(limited: SmtpEnv, amy: SmtpUser) -> None:
    tenant = amy.tenant
    shared = await limited.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR, member_ids=[amy.member.id]
    )
    as_shared = await send(limited, amy, remote(4, "s"), sender=shared.mailbox.address)  # 4 > 3
    as_self = await send(limited, amy, remote(4, "p"))  # the member's own windows are untouched
    assert (as_shared, as_self) == ((550, "5.4.5"), (250, "2.0.0"))


async def test_enterprise_ceiling_covers_all_members_together(limited: SmtpEnv, amy: SmtpUser) -> None:
    ben = await limited.user(amy.tenant, "ben")
    await send(limited, amy, remote(4, "a"))
    await send(limited, ben, remote(4, "b"))
    limited.clock.advance(minutes=15)
    refused = await send(limited, amy, remote(1, "c"))  # 9 > 8 for the enterprise
    assert refused == (550, "5.4.5")
    assert await queued_count(limited, amy) == 8


async def test_enterprise_setting_lowers_the_daily_limit(limited: SmtpEnv, amy: SmtpUser) -> None:
    await limited.directory.enterprises.update_settings(
        amy.tenant.enterprise.id, {"daily_send_limit": 2}, ACTOR
    )
    assert await send(limited, amy, remote(3)) == (550, "5.4.5")


async def test_recipient_cap_from_settings_applies_at_rcpt(limited: SmtpEnv, amy: SmtpUser) -> None:
    assert await send(limited, amy, remote(11)) == (452, "4.5.3")


async def test_local_and_remote_recipients_count_alike(limited: SmtpEnv, amy: SmtpUser) -> None:
    ben = await limited.user(amy.tenant, "ben")
    refused = await send(limited, amy, [ben.address, *remote(4)])  # 5 > 4 per 15 minutes
    assert refused == (451, "4.7.1")
    assert (await limited.messages(ben.mailbox), await queued_count(limited, amy)) == ([], 0)


async def test_parallel_sessions_cannot_overrun_the_burst_window(limited: SmtpEnv, amy: SmtpUser) -> None:
    replies = await asyncio.gather(*(send(limited, amy, remote(1, f"p{i}-")) for i in range(8)))
    assert sorted(replies) == [(250, "2.0.0")] * 4 + [(451, "4.7.1")] * 4
    assert await queued_count(limited, amy) == 4
