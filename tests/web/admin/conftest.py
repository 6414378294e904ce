"""Admin console page tests run on SQLite only: the pages call the same services on either backend, and
those services (and the REST API over them) are tested on PostgreSQL too."""

from __future__ import annotations

import pytest


@pytest.fixture
def backend() -> str:
    return "sqlite"
