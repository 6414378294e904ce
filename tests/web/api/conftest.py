"""Fixtures of the REST API tests: ``org_server``, one real server per test module and backend.

DESIGN §8 allows a module-scoped server when every test makes its own enterprise (``web_tenant``),
so there is no order dependence; it saves starting a server per test. Modules that use it run their
tests in the module's event loop::

    pytestmark = pytest.mark.asyncio(loop_scope="module")

The server has its own FakeClock (``org_tenant.clock_of``). On PostgreSQL it uses the session's test
database, truncated when the module starts (function-scoped tests truncate it when they start).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from support.databases import PostgresTestDatabase, require_or_skip, sqlite_copy
from support.server import RunningServer, running_server
from yunmail.clock import FakeClock


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def org_database_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    postgres_database: PostgresTestDatabase | None,
) -> str:
    if request.param == "sqlite":
        return sqlite_copy(sqlite_template, tmp_path_factory.mktemp("org-db"))
    if postgres_database is None:
        require_or_skip("PostgreSQL is not reachable at YUNMAIL_TEST_PG_URL")
        raise AssertionError("unreachable")
    asyncio.run(postgres_database.truncate())
    return postgres_database.url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def org_server(
    org_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("org-server")
    async with running_server(data_dir, org_database_url, clock=FakeClock()) as running:
        yield running
