"""An administrator lifting a member's lockout is audited: who (and from where), what, when, on whom."""

from __future__ import annotations

import pytest

from auth.kit import IP, User
from support.factories import DirectoryFactory
from yunmail.auth import Auth
from yunmail.clock import FakeClock
from yunmail.errors import LoginInvalid, MemberNotFound

ACTOR = "admin:boss@192.0.2.10"


async def test_unlocking_a_locked_member_records_who_when_and_the_lock(
    auth: Auth, user: User, factory: DirectoryFactory, clock: FakeClock
) -> None:
    for _ in range(auth.limits.login_failures):
        with pytest.raises(LoginInvalid):
            await auth.login.authenticate(user.login, "Wrong-2026", channel="web", remote_ip=IP)

    await auth.login.unlock(user.enterprise_id, user.member.id, actor=ACTOR)

    [entry] = await factory.directory.audit_log(user.enterprise_id, limit=1)
    assert (entry.actor, entry.action, entry.target, entry.created_at) == (
        ACTOR,
        "member.unlock",
        f"member:{user.member.id}",
        clock.now(),
    )
    assert dict(entry.detail) == {"was_locked": True, "failures": 0}


async def test_a_refused_unlock_of_another_enterprises_member_records_nothing(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    other = await factory.tenant()
    before = await factory.directory.audit_log(other.enterprise.id)

    with pytest.raises(MemberNotFound):
        await auth.login.unlock(other.enterprise.id, user.member.id, actor=ACTOR)

    assert await factory.directory.audit_log(other.enterprise.id) == before
