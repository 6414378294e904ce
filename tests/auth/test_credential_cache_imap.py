"""Repeated IMAP logins of a real client against the real runtime: a change refuses the next one at once.

RFC 9051 §6.2.3 (LOGIN): a refused login is a tagged NO, which ``imaplib`` raises as ``IMAP4.error``.
"""

from __future__ import annotations

import asyncio
import imaplib

import pytest

from support.server import RunningServer
from yunmail.directory import NewMember

ACTOR = "test:authcache"
PASSWORD = "Secret-pass-1"
NEW_PASSWORD = "Other-pass-2"
LOGIN = "bob@corp"


async def _member(server: RunningServer) -> tuple[int, int]:
    services = server.services
    enterprise = await services.directory.enterprises.create("Corp", "corp", ACTOR)
    domain = await services.domains.add(enterprise.id, "corp.test", ACTOR, trust=True)
    member = await services.directory.members.add(
        enterprise.id, NewMember(name="Bob", account="bob", phone="13900000001", password=PASSWORD), ACTOR
    )
    await services.directory.mailboxes.open(enterprise.id, member.id, domain.id, ACTOR)
    return enterprise.id, member.id


def _imap_login(server: RunningServer, secret: str) -> None:
    host, port = server.address("imaps")
    with imaplib.IMAP4_SSL(host, port, ssl_context=server.client_tls()) as client:
        client.login(LOGIN, secret)
        client.logout()


async def test_changed_password_refuses_the_third_imap_login_at_once(server: RunningServer) -> None:
    enterprise_id, member_id = await _member(server)
    for _ in range(2):
        await asyncio.to_thread(_imap_login, server, PASSWORD)

    await server.services.directory.members.change_password(
        enterprise_id, member_id, PASSWORD, NEW_PASSWORD, ACTOR
    )

    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        await asyncio.to_thread(_imap_login, server, PASSWORD)


async def test_revoked_client_password_refuses_the_third_imap_login_at_once(server: RunningServer) -> None:
    enterprise_id, member_id = await _member(server)
    client_passwords = server.services.auth.client_passwords
    created, secret = await client_passwords.create(enterprise_id, member_id, "Laptop")
    for _ in range(2):
        await asyncio.to_thread(_imap_login, server, secret)

    await client_passwords.revoke(enterprise_id, member_id, created.id)

    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        await asyncio.to_thread(_imap_login, server, secret)
