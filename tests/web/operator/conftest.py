"""Operator console fixtures: an operator with a console session, and HTTP clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from support.server import RunningServer
from support.web import base_url, portal_client
from web.operator.accounts import OperatorAccount, make_operator


@pytest.fixture
async def operator(server: RunningServer) -> OperatorAccount:
    return await make_operator(server)


@pytest.fixture
async def operator_client(
    server: RunningServer, operator: OperatorAccount
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client with the operator's session cookie and CSRF header."""
    async with portal_client(server, "operator", operator.token) as client:
        yield client


@pytest.fixture
async def anonymous(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url(server)) as client:
        yield client


@pytest.fixture
def backend() -> str:
    """Operator pages run on SQLite only: the services beneath them are tested on PostgreSQL too."""
    return "sqlite"
