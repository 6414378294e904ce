"""``console``: one real server per test module and backend for the admin console's HTTP-only tests.

DESIGN §8 allows a module-scoped server when every test makes its own enterprise (``web_tenant``),
so tests do not depend on each other's order; it spares starting a server for each of them. Tests
that use it run in the module's event loop (mark them ``ON_CONSOLE``); browser tests keep the
function-scoped ``server`` fixture (Playwright lives in the test's own loop). Import both fixtures
into the test module::

    from web.admin.console_server import ON_CONSOLE, console, console_database_url  # noqa: F401

The server has its own FakeClock (``clock_of``); a test that moves it must not rely on sessions
made before the move. On PostgreSQL it uses the session's test database, truncated when the
module's server starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from support.databases import PostgresTestDatabase, require_or_skip, sqlite_copy
from support.server import RunningServer, running_server
from support.web import WebTenant, base_url
from yunmail.clock import FakeClock
from yunmail.web.deps import SESSION_COOKIES, csrf_token_for

ON_CONSOLE = pytest.mark.asyncio(loop_scope="module")
# Some requests hash a password (argon2): on a loaded test machine they can take more than httpx's
# default 5 seconds, which is no failure of the page.
TIMEOUT = httpx.Timeout(60.0)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def console_database_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    postgres_database: PostgresTestDatabase | None,
) -> str:
    if request.param == "sqlite":
        return sqlite_copy(sqlite_template, tmp_path_factory.mktemp("console-db"))
    if postgres_database is None:
        require_or_skip("PostgreSQL is not reachable at YUNMAIL_TEST_PG_URL")
        raise AssertionError("unreachable")
    asyncio.run(postgres_database.truncate())
    return postgres_database.url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def console(
    console_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("console-server")
    async with running_server(data_dir, console_database_url, clock=FakeClock()) as running:
        yield running


def clock_of(server: RunningServer) -> FakeClock:
    clock = server.services.clock
    assert isinstance(clock, FakeClock)
    return clock


def http_client(server: RunningServer, **options: Any) -> httpx.AsyncClient:
    """A plain client of the server (no session), patient enough for a loaded machine."""
    return httpx.AsyncClient(base_url=base_url(server), timeout=TIMEOUT, **options)


@asynccontextmanager
async def console_client(server: RunningServer, tenant: WebTenant) -> AsyncIterator[httpx.AsyncClient]:
    """The tenant administrator's console session: its cookie and CSRF header."""
    token = tenant.admin_token
    async with http_client(
        server, cookies={SESSION_COOKIES["admin"]: token}, headers={"x-csrf-token": csrf_token_for(token)}
    ) as client:
        yield client
