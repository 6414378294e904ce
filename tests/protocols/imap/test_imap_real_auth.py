"""Login through the real auth service: member login accounts, client passwords, lockout, no mailbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.factories import PASSWORD, DirectoryFactory, FastHasher, Tenant
from support.imap import ImapEnv, ImapTestClient, start_env, stop_env
from yunmail.auth import Auth, AuthLimits
from yunmail.clock import FakeClock
from yunmail.directory import Member
from yunmail.events import InProcessBus
from yunmail.mailstore import MailStore
from yunmail.storage import Database, FileBlobStore, SqlCounters


@dataclass
class Org:
    env: ImapEnv
    auth: Auth
    factory: DirectoryFactory
    tenant: Tenant
    member: Member
    mailbox_id: int

    @property
    def login(self) -> str:
        return f"{self.member.account}@{self.tenant.enterprise.org_id}"

    async def client(self) -> ImapTestClient:
        return await ImapTestClient.connect(*self.env.address)


@pytest.fixture
async def org(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[Org]:
    store = MailStore(db, blobs, bus, clock)
    factory = DirectoryFactory.build(db, clock, storage=store)  # type: ignore[arg-type]
    auth = Auth(db, factory.directory, SqlCounters(db), clock, limits=AuthLimits(), hasher=FastHasher())
    tenant = await factory.tenant()
    member = await factory.member(tenant.enterprise.id)
    mailbox = await factory.mailbox(tenant, member.id)
    env = await start_env(tmp_path, db, blobs, bus, clock, authenticator=auth.login)
    try:
        yield Org(env, auth, factory, tenant, member, mailbox.id)
    finally:
        await stop_env(env, db, blobs)


async def test_member_logs_in_with_login_account_and_sees_its_inbox(org: Org) -> None:
    await org.env.store.ingest(org.mailbox_id, b"Subject: welcome\r\n\r\nhi\r\n")
    client = await org.client()
    await client.expect("OK", f'LOGIN "{org.login}" "{PASSWORD}"')
    result = await client.select()
    assert result.numbers("EXISTS") == [1]
    await client.close()


async def test_wrong_password_answers_authenticationfailed(org: Org) -> None:
    client = await org.client()
    await client.expect("NO", f'LOGIN "{org.login}" "Wrong-2026"', code="AUTHENTICATIONFAILED")
    await client.close()


async def test_unknown_enterprise_answers_authenticationfailed(org: Org) -> None:
    client = await org.client()
    await client.expect("NO", f'LOGIN "someone@nosuchorg" "{PASSWORD}"', code="AUTHENTICATIONFAILED")
    await client.close()


async def test_member_without_mailbox_answers_contactadmin(org: Org) -> None:
    other = await org.factory.member(org.tenant.enterprise.id)
    client = await org.client()
    login = f"{other.account}@{org.tenant.enterprise.org_id}"
    await client.expect("NO", f'LOGIN "{login}" "{PASSWORD}"', code="CONTACTADMIN")
    await client.close()


async def test_lockout_after_failures_is_shared_across_connections(org: Org) -> None:
    for _ in range(5):
        client = await org.client()
        await client.expect("NO", f'LOGIN "{org.login}" "Wrong-2026"')
        await client.close()
    client = await org.client()
    result = await client.expect("NO", f'LOGIN "{org.login}" "{PASSWORD}"', code="AUTHENTICATIONFAILED")
    assert "Too many failed attempts" in result.text
    await client.close()


async def test_client_password_logs_in_over_imap(org: Org) -> None:
    _, secret = await org.auth.client_passwords.create(org.tenant.enterprise.id, org.member.id, "Thunderbird")
    client = await org.client()
    await client.expect("OK", f'LOGIN "{org.login}" "{secret}"')
    await client.close()
