"""Set-up for the organisation half's API tests: a server per module, and members, operators, tokens
and workbooks made directly rather than through the API under test.

The ``org_server`` fixture (``conftest.py``) is one real server per test module and backend; test
modules that use it run in the module's event loop (``pytestmark = pytest.mark.asyncio(loop_scope=
"module")``). A test that moves its clock must not rely on sessions made before the move
(``fresh_admin_client``).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from itertools import count

import httpx
import openpyxl

from support.server import RunningServer
from support.web import ACTOR, WebTenant, base_url, portal_client
from yunmail.clock import FakeClock
from yunmail.directory import Member, NewMember

OPERATOR_PASSWORD = "Operator-Pass-2026"
HEADER = (
    "Name",
    "Account",
    "Password",
    "Phone",
    "E-mail",
    "Role",
    "Department path",
    "Staff type",
    "Hire date",
    "Enterprise mailbox",
)
_serial = count(1)


def clock_of(server: RunningServer) -> FakeClock:
    clock = server.services.clock
    assert isinstance(clock, FakeClock)
    return clock


@asynccontextmanager
async def fresh_admin_client(server: RunningServer, tenant: WebTenant) -> AsyncIterator[httpx.AsyncClient]:
    """A console client with a new session (after the clock moved past the old one's idle time)."""
    token = await server.services.auth.sessions.create(tenant.admin)
    async with portal_client(server, "admin", token) as client:
        yield client


def error_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["code"])


async def add_member(
    server: RunningServer,
    tenant: WebTenant,
    name: str = "李雷",
    *,
    account: str | None = None,
    department_id: int | None = None,
    phone: str | None = None,
) -> Member:
    """A member without a password (no argon2 cost)."""
    acct = account or f"p{next(_serial)}"
    return await server.services.directory.members.add(
        tenant.enterprise.id,
        NewMember(
            name=name,
            account=acct,
            phone=phone,
            contact_email=f"{acct}@contact.test",
            department_id=department_id,
        ),
        ACTOR,
    )


@asynccontextmanager
async def bearer_client(server: RunningServer, tenant: WebTenant) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client authenticated by a new API token of the tenant's administrator (no cookie, no CSRF)."""
    assert tenant.admin.admin_id is not None
    _, secret = await server.services.auth.api_tokens.create(
        tenant.enterprise.id, tenant.admin.admin_id, "tests"
    )
    async with httpx.AsyncClient(
        base_url=base_url(server), headers={"authorization": f"Bearer {secret}"}
    ) as client:
        yield client


@asynccontextmanager
async def operator_client(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    operator = await server.services.auth.operators.create(f"operator{next(_serial)}", OPERATOR_PASSWORD)
    token = await server.services.auth.sessions.create(operator.principal())
    async with portal_client(server, "operator", token) as client:
        yield client


def workbook(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    """An .xlsx file with the template's header (English labels) and ``rows``."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "members.xlsx") -> dict[str, tuple[str, bytes, str]]:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return {"file": (name, data, kind)}
