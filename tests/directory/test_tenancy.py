"""Tenant isolation: an id of another enterprise behaves exactly like a missing id (NotFound)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.directory import Directory
from yunmail.errors import NotFound


@dataclass(frozen=True, slots=True)
class Foreign:
    """Ids that belong to the *other* enterprise."""

    enterprise: int
    department: int
    member: int
    mailbox: int
    recycled: int
    shared: int
    group: int
    alias: int
    domain: int


@pytest.fixture
async def foreign(factory: DirectoryFactory) -> Foreign:
    other = await factory.tenant()
    eid, d = other.enterprise.id, factory.directory
    department = await d.departments.create(eid, "Secret", ACTOR)
    member = await factory.member(eid, department_id=department.id)
    mailbox = await factory.mailbox(other, member.id)
    recycled = await factory.mailbox(other)
    await d.mailboxes.close(eid, recycled.id, ACTOR)
    shared = await d.shared_mailboxes.create(eid, other.domain.id, "hr", "HR", ACTOR)
    group = await d.groups.create(eid, other.domain.id, "all", "All", ACTOR)
    alias = await d.aliases.add(eid, mailbox.id, other.domain.id, "boss", ACTOR)
    return Foreign(
        eid,
        department.id,
        member.id,
        mailbox.id,
        recycled.id,
        shared.mailbox.id,
        group.id,
        alias.id,
        other.domain.id,
    )


Operation = Callable[[DirectoryFactory, int, Foreign], Awaitable[object]]


def d(factory: DirectoryFactory) -> Directory:
    return factory.directory


OPERATIONS: dict[str, Operation] = {
    "department.get": lambda f, e, x: d(f).departments.get(e, x.department),
    "department.rename": lambda f, e, x: d(f).departments.rename(e, x.department, "Mine", ACTOR),
    "department.move": lambda f, e, x: d(f).departments.move(e, x.department, None, ACTOR),
    "department.delete": lambda f, e, x: d(f).departments.delete(e, x.department, ACTOR),
    "department.as_parent": lambda f, e, x: d(f).departments.create(e, "Sub", ACTOR, parent_id=x.department),
    "member.get": lambda f, e, x: d(f).members.get(e, x.member),
    "member.update": lambda f, e, x: d(f).members.update(e, x.member, ACTOR, name="Mine"),
    "member.disable": lambda f, e, x: d(f).members.disable(e, x.member, ACTOR),
    "member.delete": lambda f, e, x: d(f).members.delete(e, x.member, ACTOR),
    "member.reset_password": lambda f, e, x: d(f).members.reset_password(e, x.member, "Reset-pass-1", ACTOR),
    "member.search_department": lambda f, e, x: d(f).members.search(e, department_id=x.department),
    "mailbox.get": lambda f, e, x: d(f).mailboxes.get(e, x.mailbox),
    "mailbox.close": lambda f, e, x: d(f).mailboxes.close(e, x.mailbox, ACTOR),
    "mailbox.restore": lambda f, e, x: d(f).mailboxes.restore(e, x.recycled, ACTOR),
    "mailbox.purge": lambda f, e, x: d(f).mailboxes.purge(e, x.recycled, ACTOR),
    "mailbox.for_member": lambda f, e, x: d(f).mailboxes.for_member(e, x.member),
    "shared.get": lambda f, e, x: d(f).shared_mailboxes.get(e, x.shared),
    "group.get": lambda f, e, x: d(f).groups.get(e, x.group),
    "group.delete": lambda f, e, x: d(f).groups.delete(e, x.group, ACTOR),
    "alias.remove": lambda f, e, x: d(f).aliases.remove(e, x.alias, ACTOR),
    "domain.get": lambda f, e, x: f.domains.get(e, x.domain),
    "domain.remove": lambda f, e, x: f.domains.remove(e, x.domain, ACTOR),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_ids_of_another_enterprise_are_not_found(
    factory: DirectoryFactory, tenant: Tenant, foreign: Foreign, operation: str
) -> None:
    with pytest.raises(NotFound):
        await OPERATIONS[operation](factory, tenant.enterprise.id, foreign)


async def test_opening_a_mailbox_for_another_enterprises_member_is_not_found(
    factory: DirectoryFactory, tenant: Tenant, foreign: Foreign
) -> None:
    with pytest.raises(NotFound):
        await factory.directory.mailboxes.open(tenant.enterprise.id, foreign.member, tenant.domain.id, ACTOR)


async def test_listings_show_only_the_enterprises_own_rows(
    factory: DirectoryFactory, tenant: Tenant, foreign: Foreign
) -> None:
    d, eid = factory.directory, tenant.enterprise.id
    listings = (
        (await d.members.search(eid)).total,
        await d.departments.tree(eid),
        await d.mailboxes.list_mailboxes(eid),
        await d.mailboxes.recycle_bin(eid),
        await d.shared_mailboxes.list_shared(eid),
        await d.groups.list_groups(eid),
        await d.aliases.list_aliases(eid),
        [x.id for x in await factory.domains.list_domains(eid)],
    )
    assert listings == (0, (), (), (), (), (), (), [tenant.domain.id])


async def test_foreign_rows_are_untouched_by_refused_operations(
    factory: DirectoryFactory, tenant: Tenant, foreign: Foreign
) -> None:
    with pytest.raises(NotFound):
        await factory.directory.members.update(tenant.enterprise.id, foreign.member, ACTOR, name="Mine")
    assert (await factory.directory.members.get(foreign.enterprise, foreign.member)).name.startswith("Member")
