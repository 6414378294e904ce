"""Shared (public) mailboxes and aliases (PRODUCT §2, §5): create, members, list, delete."""

from __future__ import annotations

import pytest

from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.errors import (
    AddressOccupied,
    AliasNotFound,
    MailboxRecycled,
    MemberNotFound,
    SharedMailboxNameInvalid,
    SharedMailboxNotFound,
)


async def test_shared_mailbox_is_created_with_its_members(factory: DirectoryFactory, tenant: Tenant) -> None:
    a, b = await factory.member(tenant.enterprise.id), await factory.member(tenant.enterprise.id)
    shared = await factory.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "HR", "Human Resources", ACTOR, member_ids=[b.id, a.id, b.id]
    )
    assert (shared.mailbox.address, shared.mailbox.kind, shared.mailbox.member_id, shared.member_ids) == (
        f"hr@{tenant.domain.name}",
        "shared",
        None,
        (a.id, b.id),
    )


async def test_shared_mailbox_takes_an_address_like_any_mailbox(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    await factory.mailbox(tenant, local_part="support")
    with pytest.raises(AddressOccupied):
        await factory.directory.shared_mailboxes.create(
            tenant.enterprise.id, tenant.domain.id, "support", "S", ACTOR
        )


async def test_shared_mailbox_name_is_required(factory: DirectoryFactory, tenant: Tenant) -> None:
    with pytest.raises(SharedMailboxNameInvalid):
        await factory.directory.shared_mailboxes.create(
            tenant.enterprise.id, tenant.domain.id, "hr", " ", ACTOR
        )


async def test_members_are_added_to_and_removed_from_a_shared_mailbox(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    eid, shared_boxes = tenant.enterprise.id, factory.directory.shared_mailboxes
    a, b = await factory.member(eid), await factory.member(eid)
    shared = await shared_boxes.create(eid, tenant.domain.id, "hr", "HR", ACTOR, member_ids=[a.id])
    await shared_boxes.add_member(eid, shared.mailbox.id, b.id, ACTOR)
    after = await shared_boxes.remove_member(eid, shared.mailbox.id, a.id, ACTOR)
    assert after.member_ids == (b.id,)


async def test_a_member_of_another_enterprise_cannot_join_a_shared_mailbox(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    outsider = await factory.member((await factory.enterprise()).id)
    shared = await factory.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR
    )
    with pytest.raises(MemberNotFound):
        await factory.directory.shared_mailboxes.add_member(
            tenant.enterprise.id, shared.mailbox.id, outsider.id, ACTOR
        )


async def test_shared_mailboxes_are_listed_without_personal_ones(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    await factory.mailbox(tenant)
    shared = await factory.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR
    )
    assert await factory.directory.shared_mailboxes.list_shared(tenant.enterprise.id) == (shared,)


async def test_a_personal_mailbox_is_not_a_shared_one(factory: DirectoryFactory, tenant: Tenant) -> None:
    personal = await factory.mailbox(tenant)
    with pytest.raises(SharedMailboxNotFound):
        await factory.directory.shared_mailboxes.get(tenant.enterprise.id, personal.id)


async def test_deleting_a_shared_mailbox_puts_it_in_the_recycle_bin(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    shared = await factory.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR
    )
    deleted = await factory.directory.shared_mailboxes.delete(tenant.enterprise.id, shared.mailbox.id, ACTOR)
    assert deleted.status == "recycled"


async def test_alias_adds_an_address_to_a_mailbox(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant)
    alias = await factory.directory.aliases.add(
        tenant.enterprise.id, mailbox.id, tenant.domain.id, "Boss", ACTOR
    )
    listed = await factory.directory.aliases.list_aliases(tenant.enterprise.id, mailbox_id=mailbox.id)
    assert (alias.address, alias.mailbox_id, listed) == (f"boss@{tenant.domain.name}", mailbox.id, (alias,))


async def test_alias_address_in_use_is_occupied(factory: DirectoryFactory, tenant: Tenant) -> None:
    taken = await factory.mailbox(tenant, local_part="boss")
    other = await factory.mailbox(tenant)
    with pytest.raises(AddressOccupied):
        await factory.directory.aliases.add(tenant.enterprise.id, other.id, tenant.domain.id, "boss", ACTOR)
    assert taken.address == f"boss@{tenant.domain.name}"


async def test_alias_for_a_recycled_mailbox_is_refused(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant)
    await factory.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    with pytest.raises(MailboxRecycled):
        await factory.directory.aliases.add(tenant.enterprise.id, mailbox.id, tenant.domain.id, "boss", ACTOR)


async def test_removing_an_alias_frees_its_address(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant)
    alias = await factory.directory.aliases.add(
        tenant.enterprise.id, mailbox.id, tenant.domain.id, "boss", ACTOR
    )
    await factory.directory.aliases.remove(tenant.enterprise.id, alias.id, ACTOR)
    reused = await factory.mailbox(tenant, local_part="boss")
    assert reused.address == alias.address


async def test_removing_an_unknown_alias_is_not_found(factory: DirectoryFactory, tenant: Tenant) -> None:
    with pytest.raises(AliasNotFound):
        await factory.directory.aliases.remove(tenant.enterprise.id, 404, ACTOR)
