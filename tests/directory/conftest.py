"""Directory test fixtures: a Directory over the per-test database, fast hashing, a recording mail store."""

from __future__ import annotations

import pytest

from support.factories import DirectoryFactory, RecordingMailStorage, Tenant
from yunmail.clock import FakeClock
from yunmail.directory import Directory
from yunmail.storage import Database


@pytest.fixture
def storage() -> RecordingMailStorage:
    return RecordingMailStorage()


@pytest.fixture
def factory(db: Database, clock: FakeClock, storage: RecordingMailStorage) -> DirectoryFactory:
    return DirectoryFactory.build(db, clock, storage=storage)


@pytest.fixture
def directory(factory: DirectoryFactory) -> Directory:
    return factory.directory


@pytest.fixture
async def tenant(factory: DirectoryFactory) -> Tenant:
    return await factory.tenant()
