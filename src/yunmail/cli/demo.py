"""``serve --demo``: a demo enterprise with departments, members, mailboxes and a shared mailbox,
plus an enterprise administrator (admin console) and a platform operator (operator console).

Idempotent: each start creates whatever is missing and leaves the rest alone, so restarting
``make run`` keeps the demo data (and its mail). The demo passwords are fixed and printed: the demo
is for a laptop, never for a server others can reach.
"""

from __future__ import annotations

from dataclasses import dataclass

from yunmail.cli.commands_admin import ACTOR
from yunmail.directory import Enterprise, Member, NewMember
from yunmail.domains import Domain
from yunmail.errors import (
    DomainNotFound,
    EnterpriseNotFound,
    MailboxNotFound,
    MailboxNotOpened,
    MemberNotFound,
)
from yunmail.services import Services

DEMO_ORG_ID = "demo"
DEMO_NAME = "Demo Enterprise"
DEMO_DOMAIN = "demo.yunmail.test"


@dataclass(frozen=True, slots=True)
class DemoPerson:
    account: str
    name: str
    department: str
    phone: str
    password: str


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """What the demo prints for one member: how to log in and where the mail goes."""

    name: str
    login: str  # account@org
    address: str
    password: str


@dataclass(frozen=True, slots=True)
class Demo:
    enterprise: Enterprise
    domain: Domain
    logins: tuple[DemoLogin, ...]
    shared_address: str
    consoles: tuple[ConsoleLogin, ...] = ()


@dataclass(frozen=True, slots=True)
class ConsoleLogin:
    """A console login the demo prints: ``console`` is ``admin`` or ``operator``."""

    console: str
    login: str
    password: str


PEOPLE = (
    DemoPerson("zhangwei", "张伟", "研发部/平台组", "13800000001", "Demo-zhangwei-1"),
    DemoPerson("lina", "李娜", "市场部", "13800000002", "Demo-lina-2"),
    DemoPerson("wangfang", "王芳", "研发部", "13800000003", "Demo-wangfang-3"),
)
SHARED_LOCAL_PART = "support"
SHARED_NAME = "客服 Support"
ADMIN_NAME = "管理员 Admin"
ADMIN_LOGIN = f"admin@{DEMO_DOMAIN}"
ADMIN_PASSWORD = "Demo-admin-1"
OPERATOR_LOGIN = "operator"
OPERATOR_PASSWORD = "Demo-operator-1"


async def ensure_demo(services: Services) -> Demo:
    """Create whatever part of the demo enterprise is missing; return the logins to print."""
    directory = services.directory
    try:
        enterprise = await directory.enterprises.get_by_org_id(DEMO_ORG_ID)
    except EnterpriseNotFound:
        enterprise = await directory.enterprises.create(DEMO_NAME, DEMO_ORG_ID, ACTOR)
    try:
        domain = await services.domains.find(enterprise.id, DEMO_DOMAIN)
    except DomainNotFound:
        domain = await services.domains.add(enterprise.id, DEMO_DOMAIN, ACTOR, trust=True)
    logins = []
    members = []
    for person in PEOPLE:
        member = await _ensure_member(services, enterprise, person)
        members.append(member)
        address = await _ensure_mailbox(services, enterprise, domain, member)
        logins.append(
            DemoLogin(person.name, f"{person.account}@{enterprise.org_id}", address, person.password)
        )
    shared_address = await _ensure_shared(services, enterprise, domain, members)
    consoles = (
        await _ensure_administrator(services, enterprise),
        await _ensure_operator(services),
    )
    return Demo(enterprise, domain, tuple(logins), shared_address, consoles)


async def _ensure_administrator(services: Services, enterprise: Enterprise) -> ConsoleLogin:
    administrators = services.directory.administrators
    entries = await administrators.list(enterprise.id)
    if not any(e.administrator is not None and e.administrator.login == ADMIN_LOGIN for e in entries):
        await administrators.create_first(
            enterprise.id, ADMIN_NAME, None, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_PASSWORD, actor=ACTOR
        )
    return ConsoleLogin("admin", ADMIN_LOGIN, ADMIN_PASSWORD)


async def _ensure_operator(services: Services) -> ConsoleLogin:
    if await services.auth.operators.find(OPERATOR_LOGIN) is None:
        await services.auth.operators.create(OPERATOR_LOGIN, OPERATOR_PASSWORD, actor=ACTOR)
    return ConsoleLogin("operator", OPERATOR_LOGIN, OPERATOR_PASSWORD)


async def _ensure_member(services: Services, enterprise: Enterprise, person: DemoPerson) -> Member:
    directory = services.directory
    try:
        return await directory.members.get_by_account(enterprise.id, person.account)
    except MemberNotFound:
        pass
    department = await directory.departments.ensure_path(enterprise.id, person.department, ACTOR)
    new = NewMember(
        name=person.name,
        account=person.account,
        password=person.password,
        phone=person.phone,
        department_id=department.id if department is not None else None,
    )
    # Demo logins should work at once, without the first-login password change.
    return await directory.members.add(enterprise.id, new, ACTOR, require_password_change=False)


async def _ensure_mailbox(services: Services, enterprise: Enterprise, domain: Domain, member: Member) -> str:
    mailboxes = services.directory.mailboxes
    try:
        return (await mailboxes.for_member(enterprise.id, member.id)).display_address
    except MailboxNotOpened:
        pass
    opened = await mailboxes.open(enterprise.id, member.id, domain.id, ACTOR, local_part=member.account)
    return opened.display_address


async def _ensure_shared(
    services: Services, enterprise: Enterprise, domain: Domain, members: list[Member]
) -> str:
    directory = services.directory
    address = f"{SHARED_LOCAL_PART}@{domain.name}"
    try:
        return (await directory.mailboxes.get_by_address(enterprise.id, address)).display_address
    except MailboxNotFound:
        pass
    shared = await directory.shared_mailboxes.create(
        enterprise.id, domain.id, SHARED_LOCAL_PART, SHARED_NAME, ACTOR, member_ids=[m.id for m in members]
    )
    return shared.mailbox.display_address
