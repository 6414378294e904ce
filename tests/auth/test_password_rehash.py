"""Hashes made with other parameters still verify, and a successful login stores a current one."""

from __future__ import annotations

import argon2
import pytest

from auth.kit import IP, User
from support.factories import PASSWORD, DirectoryFactory, FastHasher
from yunmail.auth import Auth
from yunmail.auth.accounts import Accounts
from yunmail.clock import FakeClock
from yunmail.security import password_needs_rehash
from yunmail.security.passwords import verify_password_sync
from yunmail.storage import Database, SqlCounters

OLD_COSTS = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class UpgradingHasher(FastHasher):
    """Verifies the fast test format and its successor ``v2$``; only ``v2$`` is current."""

    async def hash(self, password: str) -> str:
        return "v2$" + (await super().hash(password)).removeprefix("fast$")

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash.removeprefix("v2$").removeprefix("fast$") == (
            await super().hash(password)
        ).removeprefix("fast$")

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith("v2$")


@pytest.fixture
def auth(db: Database, factory: DirectoryFactory, clock: FakeClock) -> Auth:
    return Auth(db, factory.directory, SqlCounters(db), clock, hasher=UpgradingHasher())


def test_argon2id_hash_with_other_costs_still_verifies() -> None:
    assert verify_password_sync(OLD_COSTS.hash(PASSWORD), PASSWORD)


def test_argon2id_hash_with_other_costs_needs_a_rehash() -> None:
    assert password_needs_rehash(OLD_COSTS.hash(PASSWORD))


def test_text_that_is_no_argon2_hash_is_not_rehashed() -> None:
    assert not password_needs_rehash("fast$not-argon2")


async def test_login_stores_a_hash_with_the_current_parameters(auth: Auth, db: Database, user: User) -> None:
    await auth.login.authenticate(user.login, PASSWORD, channel="imap", remote_ip=IP)
    account = await Accounts(db).get(user.enterprise_id, user.member.id)
    assert account is not None and (account.password_hash or "").startswith("v2$")


async def test_rehashed_password_keeps_working(auth: Auth, user: User, clock: FakeClock) -> None:
    await auth.login.authenticate(user.login, PASSWORD, channel="imap", remote_ip=IP)
    clock.advance(hours=1)  # past the credential cache: verified against the new hash
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="imap", remote_ip=IP)
    assert principal.member_id == user.member.id
