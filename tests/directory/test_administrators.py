"""Enterprise administrators (PRODUCT §1, §2): listing with invitations, last-admin rule, sign-in check."""

from __future__ import annotations

import pytest

from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.clock import FakeClock
from yunmail.directory import Administrator, Directory
from yunmail.errors import (
    AdministratorLoginInvalid,
    AdministratorLoginTaken,
    AdministratorNameInvalid,
    AdministratorNotFound,
    EnterpriseSuspended,
    LastAdministrator,
    LoginAccountDisabled,
    LoginInvalid,
    PasswordTooShort,
)
from yunmail.storage import Database
from yunmail.storage.repos import enterprises as enterprise_rows

PASSWORD = "Admin-Secret-1"


async def admin(directory: Directory, tenant: Tenant, login: str) -> Administrator:
    return await directory.administrators.create_first(
        tenant.enterprise.id, f"Admin {login}", "13800000001", f"{login}@example.com", login, PASSWORD
    )


# --- creation by the operator ------------------------------------------------------------------------


async def test_create_first_makes_an_active_administrator(directory: Directory, tenant: Tenant) -> None:
    created = await directory.administrators.create_first(
        tenant.enterprise.id, " 张  伟 ", "+86 138 0000 0001", "Zhang.Wei@Example.com", None, PASSWORD
    )
    assert (created.name, created.phone, created.email, created.login, created.status) == (
        "张 伟",
        "13800000001",
        "Zhang.Wei@Example.com",
        "zhang.wei@example.com",
        "active",
    )


async def test_login_is_unique_across_enterprises(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant
) -> None:
    other = await factory.enterprise()
    await directory.administrators.create_first(other.id, "A", None, "boss@example.com", None, PASSWORD)
    with pytest.raises(AdministratorLoginTaken) as caught:
        await directory.administrators.create_first(
            tenant.enterprise.id, "B", None, "b@example.com", "BOSS@example.com", PASSWORD
        )
    assert caught.value.params == {"login": "boss@example.com"}


@pytest.mark.parametrize("login", ["ab", "has space", "x" * 255, "中文"])
async def test_malformed_login_is_refused(directory: Directory, tenant: Tenant, login: str) -> None:
    with pytest.raises(AdministratorLoginInvalid):
        await directory.administrators.create_first(
            tenant.enterprise.id, "A", None, "a@example.com", login, PASSWORD
        )


async def test_administrator_needs_a_name(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(AdministratorNameInvalid):
        await directory.administrators.create_first(
            tenant.enterprise.id, "  ", None, "a@example.com", None, PASSWORD
        )


async def test_administrator_password_follows_the_policy(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(PasswordTooShort):
        await directory.administrators.create_first(
            tenant.enterprise.id, "A", None, "a@example.com", None, "Ab1"
        )


# --- listing -----------------------------------------------------------------------------------------


async def test_list_shows_administrators_and_pending_and_expired_invitations(
    directory: Directory, tenant: Tenant, clock: FakeClock
) -> None:
    first = await admin(directory, tenant, "first")
    disabled = await admin(directory, tenant, "second")
    await directory.administrators.disable(tenant.enterprise.id, disabled.id, ACTOR)
    eid = tenant.enterprise.id
    await directory.invitations.invite(eid, "Old", None, "old@example.com", ACTOR, validity_days=1)
    clock.advance(days=2)
    await directory.invitations.invite(eid, "New", None, "new@example.com", ACTOR)
    revoked, _ = await directory.invitations.invite(eid, "Gone", None, "gone@example.com", ACTOR)
    await directory.invitations.revoke(eid, revoked.id, ACTOR)
    entries = await directory.administrators.list(eid)
    assert [(e.status, e.name) for e in entries] == [
        ("active", first.name),
        ("disabled", disabled.name),
        ("pending", "New"),
        ("expired", "Old"),
    ]


async def test_accepted_invitation_is_listed_as_its_administrator_only(
    directory: Directory, tenant: Tenant
) -> None:
    _, token = await directory.invitations.invite(tenant.enterprise.id, "王芳", None, "w@example.com", ACTOR)
    accepted = await directory.invitations.accept(token, PASSWORD)
    entries = await directory.administrators.list(tenant.enterprise.id)
    assert [(e.status, e.administrator) for e in entries] == [("active", accepted)]


async def test_another_enterprises_administrators_are_not_listed(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant
) -> None:
    other = await factory.tenant()
    await admin(directory, other, "theirs")
    assert await directory.administrators.list(tenant.enterprise.id) == ()


# --- disable, enable, remove ---------------------------------------------------------------------------


async def test_disabling_the_last_active_administrator_is_refused(
    directory: Directory, tenant: Tenant
) -> None:
    only = await admin(directory, tenant, "only")
    with pytest.raises(LastAdministrator):
        await directory.administrators.disable(tenant.enterprise.id, only.id, ACTOR)


async def test_removing_the_last_active_administrator_is_refused(
    directory: Directory, tenant: Tenant
) -> None:
    only = await admin(directory, tenant, "only")
    with pytest.raises(LastAdministrator):
        await directory.administrators.remove(tenant.enterprise.id, only.id, ACTOR)


async def test_disabling_one_of_two_leaves_the_other_as_the_last(
    directory: Directory, tenant: Tenant
) -> None:
    first = await admin(directory, tenant, "first")
    second = await admin(directory, tenant, "second")
    disabled = await directory.administrators.disable(tenant.enterprise.id, first.id, ACTOR)
    with pytest.raises(LastAdministrator):
        await directory.administrators.disable(tenant.enterprise.id, second.id, ACTOR)
    assert disabled.status == "disabled"


async def test_disabled_administrator_can_be_removed_while_another_stays_active(
    directory: Directory, tenant: Tenant
) -> None:
    first = await admin(directory, tenant, "first")
    second = await admin(directory, tenant, "second")
    await directory.administrators.disable(tenant.enterprise.id, second.id, ACTOR)
    await directory.administrators.remove(tenant.enterprise.id, second.id, ACTOR)
    entries = await directory.administrators.list(tenant.enterprise.id)
    assert [e.administrator for e in entries] == [first]


async def test_enabling_restores_an_active_administrator(directory: Directory, tenant: Tenant) -> None:
    await admin(directory, tenant, "first")
    second = await admin(directory, tenant, "second")
    await directory.administrators.disable(tenant.enterprise.id, second.id, ACTOR)
    enabled = await directory.administrators.enable(tenant.enterprise.id, second.id, ACTOR)
    assert enabled.status == "active"


@pytest.mark.parametrize("operation", ["get", "disable", "enable", "remove"])
async def test_another_enterprises_administrator_behaves_as_missing(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant, operation: str
) -> None:
    other = await factory.tenant()
    await admin(directory, other, "keeper")
    theirs = await admin(directory, other, "theirs")
    administrators = directory.administrators
    with pytest.raises(AdministratorNotFound):
        if operation == "get":
            await administrators.get(tenant.enterprise.id, theirs.id)
        elif operation == "disable":
            await administrators.disable(tenant.enterprise.id, theirs.id, ACTOR)
        elif operation == "enable":
            await administrators.enable(tenant.enterprise.id, theirs.id, ACTOR)
        else:
            await administrators.remove(tenant.enterprise.id, theirs.id, ACTOR)


# --- sign-in check -----------------------------------------------------------------------------------


async def test_correct_password_signs_in_ignoring_login_case(directory: Directory, tenant: Tenant) -> None:
    created = await admin(directory, tenant, "boss")
    assert await directory.administrators.verify_admin_password(" BOSS ", PASSWORD) == created


async def test_wrong_password_is_refused(directory: Directory, tenant: Tenant) -> None:
    await admin(directory, tenant, "boss")
    with pytest.raises(LoginInvalid):
        await directory.administrators.verify_admin_password("boss", "Wrong-Password-1")


async def test_unknown_login_gets_the_same_refusal_as_a_wrong_password(directory: Directory) -> None:
    with pytest.raises(LoginInvalid):
        await directory.administrators.verify_admin_password("nobody", PASSWORD)


async def test_disabled_administrator_is_told_so_after_a_correct_password(
    directory: Directory, tenant: Tenant
) -> None:
    await admin(directory, tenant, "keeper")
    boss = await admin(directory, tenant, "boss")
    await directory.administrators.disable(tenant.enterprise.id, boss.id, ACTOR)
    with pytest.raises(LoginAccountDisabled):
        await directory.administrators.verify_admin_password("boss", PASSWORD)


async def test_disabled_administrator_with_a_wrong_password_gets_login_invalid(
    directory: Directory, tenant: Tenant
) -> None:
    await admin(directory, tenant, "keeper")
    boss = await admin(directory, tenant, "boss")
    await directory.administrators.disable(tenant.enterprise.id, boss.id, ACTOR)
    with pytest.raises(LoginInvalid):
        await directory.administrators.verify_admin_password("boss", "Wrong-Password-1")


async def test_administrator_of_a_suspended_enterprise_is_told_so(
    directory: Directory, tenant: Tenant, db: Database
) -> None:
    await admin(directory, tenant, "boss")
    async with db.transaction() as conn:
        await enterprise_rows.update_values(conn, tenant.enterprise.id, {"status": "suspended"})
    with pytest.raises(EnterpriseSuspended):
        await directory.administrators.verify_admin_password("boss", PASSWORD)


async def test_admin_actions_are_audited(directory: Directory, tenant: Tenant) -> None:
    await admin(directory, tenant, "first")
    second = await admin(directory, tenant, "second")
    await directory.administrators.disable(tenant.enterprise.id, second.id, ACTOR)
    await directory.administrators.remove(tenant.enterprise.id, second.id, ACTOR)
    actions = [
        e.action for e in await directory.audit_log(tenant.enterprise.id) if e.target == "admin:second"
    ]
    assert actions == ["administrator.remove", "administrator.disable", "administrator.create"]
