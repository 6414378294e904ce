"""Two-step verification (TOTP, RFC 6238): enrolment, confirmation, member web logins, replay, disable.

Codes are computed with pyotp at the fake clock's time, as the member's authenticator app would.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest

from auth.kit import IP, User, make_admin, make_user, sent_code
from support.factories import ACTOR, PASSWORD, DirectoryFactory, Tenant
from yunmail.auth import Auth, Principal, code_at
from yunmail.clock import FakeClock
from yunmail.errors import (
    LoginLocked,
    MemberNotFound,
    TotpAlreadyEnabled,
    TotpInvalid,
    TotpNotEnabled,
    TotpRequired,
)


async def member_principal(auth: Auth, user: User, code: str | None = None) -> Principal:
    return await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP, totp_code=code)


async def turn_on(auth: Auth, principal: Principal, clock: FakeClock) -> pyotp.TOTP:
    """Enrol and confirm; the clock is then one step later (the confirming code is used up)."""
    enrollment = await auth.totp.begin(principal)
    app = pyotp.TOTP(enrollment.secret)
    await auth.totp.confirm(principal, enrollment.secret, app.at(clock.now()))
    clock.advance(seconds=30)
    return app


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_begin_gives_a_160_bit_secret_and_an_otpauth_uri_for_the_login(auth: Auth, user: User) -> None:
    principal = await member_principal(auth, user)
    enrollment = await auth.totp.begin(principal)
    assert len(base64.b32decode(enrollment.secret)) == 20
    uri = urlparse(enrollment.otpauth_uri)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == f"/Yunmail:{user.login}"
    assert parse_qs(uri.query)["secret"] == [enrollment.secret]
    assert parse_qs(uri.query)["issuer"] == ["Yunmail"]


async def test_totp_is_not_on_until_confirmed(auth: Auth, user: User) -> None:
    principal = await member_principal(auth, user)
    await auth.totp.begin(principal)
    assert not await auth.totp.enabled(principal)
    assert await member_principal(auth, user) == principal  # no code asked


async def test_confirming_with_the_apps_code_turns_it_on(auth: Auth, user: User, clock: FakeClock) -> None:
    principal = await member_principal(auth, user)
    await turn_on(auth, principal, clock)
    assert await auth.totp.enabled(principal)


async def test_confirming_with_a_wrong_code_leaves_it_off(auth: Auth, user: User, clock: FakeClock) -> None:
    principal = await member_principal(auth, user)
    enrollment = await auth.totp.begin(principal)
    with pytest.raises(TotpInvalid):
        await auth.totp.confirm(principal, enrollment.secret, wrong(code_at(enrollment.secret, clock.now())))
    with pytest.raises(TotpInvalid):
        await auth.totp.confirm(principal, "not base32 !!", "123456")
    assert not await auth.totp.enabled(principal)


async def test_a_second_app_cannot_replace_the_first_without_turning_it_off(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    principal = await member_principal(auth, user)
    await turn_on(auth, principal, clock)
    with pytest.raises(TotpAlreadyEnabled):
        await auth.totp.begin(principal)
    other = pyotp.random_base32()
    with pytest.raises(TotpAlreadyEnabled):
        await auth.totp.confirm(principal, other, pyotp.TOTP(other).at(clock.now()))


async def test_web_login_asks_for_the_code_once_on(auth: Auth, user: User, clock: FakeClock) -> None:
    await turn_on(auth, await member_principal(auth, user), clock)
    with pytest.raises(TotpRequired):
        await member_principal(auth, user)


async def test_web_login_with_the_current_code_succeeds(auth: Auth, user: User, clock: FakeClock) -> None:
    app = await turn_on(auth, await member_principal(auth, user), clock)
    principal = await member_principal(auth, user, app.at(clock.now()))
    assert principal.member_id == user.member.id


async def test_web_login_with_a_wrong_code_is_refused(auth: Auth, user: User, clock: FakeClock) -> None:
    app = await turn_on(auth, await member_principal(auth, user), clock)
    with pytest.raises(TotpInvalid):
        await member_principal(auth, user, wrong(app.at(clock.now())))


async def test_wrong_codes_count_towards_the_members_lockout(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    app = await turn_on(auth, await member_principal(auth, user), clock)
    for _ in range(auth.limits.login_failures):
        with pytest.raises(TotpInvalid):
            await member_principal(auth, user, wrong(app.at(clock.now())))
    with pytest.raises(LoginLocked):
        await member_principal(auth, user, app.at(clock.now()))


async def test_the_previous_steps_code_is_still_accepted(auth: Auth, user: User, clock: FakeClock) -> None:
    app = await turn_on(auth, await member_principal(auth, user), clock)
    code = app.at(clock.now())
    clock.advance(seconds=30)
    assert (await member_principal(auth, user, code)).member_id == user.member.id


async def test_a_code_two_steps_old_is_refused(auth: Auth, user: User, clock: FakeClock) -> None:
    app = await turn_on(auth, await member_principal(auth, user), clock)
    code = app.at(clock.now())
    clock.advance(seconds=60)
    with pytest.raises(TotpInvalid):
        await member_principal(auth, user, code)


async def test_a_code_works_only_once(auth: Auth, user: User, clock: FakeClock) -> None:
    app = await turn_on(auth, await member_principal(auth, user), clock)
    code = app.at(clock.now())
    await member_principal(auth, user, code)
    with pytest.raises(TotpInvalid):
        await member_principal(auth, user, code)


async def test_mail_programs_never_need_the_code(auth: Auth, user: User, clock: FakeClock) -> None:
    await turn_on(auth, await member_principal(auth, user), clock)
    for channel in ("imap", "pop3", "smtp"):
        principal = await auth.login.authenticate(user.login, PASSWORD, channel=channel, remote_ip=IP)
        assert principal.member_id == user.member.id


async def test_sms_code_login_is_a_second_factor_by_itself(auth: Auth, user: User, clock: FakeClock) -> None:
    await turn_on(auth, await member_principal(auth, user), clock)
    assert user.member.phone is not None
    await auth.codes.request_login_code(user.member.phone)
    code = await sent_code(auth, user.member.phone)
    principal = await auth.codes.login_with_code(user.member.phone, code, remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_turning_it_off_needs_a_current_code(auth: Auth, user: User, clock: FakeClock) -> None:
    app = await turn_on(auth, await member_principal(auth, user), clock)
    principal = await member_principal(auth, user, app.at(clock.now()))
    clock.advance(seconds=30)
    with pytest.raises(TotpInvalid):
        await auth.totp.disable(principal, wrong(app.at(clock.now())))
    assert await auth.totp.enabled(principal)
    await auth.totp.disable(principal, app.at(clock.now()))
    assert not await auth.totp.enabled(principal)
    assert await member_principal(auth, user) == principal


async def test_guessing_the_code_to_turn_it_off_locks_the_account(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    app = await turn_on(auth, await member_principal(auth, user), clock)
    principal = await member_principal(auth, user, app.at(clock.now()))
    clock.advance(seconds=30)
    for _ in range(auth.limits.login_failures):
        with pytest.raises(TotpInvalid):
            await auth.totp.disable(principal, wrong(app.at(clock.now())))
    with pytest.raises(LoginLocked):
        await auth.totp.disable(principal, app.at(clock.now()))


async def test_turning_it_off_when_off_is_refused(auth: Auth, user: User) -> None:
    with pytest.raises(TotpNotEnabled):
        await auth.totp.disable(await member_principal(auth, user), "123456")


async def test_an_administrator_can_reset_a_members_lost_authenticator(
    auth: Auth, user: User, clock: FakeClock, factory: DirectoryFactory
) -> None:
    await turn_on(auth, await member_principal(auth, user), clock)
    assert await auth.totp.reset_member(user.enterprise_id, user.member.id, actor=ACTOR)
    assert (await member_principal(auth, user)).member_id == user.member.id
    assert not await auth.totp.reset_member(user.enterprise_id, user.member.id, actor=ACTOR)
    other = await factory.tenant()
    with pytest.raises(MemberNotFound):
        await auth.totp.reset_member(other.enterprise.id, user.member.id, actor=ACTOR)


async def test_each_account_has_its_own_secret(
    auth: Auth, user: User, clock: FakeClock, factory: DirectoryFactory, tenant: Tenant
) -> None:
    await turn_on(auth, await member_principal(auth, user), clock)
    colleague = await make_user(factory, tenant)
    admin = await make_admin(factory, tenant)
    assert not await auth.totp.enabled(await member_principal(auth, colleague))
    assert not await auth.totp.enabled(admin)
