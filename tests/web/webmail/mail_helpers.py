"""Helpers for the webmail mail tests: a signed-in member with mail in their mailbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.header import Header
from email.utils import format_datetime
from itertools import count

from support.server import RunningServer
from yunmail.auth import Principal
from yunmail.directory import Enterprise, Mailbox, Member, NewMember
from yunmail.domains import Domain
from yunmail.mailstore import INBOX, FolderRef, IngestResult

ACTOR = "test:webmail"
_serial = count(1)


@dataclass(frozen=True, slots=True)
class MailTenant:
    enterprise: Enterprise
    domain: Domain


@dataclass(frozen=True, slots=True)
class MailUser:
    tenant: MailTenant
    member: Member
    mailbox: Mailbox
    token: str

    @property
    def address(self) -> str:
        return self.mailbox.address


async def mail_tenant(server: RunningServer) -> MailTenant:
    """An enterprise with a trusted domain (no administrator: these tests need none)."""
    org = f"wm{next(_serial)}x{id(server) % 9973}"
    enterprise = await server.services.directory.enterprises.create(f"Enterprise {org}", org, ACTOR)
    domain = await server.services.domains.add(enterprise.id, f"{org}.test", ACTOR, trust=True)
    return MailTenant(enterprise, domain)


async def mail_user(
    server: RunningServer, tenant: MailTenant | None = None, name: str = "张小明"
) -> MailUser:
    """A member with an open mailbox and a live webmail session.

    Like ``support.web.web_member`` but without a password (no argon2 work, which dominates these
    tests on a busy machine); the session comes from the real ``auth.sessions`` service and is
    validated on every request as usual.
    """
    services = server.services
    tenant = tenant or await mail_tenant(server)
    account = f"u{next(_serial)}"
    member = await services.directory.members.add(
        tenant.enterprise.id,
        NewMember(name=name, account=account, contact_email=f"{account}@contact.test"),
        ACTOR,
        require_password_change=False,
    )
    mailbox = await services.directory.mailboxes.open(
        tenant.enterprise.id, member.id, tenant.domain.id, ACTOR, local_part=account
    )
    principal = Principal(
        kind="member",
        login=f"{account}@{tenant.enterprise.org_id}",
        enterprise_id=tenant.enterprise.id,
        member_id=member.id,
        mailbox_id=mailbox.id,
        address=mailbox.address,
    )
    token = await services.auth.sessions.create(principal)
    return MailUser(tenant, member, mailbox, token)


def simple_message(
    subject: str = "周会安排",
    body: str = "明天上午十点开会。",
    *,
    sender: str = "李雷 <lilei@partner.test>",
    to: str = "me@example.test",
    when: dt.datetime | None = None,
    extra_headers: str = "",
) -> bytes:
    date = format_datetime(when or dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC))
    encoded_subject = Header(subject, "utf-8").encode()
    text = (
        f"From: {sender}\r\n"
        f"To: {to}\r\n"
        f"Subject: {encoded_subject}\r\n"
        f"Date: {date}\r\n"
        f"Message-ID: <{abs(hash((subject, body, date)))}@partner.test>\r\n"
        f"{extra_headers}"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
    )
    return text.encode("utf-8") + body.encode("utf-8").replace(b"\n", b"\r\n") + b"\r\n"


async def deliver(
    server: RunningServer,
    user: MailUser,
    data: bytes,
    *,
    folder: FolderRef = INBOX,
    flags: tuple[str, ...] = (),
    when: dt.datetime | None = None,
    meta: dict[str, object] | None = None,
) -> IngestResult:
    return await server.services.mailstore.ingest(
        user.mailbox.id, data, folder=folder, flags=flags, internal_date=when, meta=meta
    )
