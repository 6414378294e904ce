"""The directory against the real mail store: open provisions folders, restore keeps mail, purge deletes."""

from __future__ import annotations

import pytest

from support.factories import ACTOR, DirectoryFactory, FastHasher, Tenant
from yunmail.clock import FakeClock
from yunmail.config import Settings
from yunmail.directory import Directory, Mailbox
from yunmail.events import InProcessBus
from yunmail.mailstore import MailStore
from yunmail.storage import Database, FileBlobStore

MESSAGE = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: kept\r\n\r\nhello\r\n"


@pytest.fixture
def store(db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock) -> MailStore:
    return MailStore(db, blobs, bus, clock)


@pytest.fixture
def real(db: Database, clock: FakeClock, store: MailStore) -> Directory:
    return Directory(db, clock, Settings(), store, hasher=FastHasher())


@pytest.fixture
async def mailbox(factory: DirectoryFactory, real: Directory, tenant: Tenant, store: MailStore) -> Mailbox:
    member = await factory.member(tenant.enterprise.id)
    opened = await real.mailboxes.open(tenant.enterprise.id, member.id, tenant.domain.id, ACTOR)
    await store.ingest(opened.id, MESSAGE)
    return opened


async def test_open_creates_the_default_folders(mailbox: Mailbox, store: MailStore) -> None:
    names = {folder.name for folder in await store.list_folders(mailbox.id)}
    assert "INBOX" in names and len(names) >= 5


async def test_restore_brings_the_mail_back(
    real: Directory, tenant: Tenant, mailbox: Mailbox, store: MailStore
) -> None:
    await real.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    await real.mailboxes.restore(tenant.enterprise.id, mailbox.id, ACTOR)
    assert len(await store.list_messages(mailbox.id, "INBOX")) == 1


async def test_purge_deletes_the_mail_and_the_mailbox(
    real: Directory, tenant: Tenant, mailbox: Mailbox, store: MailStore, blobs: FileBlobStore
) -> None:
    await real.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    await real.mailboxes.purge(tenant.enterprise.id, mailbox.id, ACTOR)
    assert (await store.list_folders(mailbox.id), list(await blobs.keys())) == ([], [])
