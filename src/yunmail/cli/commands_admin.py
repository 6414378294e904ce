"""The operator's administration commands: enterprises, domains, members and mailboxes (DESIGN §6).

Each command resolves the names people type (organisation id, account, address, department path)
to ids through the services, calls one service operation and returns a ``CommandResult``. Business
rules stay in the services; a refused operation surfaces as the service's catalogue error.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from yunmail.cli.output import CommandResult, fields_text, table_text, when
from yunmail.directory import Enterprise, Mailbox, Member, NewMember
from yunmail.domains import Domain
from yunmail.errors import InvalidInput, PasswordTooWeak
from yunmail.security import check_password_policy, new_token
from yunmail.services import Services

AdminCommand = Callable[[Services, argparse.Namespace], Awaitable[CommandResult]]

ACTOR = "operator:cli"


# --- enterprises ---------------------------------------------------------------------------------


async def enterprise_create(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise = await services.directory.enterprises.create(args.name, args.org, ACTOR)
    return CommandResult(enterprise, f"created enterprise\n{_enterprise_text(enterprise)}")


async def enterprise_list(services: Services, args: argparse.Namespace) -> CommandResult:
    page = await services.directory.enterprises.search(args.search, limit=args.limit)
    rows = [(e.org_id, e.name, e.status, when(e.created_at)) for e in page.items]
    text = table_text(("ORG ID", "NAME", "STATUS", "CREATED"), rows)
    if page.total > len(page.items):
        text += f"\n({len(page.items)} of {page.total}; use --limit or --search)"
    return CommandResult(page.items, text)


async def enterprise_show(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    domains = await services.domains.list_domains(enterprise.id)
    text = _enterprise_text(enterprise, ("domains", ", ".join(d.display_name for d in domains) or None))
    return CommandResult({"enterprise": enterprise, "domains": domains}, text)


def _enterprise_text(enterprise: Enterprise, *extra: tuple[str, object]) -> str:
    return fields_text(
        [
            ("name", enterprise.name),
            ("org id", enterprise.org_id),
            ("status", enterprise.status),
            ("seats", "unlimited" if enterprise.seats is None else enterprise.seats),
            ("trial ends", when(enterprise.trial_ends_at)),
            ("created", when(enterprise.created_at)),
            *extra,
        ]
    )


# --- domains -------------------------------------------------------------------------------------


async def domain_add(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    domain = await services.domains.add(enterprise.id, args.domain, ACTOR, mode=args.mode, trust=args.trust)
    text = f"added domain\n{_domain_text(domain)}"
    if domain.state != "verified":
        text += f"\nnext: publish the DNS records (yunmail domain records {enterprise.org_id} {domain.name})"
    return CommandResult(domain, text)


async def domain_list(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    domains = await services.domains.list_domains(enterprise.id)
    rows = [(d.display_name, d.mode, d.state, when(d.verified_at)) for d in domains]
    return CommandResult(domains, table_text(("DOMAIN", "MODE", "STATE", "VERIFIED"), rows))


async def domain_records(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    domain = await services.domains.find(enterprise.id, args.domain)
    records = await services.domains.records(enterprise.id, domain.id, services.deployment)
    rows = [
        (
            r.type,
            r.label(domain.name),
            r.display_value(),
            r.ttl,
            r.purpose.value,
            "yes" if r.required else "no",
        )
        for r in records
    ]
    text = f"records to publish for {domain.display_name} ({domain.mode} mode):\n"
    text += table_text(("TYPE", "HOST", "VALUE", "TTL", "PURPOSE", "REQUIRED"), rows)
    return CommandResult([r.as_dict() for r in records], text)


async def domain_check(services: Services, args: argparse.Namespace) -> CommandResult:
    """Check now and save the result: the domain's state moves (and is audited) like a console check."""
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    domain = await services.domains.find(enterprise.id, args.domain)
    outcome = await services.domains.check(
        enterprise.id, domain.id, services.resolver, services.deployment, actor=ACTOR
    )
    check = outcome.check
    rows = [
        (s.type, s.label, s.purpose.value, s.state.value, ", ".join(s.error_codes + s.warning_codes))
        for s in check.records
    ]
    state = outcome.domain.state
    if outcome.changed:
        state = f"{outcome.previous_state} -> {state}"
    text = fields_text(
        [
            ("domain", domain.display_name),
            ("mode", check.mode),
            ("check", check.state.value),
            ("state", state),
            ("next check", when(outcome.domain.next_check_at)),
        ]
    )
    text += "\n" + table_text(("TYPE", "HOST", "PURPOSE", "STATE", "DIAGNOSIS"), rows)
    for finding in (*check.errors, *check.warnings):
        words = finding.text.zh if getattr(args, "lang", "en") == "zh" else finding.text.en
        text += f"\n{finding.code}: {words}"
    return CommandResult(outcome.as_dict(), text)


def _domain_text(domain: Domain) -> str:
    pairs: list[tuple[str, object]] = [("domain", domain.display_name)]
    if domain.display_name != domain.name:
        pairs.append(("A-label", domain.name))
    pairs += [("mode", domain.mode), ("state", domain.state), ("ownership token", domain.ownership_token)]
    return fields_text(pairs)


# --- members -------------------------------------------------------------------------------------


async def member_add(services: Services, args: argparse.Namespace) -> CommandResult:
    directory = services.directory
    enterprise = await directory.enterprises.get_by_org_id(args.org_id)
    department_id = None
    if args.department:
        department = await directory.departments.ensure_path(enterprise.id, args.department, ACTOR)
        department_id = department.id if department is not None else None
    password = args.password if args.password is not None else generate_password()
    new = NewMember(
        name=args.name,
        account=args.account,
        password=password,
        phone=args.phone,
        contact_email=args.email,
        department_id=department_id,
    )
    member = await directory.members.add(enterprise.id, new, ACTOR)
    data: dict[str, object] = {"member": member, "login": _login(member, enterprise)}
    text = f"added member\n{_member_text(member, enterprise)}"
    if args.password is None:
        data["initial_password"] = password
        text += "\n" + fields_text(
            [("initial password", f"{password}  (shown once; changed at first login)")]
        )
    return CommandResult(data, text)


async def member_list(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    page = await services.directory.members.search(enterprise.id, args.search, limit=args.limit)
    mailboxes = await services.directory.mailboxes.list_mailboxes(enterprise.id)
    by_member = {m.member_id: m for m in mailboxes if m.member_id is not None}
    rows = [
        (m.account, m.name, m.status, by_member[m.id].display_address if m.id in by_member else None)
        for m in page.items
    ]
    text = table_text(("ACCOUNT", "NAME", "STATUS", "MAILBOX"), rows)
    if page.total > len(page.items):
        text += f"\n({len(page.items)} of {page.total}; use --limit or --search)"
    return CommandResult(page.items, text)


async def member_show(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    member = await services.directory.members.get_by_account(enterprise.id, args.account)
    mailboxes = await services.directory.mailboxes.list_mailboxes(enterprise.id)
    mailbox = next((m for m in mailboxes if m.member_id == member.id), None)
    text = _member_text(member, enterprise, ("mailbox", _mailbox_label(mailbox) if mailbox else None))
    return CommandResult({"member": member, "login": _login(member, enterprise), "mailbox": mailbox}, text)


async def member_disable(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise, member = await _member(services, args)
    member = await services.directory.members.disable(enterprise.id, member.id, ACTOR)
    return CommandResult(member, f"disabled member {_login(member, enterprise)}")


async def member_enable(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise, member = await _member(services, args)
    member = await services.directory.members.enable(enterprise.id, member.id, ACTOR)
    return CommandResult(member, f"enabled member {_login(member, enterprise)}")


async def member_delete(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise, member = await _member(services, args)
    await services.directory.members.delete(enterprise.id, member.id, ACTOR)
    login = _login(member, enterprise)
    return CommandResult(
        {"deleted": login}, f"deleted member {login} (its mailbox, if any, is in the recycle bin)"
    )


async def _member(services: Services, args: argparse.Namespace) -> tuple[Enterprise, Member]:
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    return enterprise, await services.directory.members.get_by_account(enterprise.id, args.account)


def _login(member: Member, enterprise: Enterprise) -> str:
    return f"{member.account}@{enterprise.org_id}"


def _member_text(member: Member, enterprise: Enterprise, *extra: tuple[str, object]) -> str:
    return fields_text(
        [
            ("name", member.name),
            ("login", _login(member, enterprise)),
            ("status", member.status),
            ("phone", member.phone),
            ("contact e-mail", member.contact_email),
            ("must change password", "yes" if member.must_change_password else "no"),
            *extra,
        ]
    )


def generate_password() -> str:
    """A random password that passes the product policy (8-32 characters, two classes)."""
    while True:
        candidate = new_token(12)  # 16 URL-safe characters
        try:
            check_password_policy(candidate)
        except PasswordTooWeak:
            continue
        return candidate


# --- mailboxes -----------------------------------------------------------------------------------


async def mailbox_open(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise, member = await _member(services, args)
    local_part: str | None = None
    if args.address:
        local_part, at, domain_name = args.address.rpartition("@")
        if not at or not local_part:
            raise InvalidInput(detail=f"'{args.address}' is not a full address (local@domain)")
        domain = await services.domains.find(enterprise.id, domain_name)
    else:
        domain = await _only_domain(services, enterprise)
    mailbox = await services.directory.mailboxes.open(
        enterprise.id, member.id, domain.id, ACTOR, local_part=local_part
    )
    text = f"opened mailbox {_mailbox_label(mailbox)} for {_login(member, enterprise)}"
    return CommandResult(mailbox, text)


async def mailbox_close(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise, mailbox = await _mailbox(services, args)
    mailbox = await services.directory.mailboxes.close(enterprise.id, mailbox.id, ACTOR)
    days = services.settings.limits.recycle_bin_days
    return CommandResult(
        mailbox,
        f"closed {mailbox.display_address}: in the recycle bin, purged automatically after {days} days",
    )


async def mailbox_restore(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise, mailbox = await _mailbox(services, args)
    mailbox = await services.directory.mailboxes.restore(enterprise.id, mailbox.id, ACTOR)
    return CommandResult(mailbox, f"restored {mailbox.display_address} with all its mail")


async def mailbox_purge(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise, mailbox = await _mailbox(services, args)
    await services.directory.mailboxes.purge(enterprise.id, mailbox.id, ACTOR)
    return CommandResult(
        {"purged": mailbox.address}, f"purged {mailbox.display_address}: its mail is deleted for good"
    )


async def mailbox_list(services: Services, args: argparse.Namespace) -> CommandResult:
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    mailboxes = await services.directory.mailboxes.list_mailboxes(enterprise.id, status=args.status)
    rows = [(m.display_address, m.kind, m.display_name, m.status, when(m.recycled_at)) for m in mailboxes]
    return CommandResult(mailboxes, table_text(("ADDRESS", "KIND", "NAME", "STATUS", "RECYCLED"), rows))


async def _mailbox(services: Services, args: argparse.Namespace) -> tuple[Enterprise, Mailbox]:
    enterprise = await services.directory.enterprises.get_by_org_id(args.org_id)
    return enterprise, await services.directory.mailboxes.get_by_address(enterprise.id, args.address)


async def _only_domain(services: Services, enterprise: Enterprise) -> Domain:
    domains = await services.domains.list_domains(enterprise.id)
    if len(domains) == 1:
        return domains[0]
    if not domains:
        raise InvalidInput(detail=f"add a domain first: yunmail domain add {enterprise.org_id} DOMAIN")
    names = ", ".join(d.display_name for d in domains)
    raise InvalidInput(detail=f"the enterprise has several domains ({names}); pass --address local@domain")


def _mailbox_label(mailbox: Mailbox) -> str:
    return (
        mailbox.display_address
        if mailbox.status == "open"
        else f"{mailbox.display_address} ({mailbox.status})"
    )


COMMANDS: dict[tuple[str, str], AdminCommand] = {
    ("enterprise", "create"): enterprise_create,
    ("enterprise", "list"): enterprise_list,
    ("enterprise", "show"): enterprise_show,
    ("domain", "add"): domain_add,
    ("domain", "list"): domain_list,
    ("domain", "records"): domain_records,
    ("domain", "check"): domain_check,
    ("member", "add"): member_add,
    ("member", "list"): member_list,
    ("member", "show"): member_show,
    ("member", "disable"): member_disable,
    ("member", "enable"): member_enable,
    ("member", "delete"): member_delete,
    ("mailbox", "open"): mailbox_open,
    ("mailbox", "close"): mailbox_close,
    ("mailbox", "restore"): mailbox_restore,
    ("mailbox", "purge"): mailbox_purge,
    ("mailbox", "list"): mailbox_list,
}
