"""Auth test fixtures: a real Directory (fast hashing) and an ``Auth`` over the per-test database."""

from __future__ import annotations

import pytest

from auth.kit import User, make_user
from support.factories import DirectoryFactory, FastHasher, Tenant
from yunmail.auth import Auth
from yunmail.clock import FakeClock
from yunmail.storage import Database, SqlCounters


@pytest.fixture
def factory(db: Database, clock: FakeClock) -> DirectoryFactory:
    return DirectoryFactory.build(db, clock)


@pytest.fixture
async def tenant(factory: DirectoryFactory) -> Tenant:
    return await factory.tenant()


@pytest.fixture
async def user(factory: DirectoryFactory, tenant: Tenant) -> User:
    return await make_user(factory, tenant, phone="13800138000")


@pytest.fixture
def auth(db: Database, factory: DirectoryFactory, clock: FakeClock) -> Auth:
    """Product default limits; lockout counters in the test database (both backends)."""
    return Auth(db, factory.directory, SqlCounters(db), clock, hasher=FastHasher())
