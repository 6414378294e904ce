"""Audit: every directory write leaves one entry (actor, action, target) in the same transaction."""

from __future__ import annotations

import pytest

from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.errors import AccountTaken


async def test_writes_are_audited_with_actor_action_and_target(factory: DirectoryFactory) -> None:
    d = factory.directory
    enterprise = await d.enterprises.create("Acme", "acme", "operator:root")
    domain = await factory.domains.add(enterprise.id, "acme.example", "admin:li", trust=True)
    member = await factory.member(enterprise.id, account="lilei")
    mailbox = await d.mailboxes.open(enterprise.id, member.id, domain.id, "admin:li", local_part="li")
    await d.mailboxes.close(enterprise.id, mailbox.id, "admin:han")
    entries = await d.audit_log(enterprise.id)
    assert [(e.actor, e.action, e.target) for e in reversed(entries)] == [
        ("operator:root", "enterprise.create", "acme"),
        ("admin:li", "domain.add", "acme.example"),
        (ACTOR, "member.add", f"member:{member.id}"),
        ("admin:li", "mailbox.open", "li@acme.example"),
        ("admin:han", "mailbox.close", "li@acme.example"),
    ]


async def test_audit_never_records_passwords(factory: DirectoryFactory, tenant: Tenant) -> None:
    member = await factory.member(tenant.enterprise.id)
    await factory.directory.members.reset_password(tenant.enterprise.id, member.id, "Reset-pass-1", ACTOR)
    entries = await factory.directory.audit_log(tenant.enterprise.id)
    assert [e for e in entries if "pass-1" in repr(e.detail) or "Secret" in repr(e.detail)] == []


async def test_a_refused_write_leaves_no_audit_entry(factory: DirectoryFactory, tenant: Tenant) -> None:
    await factory.member(tenant.enterprise.id, account="lilei")
    before = await factory.directory.audit_log(tenant.enterprise.id)
    with pytest.raises(AccountTaken):
        await factory.member(tenant.enterprise.id, account="LILEI")
    assert await factory.directory.audit_log(tenant.enterprise.id) == before
