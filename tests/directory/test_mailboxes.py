"""Mailboxes (PRODUCT §5): pinyin default address, address rules, seats, batch open, recycle bin."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.clock import FakeClock
from yunmail.errors import (
    AddressInRecycleBin,
    AddressOccupied,
    DomainNotFound,
    LocalPartInvalid,
    MailboxAddressImmutable,
    MailboxAlreadyOpen,
    MailboxNotInRecycleBin,
    MailboxNotOpened,
    MailboxRecycled,
    QuotaInvalid,
    SeatsExhausted,
)


async def test_open_uses_the_name_in_pinyin_by_default(factory: DirectoryFactory, tenant: Tenant) -> None:
    member = await factory.member(tenant.enterprise.id, name="小明")
    mailbox = await factory.mailbox(tenant, member.id)
    assert (mailbox.address, mailbox.kind, mailbox.status, mailbox.member_id, mailbox.display_name) == (
        f"xiaoming@{tenant.domain.name}",
        "personal",
        "open",
        member.id,
        "小明",
    )


async def test_open_asks_the_mail_store_to_create_the_folders(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    mailbox = await factory.mailbox(tenant)
    assert factory.storage.provisioned == [mailbox.id]


async def test_the_default_address_can_be_replaced_by_an_explicit_one(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    mailbox = await factory.mailbox(tenant, local_part="Ming.Xiao")
    assert mailbox.address == f"ming.xiao@{tenant.domain.name}"


async def test_idn_domain_addresses_are_stored_as_a_label_and_shown_as_u_label(
    factory: DirectoryFactory,
) -> None:
    enterprise = await factory.enterprise()
    domain = await factory.domain(enterprise.id, "例子.中国")
    member = await factory.member(enterprise.id, name="小明")
    mailbox = await factory.directory.mailboxes.open(enterprise.id, member.id, domain.id, ACTOR)
    assert (mailbox.address, mailbox.display_address) == (
        "xiaoming@xn--fsqu00a.xn--fiqs8s",
        "xiaoming@例子.中国",
    )


async def test_local_part_ending_with_a_dot_is_invalid(factory: DirectoryFactory, tenant: Tenant) -> None:
    with pytest.raises(LocalPartInvalid):
        await factory.mailbox(tenant, local_part="xiaoming.")


async def test_address_in_use_is_occupied(factory: DirectoryFactory, tenant: Tenant) -> None:
    await factory.mailbox(tenant, local_part="support")
    with pytest.raises(AddressOccupied) as caught:
        await factory.mailbox(tenant, local_part="SUPPORT")
    assert caught.value.params == {"address": f"support@{tenant.domain.name}"}


async def test_address_of_a_group_is_occupied_for_mailboxes(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    await factory.directory.groups.create(tenant.enterprise.id, tenant.domain.id, "all", "Everyone", ACTOR)
    with pytest.raises(AddressOccupied):
        await factory.mailbox(tenant, local_part="all")


async def test_address_whose_mailbox_is_in_the_recycle_bin_says_restore_or_purge(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    old = await factory.mailbox(tenant, local_part="sales")
    await factory.directory.mailboxes.close(tenant.enterprise.id, old.id, ACTOR)
    with pytest.raises(AddressInRecycleBin) as caught:
        await factory.mailbox(tenant, local_part="sales")
    assert "restore or purge" in caught.value.text()


async def test_a_member_gets_only_one_mailbox(factory: DirectoryFactory, tenant: Tenant) -> None:
    member = await factory.member(tenant.enterprise.id)
    first = await factory.mailbox(tenant, member.id, local_part="one")
    with pytest.raises(MailboxAlreadyOpen) as caught:
        await factory.mailbox(tenant, member.id, local_part="two")
    assert caught.value.params == {"address": first.address}


async def test_a_member_whose_mailbox_is_recycled_must_restore_or_purge_it_first(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    member = await factory.member(tenant.enterprise.id)
    first = await factory.mailbox(tenant, member.id, local_part="one")
    await factory.directory.mailboxes.close(tenant.enterprise.id, first.id, ACTOR)
    with pytest.raises(AddressInRecycleBin):
        await factory.mailbox(tenant, member.id, local_part="two")


async def test_opening_beyond_the_seats_is_refused(factory: DirectoryFactory, tenant: Tenant) -> None:
    await factory.directory.enterprises.set_seats(tenant.enterprise.id, 1, ACTOR)
    await factory.mailbox(tenant)
    with pytest.raises(SeatsExhausted) as caught:
        await factory.mailbox(tenant)
    assert caught.value.params == {"seats": 1}


async def test_a_domain_of_another_enterprise_cannot_be_used(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    other = await factory.tenant()
    member = await factory.member(tenant.enterprise.id)
    with pytest.raises(DomainNotFound):
        await factory.directory.mailboxes.open(tenant.enterprise.id, member.id, other.domain.id, ACTOR)


async def test_suggestion_appends_the_first_free_number_when_the_pinyin_is_taken(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    await factory.mailbox(tenant, local_part="zhangsan")
    await factory.mailbox(tenant, local_part="zhangsan2")
    member = await factory.member(tenant.enterprise.id, name="张三")
    suggestion = await factory.directory.mailboxes.suggest_address(
        tenant.enterprise.id, member.id, tenant.domain.id
    )
    assert (suggestion.address, suggestion.is_preferred) == (f"zhangsan3@{tenant.domain.name}", False)


async def test_batch_open_numbers_namesakes_within_the_batch(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    members = await factory.members(tenant.enterprise.id, ["张三", "张三", "李四"])
    results = await factory.directory.mailboxes.open_batch(
        tenant.enterprise.id, [m.id for m in members], tenant.domain.id, ACTOR
    )
    domain = tenant.domain.name
    assert [(r.member_id, r.address, r.ok) for r in results] == [
        (members[0].id, f"zhangsan@{domain}", True),
        (members[1].id, f"zhangsan2@{domain}", True),
        (members[2].id, f"lisi@{domain}", True),
    ]


async def test_a_failure_in_a_batch_does_not_stop_the_others(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    opened, fresh = await factory.members(tenant.enterprise.id, ["王五", "赵六"])
    await factory.mailbox(tenant, opened.id)
    results = await factory.directory.mailboxes.open_batch(
        tenant.enterprise.id, [opened.id, 404, fresh.id], tenant.domain.id, ACTOR
    )
    assert [(r.member_id, r.ok, r.error_code) for r in results] == [
        (opened.id, False, "MAILBOX_ALREADY_OPEN"),
        (404, False, "MEMBER_NOT_FOUND"),
        (fresh.id, True, None),
    ]


async def test_close_moves_the_mailbox_to_the_recycle_bin(
    factory: DirectoryFactory, tenant: Tenant, clock: FakeClock
) -> None:
    mailbox = await factory.mailbox(tenant)
    closed = await factory.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    assert (closed.status, closed.recycled_at) == ("recycled", clock.now())


async def test_closing_a_recycled_mailbox_again_is_refused(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant)
    await factory.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    with pytest.raises(MailboxRecycled):
        await factory.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)


async def test_restore_reopens_the_mailbox_without_touching_its_mail(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    mailbox = await factory.mailbox(tenant)
    await factory.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    restored = await factory.directory.mailboxes.restore(tenant.enterprise.id, mailbox.id, ACTOR)
    assert (restored.status, restored.recycled_at, restored.address, factory.storage.purged) == (
        "open",
        None,
        mailbox.address,
        [],
    )


async def test_restoring_an_open_mailbox_is_refused(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant)
    with pytest.raises(MailboxNotInRecycleBin):
        await factory.directory.mailboxes.restore(tenant.enterprise.id, mailbox.id, ACTOR)


async def test_restore_beyond_the_seats_is_refused(factory: DirectoryFactory, tenant: Tenant) -> None:
    closed = await factory.mailbox(tenant)
    await factory.directory.mailboxes.close(tenant.enterprise.id, closed.id, ACTOR)
    await factory.mailbox(tenant)
    await factory.directory.enterprises.set_seats(tenant.enterprise.id, 1, ACTOR)
    with pytest.raises(SeatsExhausted):
        await factory.directory.mailboxes.restore(tenant.enterprise.id, closed.id, ACTOR)


async def test_a_deleted_members_mailbox_can_be_restored_to_another_member(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    directory, eid = factory.directory, tenant.enterprise.id
    leaver, successor = await factory.member(eid), await factory.member(eid)
    mailbox = await factory.mailbox(tenant, leaver.id)
    await directory.members.disable(eid, leaver.id, ACTOR)
    await directory.members.delete(eid, leaver.id, ACTOR)
    await directory.mailboxes.restore(eid, mailbox.id, ACTOR, member_id=successor.id)
    assert (await directory.mailboxes.for_member(eid, successor.id)).id == mailbox.id


async def test_purging_an_open_mailbox_is_refused(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant)
    with pytest.raises(MailboxNotInRecycleBin):
        await factory.directory.mailboxes.purge(tenant.enterprise.id, mailbox.id, ACTOR)


async def test_purge_deletes_the_mail_and_frees_the_address(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    old = await factory.mailbox(tenant, local_part="sales")
    await factory.directory.mailboxes.close(tenant.enterprise.id, old.id, ACTOR)
    await factory.directory.mailboxes.purge(tenant.enterprise.id, old.id, ACTOR)
    new = await factory.mailbox(tenant, local_part="sales")
    assert (factory.storage.purged, new.address, new.status) == ([old.id], old.address, "open")


async def test_recycle_bin_lists_days_left_before_the_automatic_purge(
    factory: DirectoryFactory, tenant: Tenant, clock: FakeClock
) -> None:
    mailbox = await factory.mailbox(tenant)
    await factory.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    closed_at = clock.now()
    clock.advance(days=10, hours=1)
    [entry] = await factory.directory.mailboxes.recycle_bin(tenant.enterprise.id)
    assert (entry.mailbox.id, entry.purge_at, entry.days_left) == (
        mailbox.id,
        closed_at + dt.timedelta(days=30),
        20,
    )


async def test_member_without_an_open_mailbox_is_not_authorised_for_mail(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    member = await factory.member(tenant.enterprise.id)
    with pytest.raises(MailboxNotOpened):
        await factory.directory.mailboxes.for_member(tenant.enterprise.id, member.id)


async def test_lookup_by_address_accepts_any_case_and_the_u_label(factory: DirectoryFactory) -> None:
    enterprise = await factory.enterprise()
    domain = await factory.domain(enterprise.id, "例子.中国")
    member = await factory.member(enterprise.id, name="小明")
    mailbox = await factory.directory.mailboxes.open(enterprise.id, member.id, domain.id, ACTOR)
    assert await factory.directory.mailboxes.get_by_address(enterprise.id, "XiaoMing@例子.中国") == mailbox


async def test_mailbox_address_cannot_be_changed(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant, local_part="old")
    with pytest.raises(MailboxAddressImmutable):
        await factory.directory.mailboxes.change_address(
            tenant.enterprise.id, mailbox.id, f"new@{tenant.domain.name}"
        )


async def test_quota_is_unlimited_by_default_and_can_be_set(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    mailbox = await factory.mailbox(tenant)
    limited = await factory.directory.mailboxes.set_quota(
        tenant.enterprise.id, mailbox.id, 2 * 1024**3, ACTOR
    )
    assert (mailbox.quota_bytes, limited.quota_bytes) == (None, 2 * 1024**3)


async def test_negative_quota_is_invalid(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant)
    with pytest.raises(QuotaInvalid):
        await factory.directory.mailboxes.set_quota(tenant.enterprise.id, mailbox.id, -1, ACTOR)


async def test_concurrent_opens_of_one_address_let_exactly_one_win(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    a, b = await factory.members(tenant.enterprise.id, ["A", "B"])
    results = await asyncio.gather(
        factory.mailbox(tenant, a.id, local_part="sales"),
        factory.mailbox(tenant, b.id, local_part="sales"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["AddressOccupied", "Mailbox"]
