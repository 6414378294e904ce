"""The recycle-bin worker (PRODUCT §5): purge after 30 days, driven by the clock, never before."""

from __future__ import annotations

import pytest

from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.clock import FakeClock
from yunmail.directory import Mailbox
from yunmail.errors import MailboxNotFound


@pytest.fixture
async def recycled(factory: DirectoryFactory, tenant: Tenant) -> Mailbox:
    mailbox = await factory.mailbox(tenant)
    return await factory.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)


async def test_mailbox_is_kept_for_29_days(
    factory: DirectoryFactory, tenant: Tenant, recycled: Mailbox, clock: FakeClock
) -> None:
    clock.advance(days=29, hours=23)
    assert await factory.directory.recycle_bin.run_once() == []
    kept = await factory.directory.mailboxes.get(tenant.enterprise.id, recycled.id)
    assert (kept.status, factory.storage.purged) == ("recycled", [])


async def test_mailbox_and_its_mail_are_purged_after_30_days(
    factory: DirectoryFactory, tenant: Tenant, recycled: Mailbox, clock: FakeClock
) -> None:
    clock.advance(days=30)
    assert await factory.directory.recycle_bin.run_once() == [recycled.id]
    assert factory.storage.purged == [recycled.id]
    with pytest.raises(MailboxNotFound):
        await factory.directory.mailboxes.get(tenant.enterprise.id, recycled.id)


async def test_purged_address_becomes_free(
    factory: DirectoryFactory, tenant: Tenant, recycled: Mailbox, clock: FakeClock
) -> None:
    clock.advance(days=31)
    await factory.directory.recycle_bin.run_once()
    assert await factory.directory.recipients.resolve(recycled.address) is None


async def test_restored_mailbox_is_not_purged(
    factory: DirectoryFactory, tenant: Tenant, recycled: Mailbox, clock: FakeClock
) -> None:
    clock.advance(days=10)
    await factory.directory.mailboxes.restore(tenant.enterprise.id, recycled.id, ACTOR)
    clock.advance(days=30)
    assert (await factory.directory.recycle_bin.run_once(), factory.storage.purged) == ([], [])


async def test_only_mailboxes_past_their_time_are_purged_across_enterprises(
    factory: DirectoryFactory, tenant: Tenant, recycled: Mailbox, clock: FakeClock
) -> None:
    other = await factory.tenant()
    clock.advance(days=20)
    younger = await factory.mailbox(other)
    await factory.directory.mailboxes.close(other.enterprise.id, younger.id, ACTOR)
    clock.advance(days=10)
    assert await factory.directory.recycle_bin.run_once() == [recycled.id]


async def test_a_failing_purge_does_not_stop_the_others_and_is_retried(
    factory: DirectoryFactory, tenant: Tenant, recycled: Mailbox, clock: FakeClock
) -> None:
    second = await factory.mailbox(tenant)
    await factory.directory.mailboxes.close(tenant.enterprise.id, second.id, ACTOR)
    factory.storage.fail_purge.add(recycled.id)
    clock.advance(days=30)
    first_run = await factory.directory.recycle_bin.run_once()
    factory.storage.fail_purge.clear()
    second_run = await factory.directory.recycle_bin.run_once()
    assert (first_run, second_run) == ([second.id], [recycled.id])


async def test_a_half_done_purge_waits_in_the_recycle_bin_as_purging(
    factory: DirectoryFactory, tenant: Tenant, recycled: Mailbox
) -> None:
    factory.storage.fail_purge.add(recycled.id)
    with pytest.raises(OSError):
        await factory.directory.mailboxes.purge(tenant.enterprise.id, recycled.id, ACTOR)
    [entry] = await factory.directory.mailboxes.recycle_bin(tenant.enterprise.id)
    assert entry.mailbox.status == "purging"
