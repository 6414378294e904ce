"""Administrator invitations (PRODUCT §2): invite, accept through the link, expiry, revoke, re-invite."""

from __future__ import annotations

import datetime as dt

import pytest

from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.clock import FakeClock
from yunmail.directory import Directory, IssuedInvitation
from yunmail.errors import (
    AdministratorLoginTaken,
    ContactEmailInvalid,
    InvitationAlreadyAccepted,
    InvitationEmailRequired,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    InvitationValidityInvalid,
    PasswordTooWeak,
)
from yunmail.security import hash_token
from yunmail.storage import Database
from yunmail.storage.repos import invitations as invitation_rows

PASSWORD = "Admin-Secret-1"


async def invite(
    directory: Directory, tenant: Tenant, email: str = "Wang.Fang@Example.com", **kw: int
) -> IssuedInvitation:
    return await directory.invitations.invite(tenant.enterprise.id, "王芳", "13800000001", email, ACTOR, **kw)


async def test_invite_returns_the_token_once_with_its_link_path(directory: Directory, tenant: Tenant) -> None:
    issued = await invite(directory, tenant)
    invitation, token = issued
    assert (invitation.status, invitation.name, invitation.phone, issued.link_path) == (
        "pending",
        "王芳",
        "13800000001",
        f"/admin/invite/{token}",
    )


async def test_only_the_token_hash_is_stored(directory: Directory, tenant: Tenant, db: Database) -> None:
    invitation, token = await invite(directory, tenant)
    async with db.read() as conn:
        row = await invitation_rows.get(conn, tenant.enterprise.id, invitation.id)
    assert row is not None and (row["token_hash"], token in row.values()) == (hash_token(token), False)


async def test_invitation_is_valid_for_seven_days_by_default(
    directory: Directory, tenant: Tenant, clock: FakeClock
) -> None:
    invitation, _ = await invite(directory, tenant)
    assert invitation.expires_at == clock.now() + dt.timedelta(days=7)


async def test_invitation_validity_is_chosen_between_1_and_30_days(
    directory: Directory, tenant: Tenant, clock: FakeClock
) -> None:
    invitation, _ = await invite(directory, tenant, validity_days=30)
    assert invitation.expires_at == clock.now() + dt.timedelta(days=30)


@pytest.mark.parametrize("days", [0, 31])
async def test_invitation_validity_outside_1_to_30_days_is_refused(
    directory: Directory, tenant: Tenant, days: int
) -> None:
    with pytest.raises(InvitationValidityInvalid) as caught:
        await invite(directory, tenant, validity_days=days)
    assert caught.value.params == {"minimum": 1, "maximum": 30}


async def test_invitation_without_an_email_is_refused(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(InvitationEmailRequired):
        await directory.invitations.invite(tenant.enterprise.id, "王芳", "13800000001", " ", ACTOR)


async def test_invitation_with_a_bad_email_is_refused(directory: Directory, tenant: Tenant) -> None:
    with pytest.raises(ContactEmailInvalid):
        await directory.invitations.invite(tenant.enterprise.id, "王芳", None, "wang@", ACTOR)


# --- accepting ---------------------------------------------------------------------------------------


async def test_accepting_makes_an_active_administrator_whose_login_is_the_email(
    directory: Directory, tenant: Tenant
) -> None:
    _, token = await invite(directory, tenant)
    admin = await directory.invitations.accept(token, PASSWORD)
    assert (admin.enterprise_id, admin.name, admin.login, admin.status) == (
        tenant.enterprise.id,
        "王芳",
        "wang.fang@example.com",
        "active",
    )


async def test_accepted_administrator_can_sign_in_with_the_chosen_password(
    directory: Directory, tenant: Tenant
) -> None:
    _, token = await invite(directory, tenant)
    admin = await directory.invitations.accept(token, PASSWORD)
    assert await directory.administrators.verify_admin_password("WANG.FANG@example.com", PASSWORD) == admin


async def test_invitee_may_choose_another_login(directory: Directory, tenant: Tenant) -> None:
    _, token = await invite(directory, tenant)
    admin = await directory.invitations.accept(token, PASSWORD, login="WangF")
    assert admin.login == "wangf"


async def test_accepting_marks_the_invitation_accepted(directory: Directory, tenant: Tenant) -> None:
    invitation, token = await invite(directory, tenant)
    admin = await directory.invitations.accept(token, PASSWORD)
    found = await directory.invitations.get(tenant.enterprise.id, invitation.id)
    assert (found.status, found.administrator_id) == ("accepted", admin.id)


async def test_expired_invitation_cannot_be_accepted(
    directory: Directory, tenant: Tenant, clock: FakeClock
) -> None:
    _, token = await invite(directory, tenant, validity_days=1)
    clock.advance(days=1)
    with pytest.raises(InvitationExpired):
        await directory.invitations.accept(token, PASSWORD)


async def test_invitation_can_be_accepted_just_before_it_expires(
    directory: Directory, tenant: Tenant, clock: FakeClock
) -> None:
    _, token = await invite(directory, tenant, validity_days=1)
    clock.advance(hours=23, minutes=59)
    assert (await directory.invitations.accept(token, PASSWORD)).status == "active"


async def test_invitation_cannot_be_accepted_twice(directory: Directory, tenant: Tenant) -> None:
    _, token = await invite(directory, tenant)
    await directory.invitations.accept(token, PASSWORD)
    with pytest.raises(InvitationAlreadyAccepted):
        await directory.invitations.accept(token, PASSWORD, login="someone-else")


async def test_unknown_token_is_refused(directory: Directory) -> None:
    with pytest.raises(InvitationNotFound):
        await directory.invitations.accept("no-such-token", PASSWORD)


async def test_revoked_invitation_cannot_be_accepted(directory: Directory, tenant: Tenant) -> None:
    invitation, token = await invite(directory, tenant)
    await directory.invitations.revoke(tenant.enterprise.id, invitation.id, ACTOR)
    with pytest.raises(InvitationRevoked):
        await directory.invitations.accept(token, PASSWORD)


async def test_weak_password_is_refused_and_the_invitation_stays_pending(
    directory: Directory, tenant: Tenant
) -> None:
    invitation, token = await invite(directory, tenant)
    with pytest.raises(PasswordTooWeak):
        await directory.invitations.accept(token, "alllowercase")
    assert (await directory.invitations.get(tenant.enterprise.id, invitation.id)).status == "pending"


async def test_login_used_by_another_administrator_is_refused_and_nothing_changes(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant
) -> None:
    other = await factory.enterprise()
    await directory.administrators.create_first(
        other.id, "Boss", None, "wang.fang@example.com", None, PASSWORD
    )
    invitation, token = await invite(directory, tenant)
    with pytest.raises(AdministratorLoginTaken):
        await directory.invitations.accept(token, PASSWORD)
    entries = await directory.administrators.list(tenant.enterprise.id)
    assert [(e.status, e.invitation.id if e.invitation else None) for e in entries] == [
        ("pending", invitation.id)
    ]


async def test_find_by_token_shows_who_is_invited(directory: Directory, tenant: Tenant) -> None:
    invitation, token = await invite(directory, tenant)
    assert await directory.invitations.find_by_token(token) == invitation


# --- revoke and re-invite ----------------------------------------------------------------------------


async def test_revoking_an_accepted_invitation_is_refused(directory: Directory, tenant: Tenant) -> None:
    invitation, token = await invite(directory, tenant)
    await directory.invitations.accept(token, PASSWORD)
    with pytest.raises(InvitationAlreadyAccepted):
        await directory.invitations.revoke(tenant.enterprise.id, invitation.id, ACTOR)


async def test_reinvite_gives_a_new_token_and_the_old_link_stops_working(
    directory: Directory, tenant: Tenant
) -> None:
    invitation, old = await invite(directory, tenant)
    _, new = await directory.invitations.reinvite(tenant.enterprise.id, invitation.id, ACTOR)
    with pytest.raises(InvitationNotFound):
        await directory.invitations.accept(old, PASSWORD)
    assert (await directory.invitations.accept(new, PASSWORD)).login == "wang.fang@example.com"


async def test_reinvite_of_an_expired_invitation_starts_a_new_validity(
    directory: Directory, tenant: Tenant, clock: FakeClock
) -> None:
    invitation, _ = await invite(directory, tenant, validity_days=1)
    clock.advance(days=3)
    renewed, _ = await directory.invitations.reinvite(
        tenant.enterprise.id, invitation.id, ACTOR, validity_days=2
    )
    assert (renewed.status, renewed.expires_at) == ("pending", clock.now() + dt.timedelta(days=2))


async def test_reinvite_of_a_revoked_invitation_makes_it_pending_again(
    directory: Directory, tenant: Tenant
) -> None:
    invitation, _ = await invite(directory, tenant)
    await directory.invitations.revoke(tenant.enterprise.id, invitation.id, ACTOR)
    renewed, _ = await directory.invitations.reinvite(tenant.enterprise.id, invitation.id, ACTOR)
    assert (renewed.status, renewed.revoked_at) == ("pending", None)


async def test_reinvite_of_an_accepted_invitation_is_refused(directory: Directory, tenant: Tenant) -> None:
    invitation, token = await invite(directory, tenant)
    await directory.invitations.accept(token, PASSWORD)
    with pytest.raises(InvitationAlreadyAccepted):
        await directory.invitations.reinvite(tenant.enterprise.id, invitation.id, ACTOR)


# --- listing and tenancy -----------------------------------------------------------------------------


async def test_list_shows_pending_accepted_expired_and_revoked_by_the_clock(
    directory: Directory, tenant: Tenant, clock: FakeClock
) -> None:
    expiring, _ = await invite(directory, tenant, "a@example.com", validity_days=1)
    revoked, _ = await invite(directory, tenant, "b@example.com")
    accepted, token = await invite(directory, tenant, "c@example.com")
    pending, _ = await invite(directory, tenant, "d@example.com")
    await directory.invitations.revoke(tenant.enterprise.id, revoked.id, ACTOR)
    await directory.invitations.accept(token, PASSWORD)
    clock.advance(days=2)
    found = {i.id: i.status for i in await directory.invitations.list(tenant.enterprise.id)}
    assert found == {
        expiring.id: "expired",
        revoked.id: "revoked",
        accepted.id: "accepted",
        pending.id: "pending",
    }


async def test_list_filters_by_status(directory: Directory, tenant: Tenant, clock: FakeClock) -> None:
    expiring, _ = await invite(directory, tenant, "a@example.com", validity_days=1)
    await invite(directory, tenant, "b@example.com", validity_days=10)
    clock.advance(days=2)
    found = await directory.invitations.list(tenant.enterprise.id, status="expired")
    assert [i.id for i in found] == [expiring.id]


@pytest.mark.parametrize("operation", ["get", "revoke", "reinvite"])
async def test_another_enterprises_invitation_behaves_as_missing(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant, operation: str
) -> None:
    other = await factory.tenant()
    invitation, _ = await invite(directory, other)
    with pytest.raises(InvitationNotFound):
        if operation == "get":
            await directory.invitations.get(tenant.enterprise.id, invitation.id)
        elif operation == "revoke":
            await directory.invitations.revoke(tenant.enterprise.id, invitation.id, ACTOR)
        else:
            await directory.invitations.reinvite(tenant.enterprise.id, invitation.id, ACTOR)


async def test_another_enterprises_invitations_are_not_listed(
    directory: Directory, factory: DirectoryFactory, tenant: Tenant
) -> None:
    await invite(directory, await factory.tenant())
    assert await directory.invitations.list(tenant.enterprise.id) == ()
