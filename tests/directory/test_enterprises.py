"""Enterprises (PRODUCT §2): creation, immutability, lookup, settings, seats and two-step dissolving."""

from __future__ import annotations

import datetime as dt

import pytest

from support.factories import ACTOR, DirectoryFactory
from yunmail.clock import FakeClock
from yunmail.directory import Directory
from yunmail.errors import (
    DissolveConfirmationInvalid,
    DissolveConfirmationRequired,
    EnterpriseImmutable,
    EnterpriseNotEmpty,
    EnterpriseNotFound,
    EnterpriseSettingInvalid,
    OrgIdTaken,
    SeatsInvalid,
)


async def test_create_normalises_the_org_id_and_starts_a_fifteen_day_trial(
    directory: Directory, clock: FakeClock
) -> None:
    enterprise = await directory.enterprises.create("  Kingsoft   Mail ", "KMail", ACTOR)
    assert (enterprise.name, enterprise.org_id, enterprise.status, enterprise.trial_ends_at) == (
        "Kingsoft Mail",
        "kmail",
        "active",
        clock.now() + dt.timedelta(days=15),
    )


async def test_org_id_used_by_another_enterprise_is_refused(directory: Directory) -> None:
    await directory.enterprises.create("First", "kmail", ACTOR)
    with pytest.raises(OrgIdTaken) as caught:
        await directory.enterprises.create("Second", "KMAIL", ACTOR)
    assert caught.value.params == {"org_id": "kmail"}


@pytest.mark.parametrize("change", [{"name": "Renamed"}, {"org_id": "other"}])
async def test_name_and_org_id_cannot_be_changed(directory: Directory, change: dict[str, str]) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    with pytest.raises(EnterpriseImmutable):
        await directory.enterprises.change_identity(enterprise.id, ACTOR, **change)


async def test_restating_the_same_name_and_org_id_is_not_a_change(directory: Directory) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    assert (
        await directory.enterprises.change_identity(enterprise.id, ACTOR, name="Acme", org_id="ACME")
        == enterprise
    )


async def test_lookup_by_org_id_ignores_case(directory: Directory) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    assert await directory.enterprises.get_by_org_id("ACME") == enterprise


async def test_unknown_enterprise_id_is_not_found(directory: Directory) -> None:
    with pytest.raises(EnterpriseNotFound):
        await directory.enterprises.get(999)


async def test_search_matches_name_or_org_id_and_pages(directory: Directory) -> None:
    for name, org in [("Alpha Trading", "alpha"), ("Beta", "beta-trade"), ("Gamma", "gamma")]:
        await directory.enterprises.create(name, org, ACTOR)
    page = await directory.enterprises.search("TRAD", offset=1, limit=1)
    assert ([e.org_id for e in page.items], page.total) == (["beta-trade"], 2)


async def test_settings_are_merged_and_none_removes_a_key(directory: Directory) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    await directory.enterprises.update_settings(
        enterprise.id, {"daily_send_limit": 800, "theme": "blue"}, ACTOR
    )
    await directory.enterprises.update_settings(enterprise.id, {"theme": None, "max_recipients": 100}, ACTOR)
    assert dict(await directory.enterprises.settings(enterprise.id)) == {
        "daily_send_limit": 800,
        "max_recipients": 100,
    }


@pytest.mark.parametrize("value", [0, -5, "800", True, 1.5])
async def test_sending_limit_setting_must_be_a_positive_whole_number(
    directory: Directory, value: object
) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    with pytest.raises(EnterpriseSettingInvalid):
        await directory.enterprises.update_settings(enterprise.id, {"daily_send_limit": value}, ACTOR)


async def test_negative_seats_are_invalid(directory: Directory) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    with pytest.raises(SeatsInvalid):
        await directory.enterprises.set_seats(enterprise.id, -1, ACTOR)


async def test_dissolve_is_refused_while_departments_or_members_remain(factory: DirectoryFactory) -> None:
    directory = factory.directory
    enterprise = await factory.enterprise()
    await directory.departments.create(enterprise.id, "Sales", ACTOR)
    await factory.member(enterprise.id)
    await factory.member(enterprise.id)
    with pytest.raises(EnterpriseNotEmpty) as caught:
        await directory.enterprises.request_dissolve(enterprise.id, ACTOR)
    assert caught.value.params == {"departments": 1, "members": 2}


async def test_dissolve_without_the_confirmation_token_asks_for_it(directory: Directory) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    with pytest.raises(DissolveConfirmationRequired):
        await directory.enterprises.dissolve(enterprise.id, None, ACTOR)


async def test_dissolve_with_a_wrong_token_is_refused(directory: Directory) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    await directory.enterprises.request_dissolve(enterprise.id, ACTOR)
    with pytest.raises(DissolveConfirmationInvalid):
        await directory.enterprises.dissolve(enterprise.id, "not-the-token", ACTOR)


async def test_dissolve_confirmation_expires_after_ten_minutes(
    directory: Directory, clock: FakeClock
) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    confirmation = await directory.enterprises.request_dissolve(enterprise.id, ACTOR)
    clock.advance(minutes=10)
    with pytest.raises(DissolveConfirmationInvalid):
        await directory.enterprises.dissolve(enterprise.id, confirmation.token, ACTOR)


async def test_members_added_after_the_request_block_the_dissolve(factory: DirectoryFactory) -> None:
    enterprise = await factory.enterprise()
    confirmation = await factory.directory.enterprises.request_dissolve(enterprise.id, ACTOR)
    await factory.member(enterprise.id)
    with pytest.raises(EnterpriseNotEmpty):
        await factory.directory.enterprises.dissolve(enterprise.id, confirmation.token, ACTOR)


async def test_dissolve_deletes_the_enterprise_its_domains_and_its_mailboxes_mail(
    factory: DirectoryFactory,
) -> None:
    directory = factory.directory
    tenant = await factory.tenant()
    eid = tenant.enterprise.id
    shared = await directory.shared_mailboxes.create(eid, tenant.domain.id, "hr", "HR", ACTOR)
    member = await factory.member(eid)
    personal = await factory.mailbox(tenant, member.id)
    await directory.members.disable(eid, member.id, ACTOR)
    await directory.members.delete(eid, member.id, ACTOR)  # its mailbox waits in the recycle bin
    confirmation = await directory.enterprises.request_dissolve(eid, ACTOR)

    await directory.enterprises.dissolve(eid, confirmation.token, ACTOR)

    assert sorted(factory.storage.purged) == sorted([shared.mailbox.id, personal.id])
    assert await directory.recipients.resolve(shared.mailbox.address) is None
    assert await factory.domains.list_domains(eid) == []
    with pytest.raises(EnterpriseNotFound):
        await directory.enterprises.get(eid)


async def test_org_id_and_domain_are_free_again_after_dissolving(factory: DirectoryFactory) -> None:
    directory = factory.directory
    tenant = await factory.tenant()
    confirmation = await directory.enterprises.request_dissolve(tenant.enterprise.id, ACTOR)
    await directory.enterprises.dissolve(tenant.enterprise.id, confirmation.token, ACTOR)
    again = await directory.enterprises.create("Again", tenant.enterprise.org_id, ACTOR)
    domain = await factory.domains.add(again.id, tenant.domain.name, ACTOR)
    assert (again.org_id, domain.name) == (tenant.enterprise.org_id, tenant.domain.name)


async def test_dissolving_leaves_one_platform_audit_entry_and_none_of_the_tenant(
    directory: Directory,
) -> None:
    enterprise = await directory.enterprises.create("Acme", "acme", ACTOR)
    confirmation = await directory.enterprises.request_dissolve(enterprise.id, ACTOR)
    await directory.enterprises.dissolve(enterprise.id, confirmation.token, "operator:root")
    platform = await directory.audit_log(None)
    assert [(e.actor, e.action, e.target) for e in platform] == [
        ("operator:root", "enterprise.dissolve", "acme")
    ]
    assert await directory.audit_log(enterprise.id) == ()


async def test_interrupted_dissolve_is_finished_by_calling_it_again(factory: DirectoryFactory) -> None:
    directory = factory.directory
    tenant = await factory.tenant()
    shared = await directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "hr", "HR", ACTOR
    )
    confirmation = await directory.enterprises.request_dissolve(tenant.enterprise.id, ACTOR)
    factory.storage.fail_purge.add(shared.mailbox.id)
    with pytest.raises(OSError):
        await directory.enterprises.dissolve(tenant.enterprise.id, confirmation.token, ACTOR)
    factory.storage.fail_purge.clear()

    await directory.enterprises.dissolve(tenant.enterprise.id, None, ACTOR)

    assert factory.storage.purged == [shared.mailbox.id]
    with pytest.raises(EnterpriseNotFound):
        await directory.enterprises.get(tenant.enterprise.id)
