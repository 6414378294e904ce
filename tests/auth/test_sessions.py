"""Web sessions (PRODUCT §1, §6): idle expiry by the clock, keep-alive setting, logout, log out everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from auth.kit import IP, User, make_admin, make_user
from support.factories import ACTOR, PASSWORD, DirectoryFactory, Tenant
from yunmail.auth import Auth, Principal
from yunmail.clock import FakeClock
from yunmail.errors import (
    Forbidden,
    LoginAccountDisabled,
    MailboxNotOpened,
    MemberNotFound,
    SessionExpired,
    SessionInvalid,
    SessionKeepInvalid,
)
from yunmail.security import hash_token
from yunmail.storage import Database
from yunmail.storage.sql.schema import web_sessions


async def web_login(auth: Auth, user: User) -> str:
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    return await auth.sessions.create(principal, remote_ip=IP)


@pytest.fixture
async def admin(factory: DirectoryFactory, tenant: Tenant) -> Principal:
    return await make_admin(factory, tenant)


async def test_valid_token_gives_back_the_member_principal(auth: Auth, user: User) -> None:
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    token = await auth.sessions.create(principal)
    assert await auth.sessions.validate(token) == principal


async def test_activity_keeps_a_member_session_alive(auth: Auth, user: User, clock: FakeClock) -> None:
    token = await web_login(auth, user)
    for _ in range(3):
        clock.advance(minutes=29)
        await auth.sessions.validate(token)
    clock.advance(minutes=29)
    assert (await auth.sessions.validate(token)).member_id == user.member.id


async def test_member_session_expires_after_thirty_idle_minutes(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    token = await web_login(auth, user)
    clock.advance(minutes=30)
    with pytest.raises(SessionExpired) as refused:
        await auth.sessions.validate(token)
    assert refused.value.params == {"minutes": 30}


async def test_member_keep_alive_setting_lengthens_new_sessions(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    await auth.sessions.set_keep_minutes(user.enterprise_id, user.member.id, 120)
    token = await web_login(auth, user)
    clock.advance(minutes=119)
    assert (await auth.sessions.validate(token)).member_id == user.member.id


async def test_member_keep_alive_setting_shortens_new_sessions(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    await auth.sessions.set_keep_minutes(user.enterprise_id, user.member.id, 10)
    token = await web_login(auth, user)
    clock.advance(minutes=10)
    with pytest.raises(SessionExpired):
        await auth.sessions.validate(token)


@pytest.mark.parametrize("minutes", [0, 4, 7 * 24 * 60 + 1])
async def test_keep_alive_outside_the_allowed_range_is_refused(auth: Auth, user: User, minutes: int) -> None:
    with pytest.raises(SessionKeepInvalid):
        await auth.sessions.set_keep_minutes(user.enterprise_id, user.member.id, minutes)


async def test_keep_alive_of_another_enterprises_member_is_refused(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    other = await factory.tenant()
    with pytest.raises(MemberNotFound):
        await auth.sessions.set_keep_minutes(other.enterprise.id, user.member.id, 60)


async def test_admin_session_expires_after_thirty_idle_minutes(
    auth: Auth, admin: Principal, clock: FakeClock
) -> None:
    token = await auth.sessions.create(admin)
    clock.advance(minutes=30)
    with pytest.raises(SessionExpired):
        await auth.sessions.validate(token)


async def test_admin_session_gives_back_the_admin_principal(
    auth: Auth, admin: Principal, clock: FakeClock
) -> None:
    token = await auth.sessions.create(admin)
    clock.advance(minutes=29)
    assert await auth.sessions.validate(token) == admin


async def test_admin_session_idle_time_cannot_be_changed(auth: Auth, admin: Principal) -> None:
    with pytest.raises(SessionKeepInvalid):
        await auth.sessions.create(admin, idle_minutes=60)


async def test_unknown_token_is_invalid(auth: Auth, user: User) -> None:
    with pytest.raises(SessionInvalid):
        await auth.sessions.validate("not-a-session-token")


async def test_token_is_stored_only_as_its_hash(auth: Auth, user: User, db: Database) -> None:
    token = await web_login(auth, user)
    async with db.read() as conn:
        stored = list((await conn.execute(select(web_sessions.c.token_hash))).scalars())
    assert stored == [hash_token(token)]


async def test_logout_ends_the_session(auth: Auth, user: User) -> None:
    token = await web_login(auth, user)
    await auth.sessions.revoke(token)
    with pytest.raises(SessionInvalid):
        await auth.sessions.validate(token)


async def test_logout_leaves_the_members_other_sessions(auth: Auth, user: User) -> None:
    phone, laptop = await web_login(auth, user), await web_login(auth, user)
    await auth.sessions.revoke(phone)
    assert (await auth.sessions.validate(laptop)).member_id == user.member.id


async def test_log_out_everywhere_ends_every_session_of_the_member(auth: Auth, user: User) -> None:
    tokens = [await web_login(auth, user) for _ in range(2)]
    ended = await auth.sessions.revoke_all(user.enterprise_id, user.member.id)
    outcomes = []
    for token in tokens:
        try:
            await auth.sessions.validate(token)
            outcomes.append("valid")
        except SessionInvalid as exc:
            outcomes.append(exc.code)
    assert (ended, outcomes) == (2, ["SESSION_INVALID", "SESSION_INVALID"])


async def test_log_out_everywhere_leaves_other_members_sessions(
    auth: Auth, user: User, factory: DirectoryFactory, tenant: Tenant
) -> None:
    other = await make_user(factory, tenant)
    token = await web_login(auth, other)
    await web_login(auth, user)
    await auth.sessions.revoke_all(user.enterprise_id, user.member.id)
    assert (await auth.sessions.validate(token)).member_id == other.member.id


async def test_disabling_a_member_ends_its_sessions(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    token = await web_login(auth, user)
    await factory.directory.members.disable(user.enterprise_id, user.member.id, ACTOR)
    with pytest.raises(LoginAccountDisabled):
        await auth.sessions.validate(token)


async def test_closing_the_mailbox_refuses_the_session_as_not_opened(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    assert user.mailbox is not None
    token = await web_login(auth, user)
    await factory.directory.mailboxes.close(user.enterprise_id, user.mailbox.id, ACTOR)
    with pytest.raises(MailboxNotOpened):
        await auth.sessions.validate(token)


async def test_client_password_login_cannot_start_a_web_session(auth: Auth, user: User) -> None:
    _, plaintext = await auth.client_passwords.create(user.enterprise_id, user.member.id, "Phone")
    principal = await auth.login.authenticate(user.login, plaintext, channel="imap", remote_ip=IP)
    with pytest.raises(Forbidden):
        await auth.sessions.create(principal)


async def test_session_list_shows_only_live_sessions(auth: Auth, user: User, clock: FakeClock) -> None:
    await web_login(auth, user)
    clock.advance(minutes=20)
    await web_login(auth, user)
    created = clock.now()
    logged_out = await web_login(auth, user)
    await auth.sessions.revoke(logged_out)
    clock.advance(minutes=15)  # the first one is now idle for 35 minutes
    listed = await auth.sessions.list_for_member(user.enterprise_id, user.member.id)
    assert [(s.login, s.remote_ip, s.created_at, s.idle_minutes) for s in listed] == [
        (user.login, IP, created, 30)
    ]


async def test_prune_deletes_sessions_dead_for_longer_than_any_idle_limit(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    await web_login(auth, user)
    clock.advance(days=8)
    live = await web_login(auth, user)
    deleted = await auth.sessions.prune()
    assert (deleted, (await auth.sessions.validate(live)).member_id) == (1, user.member.id)
