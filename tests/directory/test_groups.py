"""Groups / distribution lists (PRODUCT §2): members and addresses, address reservation, delete."""

from __future__ import annotations

import pytest

from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.errors import AddressInvalid, AddressOccupied, GroupNameInvalid, GroupNotFound, MemberNotFound


async def test_group_is_created_with_members_and_outside_addresses(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    a = await factory.member(tenant.enterprise.id)
    group = await factory.directory.groups.create(
        tenant.enterprise.id,
        tenant.domain.id,
        "All",
        "Everyone",
        ACTOR,
        member_ids=[a.id],
        addresses=["Partner@Example.ORG"],
    )
    assert (group.address, group.name, group.member_ids, group.addresses) == (
        f"all@{tenant.domain.name}",
        "Everyone",
        (a.id,),
        ("partner@example.org",),
    )


async def test_group_address_in_use_is_occupied(factory: DirectoryFactory, tenant: Tenant) -> None:
    await factory.mailbox(tenant, local_part="all")
    with pytest.raises(AddressOccupied):
        await factory.directory.groups.create(
            tenant.enterprise.id, tenant.domain.id, "all", "Everyone", ACTOR
        )


async def test_group_name_is_required(factory: DirectoryFactory, tenant: Tenant) -> None:
    with pytest.raises(GroupNameInvalid):
        await factory.directory.groups.create(tenant.enterprise.id, tenant.domain.id, "all", "", ACTOR)


async def test_members_are_added_and_removed(factory: DirectoryFactory, tenant: Tenant) -> None:
    eid = tenant.enterprise.id
    a, b = await factory.member(eid), await factory.member(eid)
    group = await factory.directory.groups.create(
        eid, tenant.domain.id, "all", "Everyone", ACTOR, member_ids=[a.id]
    )
    await factory.directory.groups.add_member(eid, group.id, b.id, ACTOR)
    await factory.directory.groups.add_member(eid, group.id, b.id, ACTOR)
    after = await factory.directory.groups.remove_member(eid, group.id, a.id, ACTOR)
    assert after.member_ids == (b.id,)


async def test_addresses_are_added_and_removed(factory: DirectoryFactory, tenant: Tenant) -> None:
    eid = tenant.enterprise.id
    group = await factory.directory.groups.create(eid, tenant.domain.id, "all", "Everyone", ACTOR)
    await factory.directory.groups.add_address(eid, group.id, "a@example.org", ACTOR)
    await factory.directory.groups.add_address(eid, group.id, "b@example.org", ACTOR)
    after = await factory.directory.groups.remove_address(eid, group.id, "A@EXAMPLE.org", ACTOR)
    assert after.addresses == ("b@example.org",)


async def test_an_entry_that_is_not_an_address_is_invalid(factory: DirectoryFactory, tenant: Tenant) -> None:
    group = await factory.directory.groups.create(
        tenant.enterprise.id, tenant.domain.id, "all", "Everyone", ACTOR
    )
    with pytest.raises(AddressInvalid):
        await factory.directory.groups.add_address(tenant.enterprise.id, group.id, "not an address", ACTOR)


async def test_a_member_of_another_enterprise_cannot_be_added(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    outsider = await factory.member((await factory.enterprise()).id)
    group = await factory.directory.groups.create(
        tenant.enterprise.id, tenant.domain.id, "all", "Everyone", ACTOR
    )
    with pytest.raises(MemberNotFound):
        await factory.directory.groups.add_member(tenant.enterprise.id, group.id, outsider.id, ACTOR)


async def test_delete_removes_the_group_and_frees_its_address(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    group = await factory.directory.groups.create(
        tenant.enterprise.id, tenant.domain.id, "all", "Everyone", ACTOR
    )
    await factory.directory.groups.delete(tenant.enterprise.id, group.id, ACTOR)
    with pytest.raises(GroupNotFound):
        await factory.directory.groups.get(tenant.enterprise.id, group.id)
    assert (await factory.mailbox(tenant, local_part="all")).address == group.address


async def test_groups_are_listed_by_address(factory: DirectoryFactory, tenant: Tenant) -> None:
    eid, did = tenant.enterprise.id, tenant.domain.id
    sales = await factory.directory.groups.create(eid, did, "sales", "Sales", ACTOR)
    everyone = await factory.directory.groups.create(eid, did, "all", "Everyone", ACTOR)
    assert await factory.directory.groups.list_groups(eid) == (everyone, sales)
