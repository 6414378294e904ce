"""Administrators' REST API tokens: shown once, stored hashed, listed, revoked, validated per request."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from auth.kit import IP, make_admin
from support.factories import ACTOR, DirectoryFactory, FastHasher, Tenant
from yunmail.auth import Auth, AuthLimits, Principal
from yunmail.clock import FakeClock
from yunmail.errors import (
    AdministratorNotFound,
    ApiTokenInvalid,
    ApiTokenLabelInvalid,
    ApiTokenLimitReached,
    ApiTokenNotFound,
    EnterpriseSuspended,
    LoginAccountDisabled,
)
from yunmail.security import hash_token
from yunmail.storage import Database, SqlCounters
from yunmail.storage.repos import enterprises as enterprise_rows
from yunmail.storage.sql.schema import api_tokens


@pytest.fixture
async def admin(factory: DirectoryFactory, tenant: Tenant) -> Principal:
    return await make_admin(factory, tenant)


def ids(admin: Principal) -> tuple[int, int]:
    assert admin.enterprise_id is not None and admin.admin_id is not None
    return admin.enterprise_id, admin.admin_id


async def test_created_token_is_a_ymt_secret_that_authenticates_as_its_administrator(
    auth: Auth, admin: Principal
) -> None:
    _, secret = await auth.api_tokens.create(*ids(admin), "deploy script")
    assert secret.startswith("ymt_") and len(secret) > 40
    assert await auth.api_tokens.validate(secret, remote_ip=IP) == admin


async def test_token_is_stored_only_as_its_hash(auth: Auth, admin: Principal, db: Database) -> None:
    token, secret = await auth.api_tokens.create(*ids(admin), "ci")
    async with db.read() as conn:
        stored = (await conn.execute(select(api_tokens).where(api_tokens.c.id == token.id))).mappings().one()
    assert stored["token_hash"] == hash_token(secret)
    assert secret not in [str(v) for v in stored.values()]


async def test_list_shows_labels_newest_first_never_secrets(
    auth: Auth, admin: Principal, clock: FakeClock
) -> None:
    first, _ = await auth.api_tokens.create(*ids(admin), "  first   token ")
    clock.advance(minutes=1)
    second, _ = await auth.api_tokens.create(*ids(admin), "second")
    listed = await auth.api_tokens.list(*ids(admin))
    assert [(t.id, t.label) for t in listed] == [(second.id, "second"), (first.id, "first token")]
    assert all(t.last_used_at is None and t.revoked_at is None for t in listed)


async def test_unknown_or_malformed_secret_is_invalid(auth: Auth, admin: Principal) -> None:
    _, secret = await auth.api_tokens.create(*ids(admin), "x")
    for wrong in ("ymt_" + "A" * 43, secret[4:], "", secret + "x"):
        with pytest.raises(ApiTokenInvalid) as refused:
            await auth.api_tokens.validate(wrong, remote_ip=IP)
        assert refused.value.http_status == 401


async def test_revoked_token_stops_working_and_stays_listed(
    auth: Auth, admin: Principal, clock: FakeClock
) -> None:
    token, secret = await auth.api_tokens.create(*ids(admin), "old")
    await auth.api_tokens.revoke(*ids(admin), token.id)
    with pytest.raises(ApiTokenInvalid):
        await auth.api_tokens.validate(secret, remote_ip=IP)
    (listed,) = await auth.api_tokens.list(*ids(admin))
    assert listed.revoked_at == clock.now()
    await auth.api_tokens.revoke(*ids(admin), token.id)  # idempotent


async def test_another_enterprises_administrator_cannot_revoke_or_see_the_token(
    auth: Auth, admin: Principal, factory: DirectoryFactory
) -> None:
    token, secret = await auth.api_tokens.create(*ids(admin), "mine")
    stranger = await make_admin(factory, await factory.tenant())
    with pytest.raises(ApiTokenNotFound) as refused:
        await auth.api_tokens.revoke(*ids(stranger), token.id)
    assert refused.value.http_status == 404
    assert await auth.api_tokens.list(*ids(stranger)) == ()
    assert (await auth.api_tokens.validate(secret, remote_ip=IP)).admin_id == admin.admin_id


async def test_a_colleagues_token_is_not_found_for_another_administrator(
    auth: Auth, admin: Principal, factory: DirectoryFactory, tenant: Tenant
) -> None:
    token, _ = await auth.api_tokens.create(*ids(admin), "mine")
    colleague = await make_admin(factory, tenant)
    with pytest.raises(ApiTokenNotFound):
        await auth.api_tokens.revoke(*ids(colleague), token.id)


async def test_token_for_an_administrator_of_another_enterprise_is_refused(
    auth: Auth, admin: Principal, factory: DirectoryFactory
) -> None:
    other = await factory.tenant()
    assert admin.admin_id is not None
    with pytest.raises(AdministratorNotFound):
        await auth.api_tokens.create(other.enterprise.id, admin.admin_id, "sneaky")


async def test_label_must_be_1_to_64_characters(auth: Auth, admin: Principal) -> None:
    for label in ("", "   ", "x" * 65):
        with pytest.raises(ApiTokenLabelInvalid):
            await auth.api_tokens.create(*ids(admin), label)
    token, _ = await auth.api_tokens.create(*ids(admin), "y" * 64)
    assert token.label == "y" * 64


async def test_an_administrator_holds_a_limited_number_of_active_tokens(
    db: Database, factory: DirectoryFactory, admin: Principal, clock: FakeClock
) -> None:
    auth = Auth(
        db,
        factory.directory,
        SqlCounters(db),
        clock,
        limits=AuthLimits(max_api_tokens=2),
        hasher=FastHasher(),
    )
    first, _ = await auth.api_tokens.create(*ids(admin), "a")
    await auth.api_tokens.create(*ids(admin), "b")
    with pytest.raises(ApiTokenLimitReached) as refused:
        await auth.api_tokens.create(*ids(admin), "c")
    assert refused.value.params == {"limit": 2}
    await auth.api_tokens.revoke(*ids(admin), first.id)
    await auth.api_tokens.create(*ids(admin), "c")


async def test_product_default_is_twenty_tokens(auth: Auth) -> None:
    assert auth.limits.max_api_tokens == 20


async def test_use_is_recorded_with_time_and_address_but_not_on_every_request(
    auth: Auth, admin: Principal, clock: FakeClock
) -> None:
    _, secret = await auth.api_tokens.create(*ids(admin), "script")
    first_use = clock.now()
    await auth.api_tokens.validate(secret, remote_ip=IP)
    clock.advance(seconds=30)
    await auth.api_tokens.validate(secret, remote_ip=IP)
    (token,) = await auth.api_tokens.list(*ids(admin))
    assert (token.last_used_at, token.last_used_ip) == (first_use, IP)
    clock.advance(seconds=30)
    await auth.api_tokens.validate(secret, remote_ip=IP)
    (token,) = await auth.api_tokens.list(*ids(admin))
    assert token.last_used_at == clock.now()


async def test_token_of_a_disabled_administrator_is_refused(
    auth: Auth, admin: Principal, factory: DirectoryFactory, tenant: Tenant
) -> None:
    await make_admin(factory, tenant)  # the last active administrator cannot be disabled
    _, secret = await auth.api_tokens.create(*ids(admin), "x")
    await factory.directory.administrators.disable(*ids(admin), ACTOR)
    with pytest.raises(LoginAccountDisabled):
        await auth.api_tokens.validate(secret, remote_ip=IP)


async def test_token_of_a_removed_administrator_is_invalid(
    auth: Auth, admin: Principal, factory: DirectoryFactory, tenant: Tenant
) -> None:
    await make_admin(factory, tenant)
    _, secret = await auth.api_tokens.create(*ids(admin), "x")
    await factory.directory.administrators.remove(*ids(admin), ACTOR)
    with pytest.raises(ApiTokenInvalid):
        await auth.api_tokens.validate(secret, remote_ip=IP)


async def test_token_is_refused_while_the_enterprise_is_suspended(
    auth: Auth, admin: Principal, db: Database
) -> None:
    _, secret = await auth.api_tokens.create(*ids(admin), "x")
    assert admin.enterprise_id is not None
    async with db.transaction() as conn:
        await enterprise_rows.update_values(conn, admin.enterprise_id, {"status": "suspended"})
    with pytest.raises(EnterpriseSuspended):
        await auth.api_tokens.validate(secret, remote_ip=IP)
