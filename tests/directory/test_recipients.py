"""Recipient resolution for SMTP RCPT and delivery: mailboxes, aliases, groups, recycle bin, unknown."""

from __future__ import annotations

import pytest

from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.directory import Recipient
from yunmail.errors import MailboxRecycled


async def test_personal_mailbox_resolves_ignoring_case(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant, local_part="xiaoming")
    found = await factory.directory.recipients.resolve(f"XiaoMing@{tenant.domain.name.upper()}.")
    assert found == Recipient(mailbox.address, tenant.enterprise.id, "mailbox", mailbox_ids=(mailbox.id,))


async def test_idn_address_resolves_from_its_u_label(factory: DirectoryFactory) -> None:
    enterprise = await factory.enterprise()
    domain = await factory.domain(enterprise.id, "例子.中国")
    member = await factory.member(enterprise.id, name="小明")
    mailbox = await factory.directory.mailboxes.open(enterprise.id, member.id, domain.id, ACTOR)
    found = await factory.directory.recipients.resolve("xiaoming@例子.中国")
    assert found is not None and found.mailbox_ids == (mailbox.id,)


async def test_shared_mailbox_resolves_to_itself(factory: DirectoryFactory, tenant: Tenant) -> None:
    shared = await factory.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR
    )
    found = await factory.directory.recipients.resolve(shared.mailbox.address)
    assert found is not None and (found.kind, found.mailbox_ids) == ("mailbox", (shared.mailbox.id,))


async def test_alias_resolves_to_its_mailbox(factory: DirectoryFactory, tenant: Tenant) -> None:
    mailbox = await factory.mailbox(tenant)
    alias = await factory.directory.aliases.add(
        tenant.enterprise.id, mailbox.id, tenant.domain.id, "boss", ACTOR
    )
    found = await factory.directory.recipients.resolve(alias.address)
    assert found == Recipient(alias.address, tenant.enterprise.id, "alias", mailbox_ids=(mailbox.id,))


async def test_group_expands_to_open_member_mailboxes_once_and_outside_addresses(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    eid = tenant.enterprise.id
    a, b, closed, no_box = [await factory.member(eid) for _ in range(4)]
    box_a, box_b = await factory.mailbox(tenant, a.id), await factory.mailbox(tenant, b.id)
    box_closed = await factory.mailbox(tenant, closed.id)
    await factory.directory.mailboxes.close(eid, box_closed.id, ACTOR)
    group = await factory.directory.groups.create(
        eid,
        tenant.domain.id,
        "all",
        "Everyone",
        ACTOR,
        member_ids=[a.id, b.id, closed.id, no_box.id],
        addresses=[box_a.address, "partner@example.org"],
    )
    found = await factory.directory.recipients.resolve(group.address)
    assert found is not None
    assert (found.kind, sorted(found.mailbox_ids), found.external) == (
        "group",
        sorted([box_a.id, box_b.id]),
        ("partner@example.org",),
    )


async def test_groups_on_a_group_list_are_not_expanded_again(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    eid, did = tenant.enterprise.id, tenant.domain.id
    inner = await factory.directory.groups.create(eid, did, "inner", "Inner", ACTOR)
    outer = await factory.directory.groups.create(
        eid, did, "outer", "Outer", ACTOR, addresses=[inner.address]
    )
    found = await factory.directory.recipients.resolve(outer.address)
    assert found is not None and (found.mailbox_ids, found.external) == ((), ())


async def test_recycled_mailbox_resolves_as_recycled_and_refuses_mail(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    mailbox = await factory.mailbox(tenant)
    await factory.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    found = await factory.directory.recipients.resolve(mailbox.address)
    assert found is not None and (found.recycled, found.mailbox_ids) == (True, ())
    with pytest.raises(MailboxRecycled):
        found.require_deliverable()


async def test_alias_of_a_recycled_mailbox_resolves_as_recycled(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    mailbox = await factory.mailbox(tenant)
    alias = await factory.directory.aliases.add(
        tenant.enterprise.id, mailbox.id, tenant.domain.id, "boss", ACTOR
    )
    await factory.directory.mailboxes.close(tenant.enterprise.id, mailbox.id, ACTOR)
    found = await factory.directory.recipients.resolve(alias.address)
    assert found is not None and (found.kind, found.recycled) == ("alias", True)


@pytest.mark.parametrize(
    "address", ["nobody@mail1.example", "nobody@unknown.example", "no-at-sign", "x@bad_domain"]
)
async def test_unknown_or_malformed_addresses_resolve_to_none(
    factory: DirectoryFactory, address: str
) -> None:
    await factory.tenant()
    assert await factory.directory.recipients.resolve(address) is None
