"""Members and login accounts (PRODUCT §3): rules, uniqueness, immutability, lifecycle, passwords, search."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from support.factories import ACTOR, PASSWORD, DirectoryFactory, RecordingMailStorage, Tenant
from yunmail.clock import FakeClock
from yunmail.config import Settings
from yunmail.directory import Directory, NewMember
from yunmail.errors import (
    AccountImmutable,
    AccountTaken,
    ContactRequired,
    CurrentPasswordWrong,
    DepartmentNotFound,
    EnterpriseNotFound,
    MemberNotDisabled,
    MemberNotFound,
    PasswordTooLong,
    PasswordTooShort,
    PasswordTooWeak,
    PhoneInvalid,
    PhoneTaken,
    RoleInvalid,
)
from yunmail.storage import Database
from yunmail.storage.repos import members as member_rows


def new(account: str = "lilei", **fields: object) -> NewMember:
    values: dict[str, object] = {"name": "李雷", "account": account, "phone": "13800000001", **fields}
    return NewMember(**values)  # type: ignore[arg-type]


async def test_add_stores_the_validated_member(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(
        tenant.enterprise.id,
        new(
            phone="+86 138 0000 0001",
            contact_email="li@example.org",
            role="administrator",
            staff_type="intern",
            hire_date="2025/07/01",
        ),
        ACTOR,
    )
    assert (
        member.account,
        member.phone,
        member.contact_email,
        member.role,
        member.staff_type,
        member.hire_date,
        member.status,
    ) == ("lilei", "13800000001", "li@example.org", "administrator", "intern", dt.date(2025, 7, 1), "active")


async def test_member_with_only_a_contact_email_is_accepted(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(
        tenant.enterprise.id, new(phone=None, contact_email="li@example.org"), ACTOR
    )
    assert (member.phone, member.contact_email) == (None, "li@example.org")


async def test_member_without_phone_or_contact_email_is_refused(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(ContactRequired):
        await directory.members.add(tenant.enterprise.id, new(phone=" ", contact_email=None), ACTOR)


async def test_account_is_unique_in_the_enterprise_ignoring_case(
    directory: Directory, tenant: Tenant
) -> None:
    await directory.members.add(tenant.enterprise.id, new("LiLei"), ACTOR)
    with pytest.raises(AccountTaken) as caught:
        await directory.members.add(tenant.enterprise.id, new("lilei", phone="13800000002"), ACTOR)
    assert caught.value.params == {"account": "lilei"}


async def test_the_same_account_may_exist_in_another_enterprise(factory: DirectoryFactory) -> None:
    first, second = await factory.enterprise(), await factory.enterprise()
    a = await factory.directory.members.add(first.id, new(), ACTOR)
    b = await factory.directory.members.add(second.id, new(), ACTOR)
    assert (a.account, b.account) == ("lilei", "lilei")


async def test_phone_is_unique_in_the_enterprise_whatever_its_spelling(
    directory: Directory, tenant: Tenant
) -> None:
    await directory.members.add(tenant.enterprise.id, new("a", phone="13800000001"), ACTOR)
    with pytest.raises(PhoneTaken):
        await directory.members.add(tenant.enterprise.id, new("b", phone="+86 138-0000-0001"), ACTOR)


async def test_invalid_phone_is_refused(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(PhoneInvalid):
        await directory.members.add(tenant.enterprise.id, new(phone="12345"), ACTOR)


async def test_invalid_role_is_refused(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(RoleInvalid):
        await directory.members.add(tenant.enterprise.id, new(role="boss"), ACTOR)


async def test_unknown_department_is_not_found(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(DepartmentNotFound):
        await directory.members.add(tenant.enterprise.id, new(department_id=404), ACTOR)


async def test_unknown_enterprise_is_not_found(directory: Directory) -> None:
    with pytest.raises(EnterpriseNotFound):
        await directory.members.add(404, new(), ACTOR)


@pytest.mark.parametrize(
    ("password", "error"),
    [("Ab1!", PasswordTooShort), ("Ab1!" * 9, PasswordTooLong), ("onlylowercase", PasswordTooWeak)],
)
async def test_password_outside_the_policy_is_refused(
    directory: Directory, tenant: Tenant, password: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await directory.members.add(tenant.enterprise.id, new(password=password), ACTOR)


async def test_password_set_by_an_administrator_must_be_changed(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(tenant.enterprise.id, new(password=PASSWORD), ACTOR)
    assert (member.has_password, member.must_change_password) == (True, True)


async def test_passwords_are_stored_as_argon2id_hashes_and_change_clears_the_flag(
    db: Database, clock: FakeClock, tenant: Tenant
) -> None:
    directory = Directory(db, clock, Settings(), RecordingMailStorage())  # the real argon2id hasher
    member = await directory.members.add(tenant.enterprise.id, new(password=PASSWORD), ACTOR)
    changed = await directory.members.change_password(
        tenant.enterprise.id, member.id, PASSWORD, "New-pass-1", ACTOR
    )
    async with db.read() as conn:
        row = await member_rows.get(conn, tenant.enterprise.id, member.id)
    assert row is not None
    assert (row["password_hash"].startswith("$argon2id$"), "New-pass-1" in row["password_hash"]) == (
        True,
        False,
    )
    assert changed.must_change_password is False


async def test_change_password_with_a_wrong_current_password_is_refused(
    directory: Directory, tenant: Tenant
) -> None:
    member = await directory.members.add(tenant.enterprise.id, new(password=PASSWORD), ACTOR)
    with pytest.raises(CurrentPasswordWrong):
        await directory.members.change_password(
            tenant.enterprise.id, member.id, "Wrong-pass-1", "New-pass-1", ACTOR
        )


async def test_reset_by_an_administrator_sets_must_change_again(directory: Directory, tenant: Tenant) -> None:
    eid = tenant.enterprise.id
    member = await directory.members.add(eid, new(password=PASSWORD), ACTOR)
    await directory.members.change_password(eid, member.id, PASSWORD, "Mine-pass-1", ACTOR)
    reset = await directory.members.reset_password(eid, member.id, "Temp-pass-1", ACTOR)
    assert reset.must_change_password is True


async def test_account_cannot_be_changed(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(tenant.enterprise.id, new(), ACTOR)
    with pytest.raises(AccountImmutable):
        await directory.members.update(tenant.enterprise.id, member.id, ACTOR, account="hanmeimei")


async def test_editable_fields_are_updated(directory: Directory, tenant: Tenant) -> None:
    eid = tenant.enterprise.id
    rd = await directory.departments.create(eid, "R&D", ACTOR)
    member = await directory.members.add(eid, new(), ACTOR)
    updated = await directory.members.update(
        eid,
        member.id,
        ACTOR,
        account="lilei",
        name="李 雷",
        department_id=rd.id,
        phone="13900000009",
        contact_email="lei@example.org",
        role="administrator",
        staff_type="outsourced",
        hire_date=None,
    )
    assert (
        updated.name,
        updated.department_id,
        updated.phone,
        updated.contact_email,
        updated.role,
        updated.staff_type,
        updated.hire_date,
    ) == (
        "李 雷",
        rd.id,
        "13900000009",
        "lei@example.org",
        "administrator",
        "outsourced",
        None,
    )


async def test_update_that_removes_the_last_contact_is_refused(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(tenant.enterprise.id, new(), ACTOR)
    with pytest.raises(ContactRequired):
        await directory.members.update(tenant.enterprise.id, member.id, ACTOR, phone=None)


async def test_update_to_another_members_phone_is_refused(directory: Directory, tenant: Tenant) -> None:
    await directory.members.add(tenant.enterprise.id, new("a", phone="13800000001"), ACTOR)
    b = await directory.members.add(tenant.enterprise.id, new("b", phone="13800000002"), ACTOR)
    with pytest.raises(PhoneTaken):
        await directory.members.update(tenant.enterprise.id, b.id, ACTOR, phone="13800000001")


async def test_disable_and_enable_switch_the_status(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(tenant.enterprise.id, new(), ACTOR)
    disabled = await directory.members.disable(tenant.enterprise.id, member.id, ACTOR)
    enabled = await directory.members.enable(tenant.enterprise.id, member.id, ACTOR)
    assert (disabled.status, enabled.status) == ("disabled", "active")


async def test_active_member_cannot_be_deleted(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(tenant.enterprise.id, new(), ACTOR)
    with pytest.raises(MemberNotDisabled):
        await directory.members.delete(tenant.enterprise.id, member.id, ACTOR)


async def test_deleting_a_disabled_member_removes_it(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(tenant.enterprise.id, new(), ACTOR)
    await directory.members.disable(tenant.enterprise.id, member.id, ACTOR)
    await directory.members.delete(tenant.enterprise.id, member.id, ACTOR)
    with pytest.raises(MemberNotFound):
        await directory.members.get(tenant.enterprise.id, member.id)


async def test_deleting_a_member_moves_its_mailbox_to_the_recycle_bin(
    factory: DirectoryFactory, tenant: Tenant, clock: FakeClock
) -> None:
    directory = factory.directory
    member = await factory.member(tenant.enterprise.id)
    mailbox = await factory.mailbox(tenant, member.id)
    await directory.members.disable(tenant.enterprise.id, member.id, ACTOR)
    await directory.members.delete(tenant.enterprise.id, member.id, ACTOR)
    recycled = await directory.mailboxes.get(tenant.enterprise.id, mailbox.id)
    assert (recycled.status, recycled.recycled_at, recycled.member_id) == ("recycled", clock.now(), None)
    assert factory.storage.purged == []


async def test_lookup_by_account_ignores_case(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(tenant.enterprise.id, new("LiLei"), ACTOR)
    assert await directory.members.get_by_account(tenant.enterprise.id, "LILEI") == member


async def test_lookup_by_phone_accepts_any_spelling(directory: Directory, tenant: Tenant) -> None:
    member = await directory.members.add(tenant.enterprise.id, new(), ACTOR)
    assert await directory.members.get_by_phone(tenant.enterprise.id, "+8613800000001") == member


async def test_search_matches_name_account_phone_or_email(factory: DirectoryFactory, tenant: Tenant) -> None:
    eid = tenant.enterprise.id
    await factory.member(eid, name="Han Meimei", account="hmm")
    wanted = await factory.member(eid, name="Li Lei", account="lilei", phone="13912345678")
    assert [m.id for m in (await factory.directory.members.search(eid, "1234567")).items] == [wanted.id]


async def test_search_by_department_includes_sub_departments_unless_told_not_to(
    factory: DirectoryFactory, tenant: Tenant
) -> None:
    directory, eid = factory.directory, tenant.enterprise.id
    rd = await directory.departments.create(eid, "R&D", ACTOR)
    team = await directory.departments.create(eid, "Team", ACTOR, parent_id=rd.id)
    top = await factory.member(eid, department_id=rd.id)
    sub = await factory.member(eid, department_id=team.id)
    await factory.member(eid)
    with_sub = await directory.members.search(eid, department_id=rd.id)
    only_top = await directory.members.search(eid, department_id=rd.id, include_sub_departments=False)
    assert ([m.id for m in with_sub.items], [m.id for m in only_top.items]) == ([top.id, sub.id], [top.id])


async def test_search_filters_by_status_and_mailbox(factory: DirectoryFactory, tenant: Tenant) -> None:
    directory, eid = factory.directory, tenant.enterprise.id
    with_box = await factory.member(eid)
    await factory.mailbox(tenant, with_box.id)
    disabled = await factory.member(eid)
    await directory.members.disable(eid, disabled.id, ACTOR)
    boxed = await directory.members.search(eid, has_mailbox=True)
    unboxed_disabled = await directory.members.search(eid, has_mailbox=False, status="disabled")
    assert ([m.id for m in boxed.items], [m.id for m in unboxed_disabled.items]) == (
        [with_box.id],
        [disabled.id],
    )


async def test_search_pages_and_reports_the_total(factory: DirectoryFactory, tenant: Tenant) -> None:
    members = [await factory.member(tenant.enterprise.id) for _ in range(5)]
    page = await factory.directory.members.search(tenant.enterprise.id, offset=2, limit=2)
    assert ([m.id for m in page.items], page.total) == ([members[2].id, members[3].id], 5)


async def test_concurrent_adds_of_one_account_let_exactly_one_win(
    directory: Directory, tenant: Tenant
) -> None:
    results = await asyncio.gather(
        directory.members.add(tenant.enterprise.id, new("lilei", phone="13800000001"), ACTOR),
        directory.members.add(tenant.enterprise.id, new("LiLei", phone="13800000002"), ACTOR),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["AccountTaken", "Member"]
