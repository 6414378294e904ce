"""Admin console sign-in: password via the directory, shared lockout, authenticator codes (TOTP)."""

from __future__ import annotations

import pyotp
import pytest

from auth.kit import ADMIN_PASSWORD, IP, make_admin
from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.auth import Auth, Principal
from yunmail.clock import FakeClock
from yunmail.errors import (
    EnterpriseSuspended,
    LoginAccountDisabled,
    LoginInvalid,
    LoginLocked,
    TotpInvalid,
    TotpRequired,
)
from yunmail.storage import Database
from yunmail.storage.repos import enterprises as enterprise_rows


@pytest.fixture
async def admin(factory: DirectoryFactory, tenant: Tenant) -> Principal:
    return await make_admin(factory, tenant)


async def sign_in(
    auth: Auth, login: str, password: str = ADMIN_PASSWORD, code: str | None = None
) -> Principal:
    return await auth.admin_login.authenticate(login, password, totp_code=code, remote_ip=IP)


async def with_totp(auth: Auth, admin: Principal, clock: FakeClock) -> pyotp.TOTP:
    """Turn TOTP on for ``admin``; the clock is then past the confirming code's step."""
    enrollment = await auth.totp.begin(admin)
    app = pyotp.TOTP(enrollment.secret)
    await auth.totp.confirm(admin, enrollment.secret, app.at(clock.now()))
    clock.advance(seconds=30)
    return app


async def test_right_password_gives_the_admin_principal(auth: Auth, admin: Principal) -> None:
    principal = await sign_in(auth, admin.login.upper())
    assert principal == admin
    assert principal.kind == "admin" and principal.admin_id is not None


async def test_wrong_password_and_unknown_login_are_refused_alike(auth: Auth, admin: Principal) -> None:
    with pytest.raises(LoginInvalid):
        await sign_in(auth, admin.login, "Wrong-Pass-2026")
    with pytest.raises(LoginInvalid):
        await sign_in(auth, "nobody@nowhere.example")


async def test_repeated_failures_lock_the_login_even_for_the_right_password(
    auth: Auth, admin: Principal, clock: FakeClock
) -> None:
    for _ in range(auth.limits.login_failures):
        with pytest.raises(LoginInvalid):
            await sign_in(auth, admin.login, "Wrong-Pass-2026")
    with pytest.raises(LoginLocked) as locked:
        await sign_in(auth, admin.login)
    assert locked.value.params == {"minutes": 15}
    clock.advance(minutes=15)
    assert await sign_in(auth, admin.login) == admin


async def test_operator_can_lift_an_admin_lock(auth: Auth, admin: Principal) -> None:
    for _ in range(auth.limits.login_failures):
        with pytest.raises(LoginInvalid):
            await sign_in(auth, admin.login, "Wrong-Pass-2026")
    assert (await auth.admin_login.lock_status(admin.login)).locked
    await auth.admin_login.unlock(admin.login)
    assert await sign_in(auth, admin.login) == admin


async def test_unknown_logins_lock_too(auth: Auth) -> None:
    for _ in range(auth.limits.login_failures):
        with pytest.raises(LoginInvalid):
            await sign_in(auth, "ghost@nowhere.example")
    with pytest.raises(LoginLocked):
        await sign_in(auth, "ghost@nowhere.example")


async def test_disabled_administrator_is_told_after_the_right_password(
    auth: Auth, admin: Principal, factory: DirectoryFactory, tenant: Tenant
) -> None:
    await make_admin(factory, tenant)  # the last active administrator cannot be disabled
    assert admin.enterprise_id is not None and admin.admin_id is not None
    await factory.directory.administrators.disable(admin.enterprise_id, admin.admin_id, ACTOR)
    with pytest.raises(LoginAccountDisabled):
        await sign_in(auth, admin.login)


async def test_suspended_enterprise_is_told_after_the_right_password(
    auth: Auth, admin: Principal, db: Database
) -> None:
    assert admin.enterprise_id is not None
    async with db.transaction() as conn:
        await enterprise_rows.update_values(conn, admin.enterprise_id, {"status": "suspended"})
    with pytest.raises(EnterpriseSuspended):
        await sign_in(auth, admin.login)


async def test_with_totp_on_a_missing_code_is_asked_for(
    auth: Auth, admin: Principal, clock: FakeClock
) -> None:
    await with_totp(auth, admin, clock)
    with pytest.raises(TotpRequired) as asked:
        await sign_in(auth, admin.login)
    assert asked.value.http_status == 401


async def test_with_totp_on_the_current_code_signs_in(auth: Auth, admin: Principal, clock: FakeClock) -> None:
    app = await with_totp(auth, admin, clock)
    assert await sign_in(auth, admin.login, code=app.at(clock.now())) == admin


async def test_with_totp_on_a_wrong_code_is_refused(auth: Auth, admin: Principal, clock: FakeClock) -> None:
    app = await with_totp(auth, admin, clock)
    wrong = f"{(int(app.at(clock.now())) + 1) % 1_000_000:06d}"
    with pytest.raises(TotpInvalid) as refused:
        await sign_in(auth, admin.login, code=wrong)
    assert refused.value.http_status == 401


async def test_wrong_codes_lock_and_a_right_password_alone_does_not_clear_them(
    auth: Auth, admin: Principal, clock: FakeClock
) -> None:
    app = await with_totp(auth, admin, clock)
    wrong = f"{(int(app.at(clock.now())) + 1) % 1_000_000:06d}"
    for _ in range(auth.limits.login_failures - 1):
        with pytest.raises(TotpInvalid):
            await sign_in(auth, admin.login, code=wrong)
        with pytest.raises(TotpRequired):
            await sign_in(auth, admin.login)
    with pytest.raises(TotpInvalid):
        await sign_in(auth, admin.login, code=wrong)
    with pytest.raises(LoginLocked):
        await sign_in(auth, admin.login, code=app.at(clock.now()))


async def test_admin_without_totp_ignores_a_supplied_code(auth: Auth, admin: Principal) -> None:
    assert await sign_in(auth, admin.login, code="123456") == admin
