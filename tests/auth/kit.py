"""Shared pieces of the auth tests: members that can log in, and reading codes from the dev outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass

from support.factories import ACTOR, PASSWORD, DirectoryFactory, Tenant
from yunmail.auth import Auth, Principal
from yunmail.directory import Mailbox, Member, NewMember

IP = "198.51.100.7"


@dataclass(frozen=True, slots=True)
class User:
    """A member with an open mailbox and a password it chose itself (no forced change)."""

    tenant: Tenant
    member: Member
    mailbox: Mailbox | None

    @property
    def enterprise_id(self) -> int:
        return self.tenant.enterprise.id

    @property
    def login(self) -> str:
        return f"{self.member.account}@{self.tenant.enterprise.org_id}"


async def make_user(
    factory: DirectoryFactory,
    tenant: Tenant,
    *,
    account: str | None = None,
    phone: str | None = None,
    contact_email: str | None = None,
    mailbox: bool = True,
) -> User:
    n = factory.next()
    new = NewMember(
        name=f"User {n}",
        account=account or f"user{n}",
        password=PASSWORD,
        phone=phone,
        contact_email=contact_email if contact_email or phone else f"user{n}@contact.example",
    )
    member = await factory.directory.members.add(
        tenant.enterprise.id, new, ACTOR, require_password_change=False
    )
    box = await factory.mailbox(tenant, member.id) if mailbox else None
    return User(tenant, member, box)


async def sent_code(auth: Auth, recipient: str) -> str:
    """The code in the newest outbox message to ``recipient``."""
    newest = (await auth.outbox.messages(recipient=recipient, limit=1))[0]
    found = re.search(r"\b(\d{6})\b", newest.body)
    assert found is not None
    return found.group(1)


def other_code(code: str) -> str:
    """A wrong code, certainly different from ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


ADMIN_PASSWORD = "Admin-Pass-2026"


async def make_admin(factory: DirectoryFactory, tenant: Tenant, *, login: str | None = None) -> Principal:
    """An active administrator of ``tenant`` (password ``ADMIN_PASSWORD``), as its console principal."""
    n = factory.next()
    admin = await factory.directory.administrators.create_first(
        tenant.enterprise.id,
        f"Admin {n}",
        None,
        f"admin{n}@{tenant.enterprise.org_id}.example",
        login,
        ADMIN_PASSWORD,
        actor=ACTOR,
    )
    return Principal(kind="admin", login=admin.login, enterprise_id=admin.enterprise_id, admin_id=admin.id)
