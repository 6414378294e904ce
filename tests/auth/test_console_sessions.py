"""Admin and operator console sessions re-read their account: disabled, removed or suspended -> refused."""

from __future__ import annotations

import pytest

from auth.kit import make_admin
from support.factories import ACTOR, DirectoryFactory, Tenant
from yunmail.auth import Auth, Principal
from yunmail.clock import FakeClock
from yunmail.errors import (
    EnterpriseSuspended,
    LoginAccountDisabled,
    OperatorNotFound,
    SessionInvalid,
)
from yunmail.storage import Database
from yunmail.storage.repos import enterprises as enterprise_rows

OPERATOR_PASSWORD = "Operator-Pass-2026"


@pytest.fixture
async def admin(factory: DirectoryFactory, tenant: Tenant) -> Principal:
    await make_admin(factory, tenant)  # a colleague: the last active administrator cannot be disabled
    return await make_admin(factory, tenant)


def ids(admin: Principal) -> tuple[int, int]:
    assert admin.enterprise_id is not None and admin.admin_id is not None
    return admin.enterprise_id, admin.admin_id


async def test_session_of_a_disabled_administrator_is_refused_and_ended(
    auth: Auth, admin: Principal, factory: DirectoryFactory
) -> None:
    token = await auth.sessions.create(admin)
    await factory.directory.administrators.disable(*ids(admin), ACTOR)
    with pytest.raises(LoginAccountDisabled):
        await auth.sessions.validate(token)
    await factory.directory.administrators.enable(*ids(admin), ACTOR)
    with pytest.raises(SessionInvalid):
        await auth.sessions.validate(token)


async def test_session_of_a_removed_administrator_is_invalid(
    auth: Auth, admin: Principal, factory: DirectoryFactory
) -> None:
    token = await auth.sessions.create(admin)
    await factory.directory.administrators.remove(*ids(admin), ACTOR)
    with pytest.raises(SessionInvalid):
        await auth.sessions.validate(token)


async def test_admin_session_is_refused_while_the_enterprise_is_suspended(
    auth: Auth, admin: Principal, db: Database
) -> None:
    token = await auth.sessions.create(admin)
    enterprise_id, _ = ids(admin)
    async with db.transaction() as conn:
        await enterprise_rows.update_values(conn, enterprise_id, {"status": "suspended"})
    with pytest.raises(EnterpriseSuspended):
        await auth.sessions.validate(token)
    async with db.transaction() as conn:
        await enterprise_rows.update_values(conn, enterprise_id, {"status": "active"})
    assert await auth.sessions.validate(token) == admin


async def test_admin_session_of_a_dissolving_enterprise_is_invalid(
    auth: Auth, admin: Principal, db: Database
) -> None:
    token = await auth.sessions.create(admin)
    async with db.transaction() as conn:
        await enterprise_rows.update_values(conn, ids(admin)[0], {"status": "dissolving"})
    with pytest.raises(SessionInvalid):
        await auth.sessions.validate(token)


async def test_all_sessions_of_an_administrator_can_be_ended(auth: Auth, admin: Principal) -> None:
    tokens = [await auth.sessions.create(admin) for _ in range(2)]
    assert await auth.sessions.revoke_all_for_admin(*ids(admin)) == 2
    for token in tokens:
        with pytest.raises(SessionInvalid):
            await auth.sessions.validate(token)


async def test_operator_session_gives_back_the_operator_without_an_enterprise(
    auth: Auth, clock: FakeClock
) -> None:
    operator = await auth.operators.create("ops", OPERATOR_PASSWORD)
    token = await auth.sessions.create(operator.principal())
    clock.advance(minutes=29)
    principal = await auth.sessions.validate(token)
    assert (principal.kind, principal.login, principal.enterprise_id) == ("operator", "ops", None)
    assert principal.operator_id == operator.id


async def test_operator_session_is_refused_once_the_operator_is_disabled(auth: Auth) -> None:
    operator = await auth.operators.create("ops", OPERATOR_PASSWORD)
    token = await auth.sessions.create(operator.principal())
    await auth.operators.disable(operator.id)
    with pytest.raises(LoginAccountDisabled):
        await auth.sessions.validate(token)
    await auth.operators.enable(operator.id)
    with pytest.raises(SessionInvalid):
        await auth.sessions.validate(token)


async def test_operator_session_needs_a_real_operator(auth: Auth) -> None:
    with pytest.raises(OperatorNotFound):
        await auth.sessions.create(Principal(kind="operator", login="nobody"))
    operator = await auth.operators.create("ops", OPERATOR_PASSWORD)
    token = await auth.sessions.create(Principal(kind="operator", login="OPS"))
    assert (await auth.sessions.validate(token)).operator_id == operator.id
