"""Mail-store fixtures: a ``store`` on the test's backend whose invariants are checked at teardown."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from support.invariants import check_store_invariants
from support.mailstore import create_mailbox
from yunmail.clock import FakeClock
from yunmail.events import InProcessBus
from yunmail.mailstore import MailStore
from yunmail.storage import Database, FileBlobStore


@pytest.fixture
async def store(
    db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[MailStore]:
    yield MailStore(db, blobs, bus, clock)
    await check_store_invariants(db, blobs)


@pytest.fixture
async def mailbox(store: MailStore, db: Database) -> int:
    """A provisioned mailbox (default folders exist)."""
    mailbox_id = await create_mailbox(db)
    await store.provision(mailbox_id)
    return mailbox_id
