"""Property-based testing of the whole REST API with schemathesis (v4) against a live server.

Schemathesis reads ``/api/openapi.json`` and generates requests for every operation (the documented
examples, then the coverage phase's boundary and invalid values, then stateful sequences that feed
one response's ids into the next request through the links it infers), as a logged-in administrator
of an enterprise seeded with one object of each kind so the documented example ids (1) name real
objects. Checks: no server error (5xx), and every response matches its documented schema (errors
included: ``{code, message}``).

It runs the schemathesis CLI in a subprocess: the server lives in this test's event loop, which
keeps serving while the subprocess runs. Runs are bounded (``--max-time``, few examples per
operation) and seeded, so a failure reproduces; the CLI's report is the assertion message.

Left out on purpose: ``/domains/{id}/quick-add`` sends DNS UPDATEs to the address in the request
(its own tests use the test DNS server). ``schemathesis_sessions`` (loaded as schemathesis hooks)
sends the operator's session to the operator's routes and the administrator's to all others.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest

from support.budgets import examples, seconds
from support.databases import PostgresTestDatabase, sqlite_copy
from support.dns_server import DnsTestServer, dns_zone
from support.server import RunningServer, running_server
from support.web import ACTOR, WebTenant, admin_client, base_url, web_tenant
from web.api.schemathesis_sessions import TOKEN_VARIABLES
from yunmail.clock import FakeClock
from yunmail.directory import NewMember

__all__ = ["dns_zone"]  # the fixture, used by ``api_server`` below

CHECKS = "not_a_server_error,response_schema_conformance"
LEFT_OUT = "/quick-add$"
SEED = "20260101"
# Random fuzzing is left to the stateful phase (which generates its own data) to fit the budget.
PHASES = "examples,coverage,stateful"
# The whole run's budget in seconds: stateful sequences repeat until it is spent. Both scale with
# HYPOTHESIS_PROFILE (ten times as much under ``nightly``, support/budgets.py).
BUDGET = seconds(45)
EXAMPLES_PER_OPERATION = examples(5)
TESTS = Path(__file__).parents[2]


@pytest.fixture
async def api_server(
    tmp_path: Path,
    sqlite_template: Path,
    postgres_database: PostgresTestDatabase | None,
    dns_zone: DnsTestServer,
) -> AsyncIterator[RunningServer]:
    """One server, on PostgreSQL when it is reachable (it is the stricter backend: no NUL in text,
    64-bit integers), else on SQLite; DNS goes to the test DNS server so checks answer at once."""
    if postgres_database is not None:
        await postgres_database.truncate()
        url = postgres_database.url
    else:
        url = sqlite_copy(sqlite_template, tmp_path)
    overrides = {"dns.nameservers": [dns_zone.nameserver]}
    async with running_server(
        tmp_path / "server", url, clock=FakeClock(), settings_overrides=overrides
    ) as server:
        yield server


async def _seed(server: RunningServer) -> WebTenant:
    """An enterprise with one object of each kind; in a fresh database each kind's first id is 1."""
    tenant = await web_tenant(server)
    eid, directory = tenant.enterprise.id, server.services.directory
    await directory.departments.create(eid, "R&D", ACTOR)
    people = [
        await directory.members.add(
            eid, NewMember(name=name, account=f"m{i}", contact_email=f"m{i}@contact.test"), ACTOR
        )
        for i, name in enumerate(("张三", "李四", "王五"), start=1)
    ]
    mailbox = await directory.mailboxes.open(eid, people[0].id, tenant.domain.id, ACTOR)
    closed = await directory.mailboxes.open(eid, people[1].id, tenant.domain.id, ACTOR)
    await directory.mailboxes.close(eid, closed.id, ACTOR)
    await directory.shared_mailboxes.create(
        eid, tenant.domain.id, "hr", "HR", ACTOR, member_ids=[people[0].id]
    )
    await directory.groups.create(
        eid,
        tenant.domain.id,
        "all",
        "All",
        ACTOR,
        member_ids=[people[0].id],
        addresses=["partner@example.org"],
    )
    await directory.aliases.add(eid, mailbox.id, tenant.domain.id, "boss", ACTOR)
    await server.services.domains.add(eid, "spare.example", ACTOR)
    await directory.invitations.invite(eid, "Invitee", None, "invitee@example.org", ACTOR)
    assert tenant.admin.admin_id is not None
    await server.services.auth.api_tokens.create(eid, tenant.admin.admin_id, "script")
    return tenant


async def _schemathesis(server: RunningServer, admin_token: str, operator_token: str) -> tuple[int, str]:
    """Run the CLI with both sessions (``schemathesis_sessions`` picks one per route): exit code, report."""
    args: Sequence[str] = (
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base_url(server)}/api/openapi.json",
        "--checks",
        CHECKS,
        "--exclude-path-regex",
        LEFT_OUT,
        "--phases",
        PHASES,
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--max-time",
        str(BUDGET),
        "--seed",
        SEED,
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--generation-database",
        "none",
        "--no-color",
    )
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        "SCHEMATHESIS_HOOKS": "web.api.schemathesis_sessions",
        TOKEN_VARIABLES["admin"]: admin_token,
        TOKEN_VARIABLES["operator"]: operator_token,
    }
    process = await asyncio.create_subprocess_exec(
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=server.data_dir,  # no schemathesis.toml there; nothing written into the checkout
        env=environment,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=BUDGET + 120)
    return process.returncode or 0, output.decode("utf-8", "replace")


async def test_no_route_fails_or_breaks_its_documented_schema(api_server: RunningServer) -> None:
    tenant = await _seed(api_server)
    operator = await api_server.services.auth.operators.create("operator", "Operator-Pass-2026")
    operator_token = await api_server.services.auth.sessions.create(operator.principal())

    code, report = await _schemathesis(api_server, tenant.admin_token, operator_token)

    assert code == 0, report[-12_000:]
    assert " passed" in report, report[-12_000:]  # something ran
    assert "Authentication failed" not in report, report[-12_000:]  # ... as the right person


async def test_ids_beyond_64_bits_are_invalid_input_not_server_errors(api_server: RunningServer) -> None:
    """Hypothesis rarely draws such integers; the database drivers cannot bind them (SQLite, asyncpg)."""
    tenant = await _seed(api_server)
    async with httpx.AsyncClient(base_url=base_url(api_server)) as plain:
        document = (await plain.get("/api/openapi.json")).json()
    paths = [
        path.replace("{", "").replace("}", "")
        for path, operations in document["paths"].items()
        if "get" in operations and "{" in path and not path.startswith("/api/v1/enterprises")
    ]
    huge = str(2**64)
    answers = {}
    async with admin_client(api_server, tenant) as client:
        for path in paths:
            url = "/".join(huge if part.endswith("_id") else part for part in path.split("/"))
            answers[path] = (await client.get(url)).status_code

    assert answers
    assert {path: status for path, status in answers.items() if status >= 500} == {}
