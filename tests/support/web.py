"""Web test helpers: logged-in HTTP clients and browser pages without going through a login form.

Sessions are created through the real ``auth.sessions`` service and handed over as the portal's
cookie, so page and API tests need not depend on the login pages (which have tests of their own)::

    tenant = await web_tenant(server)                      # enterprise + trusted domain + admin
    async with admin_client(server, tenant) as client:     # httpx client with cookie + CSRF header
        response = await client.get("/api/v1/members")
    await login_page_as(page, server, "admin", tenant.admin_token)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from itertools import count

import httpx
from playwright.async_api import Page

from support.server import RunningServer
from yunmail.auth import Principal
from yunmail.directory import Enterprise, Mailbox, Member, NewMember
from yunmail.domains import Domain
from yunmail.web.deps import SESSION_COOKIES, Portal, csrf_token_for

ACTOR = "test:web"
PASSWORD = "Secret-2026"
ADMIN_PASSWORD = "Admin-Pass-2026"
_serial = count(1)


@dataclass(frozen=True, slots=True)
class WebTenant:
    enterprise: Enterprise
    domain: Domain
    admin: Principal
    admin_token: str


def base_url(server: RunningServer) -> str:
    host, port = server.address("http")
    return f"http://{host}:{port}"


async def web_tenant(server: RunningServer, *, org_id: str | None = None) -> WebTenant:
    """A new enterprise with a trusted domain and an active administrator logged in to the console."""
    n = next(_serial)
    org = org_id or f"org{n}x{id(server) % 9973}"
    services = server.services
    enterprise = await services.directory.enterprises.create(f"Enterprise {org}", org, ACTOR)
    domain = await services.domains.add(enterprise.id, f"{org}.test", ACTOR, trust=True)
    admin = await services.directory.administrators.create_first(
        enterprise.id, "Admin", None, f"admin@{org}.test", None, ADMIN_PASSWORD, actor=ACTOR
    )
    principal = Principal(kind="admin", login=admin.login, enterprise_id=enterprise.id, admin_id=admin.id)
    token = await services.auth.sessions.create(principal)
    return WebTenant(enterprise, domain, principal, token)


async def web_member(
    server: RunningServer,
    tenant: WebTenant,
    name: str = "张小明",
    *,
    account: str | None = None,
    phone: str | None = None,
) -> tuple[Member, Mailbox, str]:
    """A member with an open mailbox and a webmail session token."""
    services = server.services
    acct = account or f"m{next(_serial)}"
    member = await services.directory.members.add(
        tenant.enterprise.id,
        NewMember(
            name=name, account=acct, password=PASSWORD, phone=phone, contact_email=f"{acct}@contact.test"
        ),
        ACTOR,
        require_password_change=False,  # as if the member had already chosen it
    )
    mailbox = await services.directory.mailboxes.open(
        tenant.enterprise.id, member.id, tenant.domain.id, ACTOR, local_part=acct
    )
    principal = await services.auth.login.authenticate(
        f"{acct}@{tenant.enterprise.org_id}", PASSWORD, channel="web", remote_ip="127.0.0.1"
    )
    token = await services.auth.sessions.create(principal)
    return member, mailbox, token


@asynccontextmanager
async def portal_client(
    server: RunningServer, portal: Portal, token: str
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client carrying the portal's session cookie and its CSRF header."""
    async with httpx.AsyncClient(
        base_url=base_url(server),
        cookies={SESSION_COOKIES[portal]: token},
        headers={"x-csrf-token": csrf_token_for(token)},
        timeout=60.0,  # a loaded CI machine can take seconds for a page; never a reason to fail
    ) as client:
        yield client


@asynccontextmanager
async def admin_client(server: RunningServer, tenant: WebTenant) -> AsyncIterator[httpx.AsyncClient]:
    async with portal_client(server, "admin", tenant.admin_token) as client:
        yield client


async def login_page_as(page: Page, server: RunningServer, portal: Portal, token: str) -> None:
    """Give the browser page the portal's session cookie (as if it had just logged in)."""
    host, _ = server.address("http")
    await page.context.add_cookies(
        [{"name": SESSION_COOKIES[portal], "value": token, "domain": host, "path": "/", "httpOnly": True}]
    )
