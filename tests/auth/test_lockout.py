"""Lockout after failed logins (PRODUCT §6): per login and per IP, across protocols, expiry and unlock."""

from __future__ import annotations

import datetime as dt

import pytest

from auth.kit import IP, User, make_user
from support.factories import PASSWORD, DirectoryFactory, FastHasher, Tenant
from yunmail.auth import Auth, AuthLimits, LockStatus
from yunmail.clock import FakeClock
from yunmail.errors import LoginInvalid, LoginLocked, MemberNotFound
from yunmail.storage import Database, SqlCounters

WRONG = "Wrong-2026"
OTHER_IP = "203.0.113.9"


async def fail(auth: Auth, login: str, times: int, *, channel: str = "web", ip: str = IP) -> None:
    for _ in range(times):
        with pytest.raises(LoginInvalid):
            await auth.login.authenticate(login, WRONG, channel=channel, remote_ip=ip)  # type: ignore[arg-type]


async def test_fifth_failure_locks_the_login_even_for_the_right_password(auth: Auth, user: User) -> None:
    await fail(auth, user.login, 5)
    with pytest.raises(LoginLocked) as refused:
        await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=OTHER_IP)
    assert refused.value.params == {"minutes": 15}


async def test_four_failures_do_not_lock(auth: Auth, user: User) -> None:
    await fail(auth, user.login, 4)
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_failures_on_different_protocols_add_up(auth: Auth, user: User) -> None:
    for channel in ("imap", "pop3", "smtp", "imap", "web"):
        await fail(auth, user.login, 1, channel=channel)
    with pytest.raises(LoginLocked):
        await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)


async def test_failures_by_mailbox_address_lock_the_account_login_too(auth: Auth, user: User) -> None:
    assert user.mailbox is not None
    await fail(auth, user.mailbox.address, 5, channel="imap")
    with pytest.raises(LoginLocked):
        await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)


async def test_lock_still_holds_a_minute_before_it_ends(auth: Auth, user: User, clock: FakeClock) -> None:
    await fail(auth, user.login, 5)
    clock.advance(minutes=14)
    with pytest.raises(LoginLocked) as refused:
        await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert refused.value.params == {"minutes": 1}


async def test_lock_expires_after_fifteen_minutes(auth: Auth, user: User, clock: FakeClock) -> None:
    await fail(auth, user.login, 5)
    clock.advance(minutes=15)
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_after_the_lock_the_full_failure_budget_is_back(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    await fail(auth, user.login, 5)
    clock.advance(minutes=15)
    await fail(auth, user.login, 4)
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_admin_unlock_lifts_the_lock_at_once(auth: Auth, user: User) -> None:
    await fail(auth, user.login, 5)
    await auth.login.unlock(user.enterprise_id, user.member.id)
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_admin_cannot_unlock_a_member_of_another_enterprise(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    other = await factory.tenant()
    with pytest.raises(MemberNotFound):
        await auth.login.unlock(other.enterprise.id, user.member.id)


async def test_lock_status_reports_failures_and_the_lock_end(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    await fail(auth, user.login, 2)
    before = await auth.login.lock_status(user.enterprise_id, user.member.id)
    await fail(auth, user.login, 3)
    after = await auth.login.lock_status(user.enterprise_id, user.member.id)
    subject = f"member:{user.member.id}"
    assert (before, after) == (
        LockStatus(subject=subject, failures=2, locked_until=None),
        LockStatus(subject=subject, failures=0, locked_until=clock.now() + dt.timedelta(minutes=15)),
    )


async def test_success_clears_the_login_failures(auth: Auth, user: User) -> None:
    await fail(auth, user.login, 4)
    await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    await fail(auth, user.login, 4)
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_unknown_logins_lock_like_known_ones(auth: Auth, user: User) -> None:
    login = f"nobody@{user.tenant.enterprise.org_id}"
    await fail(auth, login, 5)
    with pytest.raises(LoginLocked):
        await auth.login.authenticate(login, WRONG, channel="web", remote_ip=IP)


# --- per remote IP -----------------------------------------------------------------------------------


@pytest.fixture
def ip_auth(db: Database, factory: DirectoryFactory, clock: FakeClock) -> Auth:
    limits = AuthLimits(ip_failures=3)
    return Auth(db, factory.directory, SqlCounters(db), clock, limits=limits, hasher=FastHasher())


async def test_an_ip_guessing_across_logins_is_locked_for_every_login(
    ip_auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    users = [await make_user(factory, tenant) for _ in range(4)]
    for victim in users[:3]:
        await fail(ip_auth, victim.login, 1)
    with pytest.raises(LoginLocked):
        await ip_auth.login.authenticate(users[3].login, PASSWORD, channel="imap", remote_ip=IP)


async def test_an_ip_lock_leaves_other_addresses_alone(
    ip_auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    users = [await make_user(factory, tenant) for _ in range(4)]
    for victim in users[:3]:
        await fail(ip_auth, victim.login, 1)
    principal = await ip_auth.login.authenticate(users[3].login, PASSWORD, channel="imap", remote_ip=OTHER_IP)
    assert principal.member_id == users[3].member.id


async def test_success_does_not_reset_the_ip_failures(
    ip_auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    guessed, own = await make_user(factory, tenant), await make_user(factory, tenant)
    await fail(ip_auth, guessed.login, 2)
    await ip_auth.login.authenticate(own.login, PASSWORD, channel="web", remote_ip=IP)
    await fail(ip_auth, guessed.login, 1)
    with pytest.raises(LoginLocked):
        await ip_auth.login.authenticate(own.login, PASSWORD, channel="web", remote_ip=IP)


async def test_operator_can_lift_an_ip_lock(ip_auth: Auth, factory: DirectoryFactory, tenant: Tenant) -> None:
    guessed, own = await make_user(factory, tenant), await make_user(factory, tenant)
    await fail(ip_auth, guessed.login, 3)
    await ip_auth.lockout.unlock_ip(IP)
    principal = await ip_auth.login.authenticate(own.login, PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == own.member.id
