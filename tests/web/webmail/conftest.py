"""Webmail page tests run on SQLite only: the pages call the same services on either backend, and the
services' own tests cover PostgreSQL. Tests whose behaviour depends on the database (text search)
parametrize ``backend`` themselves to run on both."""

from __future__ import annotations

import pytest


@pytest.fixture
def backend() -> str:
    return "sqlite"
