"""Shared fixtures: backends (SQLite always, PostgreSQL when reachable, required in CI), clocks, buses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from support.budgets import load_profile
from support.databases import (
    PostgresTestDatabase,
    make_sqlite_template,
    open_test_database,
    postgres_reachable,
    require_or_skip,
    sqlite_copy,
)
from support.suite_summary import longest_modules_first
from yunmail.clock import FakeClock
from yunmail.events import InProcessBus
from yunmail.storage import Database, FileBlobStore

pytest_plugins = ["support.server", "support.browser", "support.suite_summary"]

load_profile()  # HYPOTHESIS_PROFILE: dev (default), ci, nightly (support/budgets.py)

# httpx gives up after 5 s by default, a timing check in disguise: on a 2-core CI machine running
# several test workers, a fresh server's first page (templates compiled on first use) can take
# longer. Test clients wait up to a minute; a server that hangs still fails the test.
for _client in (httpx.AsyncClient, httpx.Client):
    _client.__init__.__kwdefaults__["timeout"] = httpx.Timeout(60.0)

BACKENDS = ["sqlite", "postgres"]
# A test that takes none of these is a unit test: ``-m fast`` (``make test-fast``) selects those,
# except under the directories whose tests run the ``yunmail`` command or ``make`` as a subprocess.
NEEDS_A_DATABASE_OR_SERVER = frozenset(
    {
        "backend",
        "database_url",
        "db",
        "postgres_database",
        "sqlite_template",
        "server",
        "browser",
        "page",
        "phone_page",
    }
)
RUNS_COMMANDS = frozenset({"cli", "e2e"})
TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return asyncio.run(make_sqlite_template(tmp_path_factory.mktemp("template")))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresTestDatabase | None]:
    if not asyncio.run(postgres_reachable()):
        yield None
        return
    pg = PostgresTestDatabase()
    asyncio.run(pg.create())
    try:
        yield pg
    finally:
        asyncio.run(pg.drop())


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(
    backend: str,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_database: PostgresTestDatabase | None,
) -> str:
    if backend == "sqlite":
        return sqlite_copy(sqlite_template, tmp_path)
    if postgres_database is None:
        require_or_skip("PostgreSQL is not reachable at YUNMAIL_TEST_PG_URL")
        raise AssertionError("unreachable")
    asyncio.run(postgres_database.truncate())
    return postgres_database.url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await open_test_database(database_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def blobs(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "blobs")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest modules first (support/suite_summary.py); mark unit tests ``fast``: no database,
    server, browser or command, and not marked ``slow``."""
    del config
    longest_modules_first(items)
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        top = item.path.relative_to(TESTS).parts[0]
        if fixtures & NEEDS_A_DATABASE_OR_SERVER or top in RUNS_COMMANDS or item.get_closest_marker("slow"):
            continue
        item.add_marker(pytest.mark.fast)
