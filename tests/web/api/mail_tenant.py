"""Set-up for the mail half's API tests: members and domains made through the services, not the API."""

from __future__ import annotations

from itertools import count
from typing import Any

import httpx

from support.server import RunningServer
from support.web import ACTOR, WebTenant
from yunmail.directory import Member, NewMember
from yunmail.domains import Domain

_serial = count(1)


async def add_member(server: RunningServer, tenant: WebTenant, name: str = "张小明") -> Member:
    account = f"u{next(_serial)}"
    return await server.services.directory.members.add(
        tenant.enterprise.id,
        NewMember(name=name, account=account, contact_email=f"{account}@contact.test"),
        ACTOR,
    )


async def add_domain(server: RunningServer, tenant: WebTenant, name: str) -> Domain:
    return await server.services.domains.add(tenant.enterprise.id, name, ACTOR, trust=True)


async def open_mailbox(
    client: httpx.AsyncClient, member: Member, domain_id: int, local_part: str | None = None
) -> dict[str, Any]:
    """Open through the API and insist it worked (for tests about what comes after)."""
    body: dict[str, Any] = {"member_id": member.id, "domain_id": domain_id}
    if local_part is not None:
        body["local_part"] = local_part
    response = await client.post("/api/v1/mailboxes", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def error_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["code"])
