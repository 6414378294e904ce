"""SMTP fixtures: ``smtp`` is the three listeners over real services on the test's backend (both backends).

At teardown the environment asserts that no SMTP command hit an unhandled exception and that the mail
store's invariants hold (counting the outbound queue's blob references).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support.smtp import SmtpEnv, SmtpUser, start_smtp_env, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.events import InProcessBus
from yunmail.storage import Database, FileBlobStore


@pytest.fixture
async def smtp(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[SmtpEnv]:
    env = await start_smtp_env(tmp_path, db, blobs, bus, clock)
    try:
        yield env
    finally:
        await stop_smtp_env(env)


@pytest.fixture
async def alice(smtp: SmtpEnv) -> SmtpUser:
    """A member with a mailbox on a verified, full-mode domain."""
    return await smtp.user(await smtp.tenant(), "alice")
