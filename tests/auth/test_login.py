"""Password logins (PRODUCT §6): the principal, login forms, and each distinct refusal."""

from __future__ import annotations

import pytest

from auth.kit import IP, User, make_user
from support.factories import ACTOR, PASSWORD, DirectoryFactory, FastHasher, Tenant
from yunmail.auth import Auth, AuthLimits, Principal
from yunmail.clock import FakeClock
from yunmail.config import Settings
from yunmail.directory import Argon2idHasher, Directory
from yunmail.errors import (
    LoginAccountDisabled,
    LoginEnterpriseUnknown,
    LoginInvalid,
    MailboxNotOpened,
    PasswordChangeRequired,
)
from yunmail.storage import Database, MemoryCounters

CHANNELS = ["web", "imap", "pop3", "smtp"]


async def test_account_at_org_login_returns_the_member_principal(auth: Auth, user: User) -> None:
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert user.mailbox is not None
    assert principal == Principal(
        kind="member",
        login=user.login,
        enterprise_id=user.enterprise_id,
        member_id=user.member.id,
        mailbox_id=user.mailbox.id,
        address=user.mailbox.address,
        via_client_password=False,
        client_password_id=None,
        must_change_password=False,
    )


async def test_mailbox_address_login_names_the_same_member(auth: Auth, user: User) -> None:
    assert user.mailbox is not None
    by_address = await auth.login.authenticate(user.mailbox.address, PASSWORD, channel="imap", remote_ip=IP)
    by_account = await auth.login.authenticate(user.login, PASSWORD, channel="imap", remote_ip=IP)
    assert by_address == by_account


async def test_login_names_are_case_insensitive(auth: Auth, user: User) -> None:
    assert user.mailbox is not None
    upper_account = await auth.login.authenticate(user.login.upper(), PASSWORD, channel="web", remote_ip=IP)
    upper_address = await auth.login.authenticate(
        user.mailbox.address.upper(), PASSWORD, channel="web", remote_ip=IP
    )
    assert (upper_account.member_id, upper_address.member_id) == (user.member.id, user.member.id)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_every_channel_accepts_the_account_password(auth: Auth, user: User, channel: str) -> None:
    principal = await auth.login.authenticate(user.login, PASSWORD, channel=channel, remote_ip=IP)  # type: ignore[arg-type]
    assert (principal.member_id, principal.via_client_password) == (user.member.id, False)


async def test_unknown_organisation_is_refused_as_enterprise_unknown(auth: Auth, user: User) -> None:
    with pytest.raises(LoginEnterpriseUnknown):
        await auth.login.authenticate(
            f"{user.member.account}@nosuchorg", PASSWORD, channel="web", remote_ip=IP
        )


async def test_login_without_organisation_part_is_refused_as_enterprise_unknown(
    auth: Auth, user: User
) -> None:
    with pytest.raises(LoginEnterpriseUnknown):
        await auth.login.authenticate(user.member.account, PASSWORD, channel="web", remote_ip=IP)


async def test_address_on_a_domain_nobody_hosts_is_refused_as_enterprise_unknown(
    auth: Auth, user: User
) -> None:
    with pytest.raises(LoginEnterpriseUnknown):
        await auth.login.authenticate("someone@not-hosted.example", PASSWORD, channel="imap", remote_ip=IP)


async def test_unknown_account_is_refused_as_invalid_login(auth: Auth, user: User) -> None:
    login = f"nobody@{user.tenant.enterprise.org_id}"
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(login, PASSWORD, channel="web", remote_ip=IP)


async def test_unknown_address_on_a_hosted_domain_is_refused_as_invalid_login(
    auth: Auth, user: User, tenant: Tenant
) -> None:
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(f"nobody@{tenant.domain.name}", PASSWORD, channel="imap", remote_ip=IP)


async def test_wrong_password_is_refused_as_invalid_login(auth: Auth, user: User) -> None:
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(user.login, "Wrong-2026", channel="web", remote_ip=IP)


async def test_disabled_member_with_the_right_password_is_refused_as_disabled(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await factory.directory.members.disable(user.enterprise_id, user.member.id, ACTOR)
    with pytest.raises(LoginAccountDisabled):
        await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)


async def test_disabled_member_with_a_wrong_password_learns_nothing_more(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await factory.directory.members.disable(user.enterprise_id, user.member.id, ACTOR)
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(user.login, "Wrong-2026", channel="web", remote_ip=IP)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_member_without_an_open_mailbox_is_refused_as_not_opened(
    auth: Auth, factory: DirectoryFactory, tenant: Tenant, channel: str
) -> None:
    user = await make_user(factory, tenant, mailbox=False)
    with pytest.raises(MailboxNotOpened):
        await auth.login.authenticate(user.login, PASSWORD, channel=channel, remote_ip=IP)  # type: ignore[arg-type]


async def test_member_whose_mailbox_is_in_the_recycle_bin_is_refused_as_not_opened(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    assert user.mailbox is not None
    await factory.directory.mailboxes.close(user.enterprise_id, user.mailbox.id, ACTOR)
    with pytest.raises(MailboxNotOpened):
        await auth.login.authenticate(user.mailbox.address, PASSWORD, channel="imap", remote_ip=IP)


async def test_admin_set_password_is_flagged_for_the_web_to_force_a_change(
    auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    member = await factory.member(tenant.enterprise.id)  # added by an admin: must change
    await factory.mailbox(tenant, member.id)
    login = f"{member.account}@{tenant.enterprise.org_id}"
    principal = await auth.login.authenticate(login, PASSWORD, channel="web", remote_ip=IP)
    assert principal.must_change_password is True


async def test_admin_set_password_is_refused_on_mail_channels_when_policy_demands_a_change(
    db: Database, clock: FakeClock, factory: DirectoryFactory, tenant: Tenant
) -> None:
    strict = Auth(
        db,
        factory.directory,
        MemoryCounters(),
        clock,
        limits=AuthLimits(mail_needs_changed_password=True),
        hasher=FastHasher(),
    )
    member = await factory.member(tenant.enterprise.id)
    await factory.mailbox(tenant, member.id)
    with pytest.raises(PasswordChangeRequired):
        await strict.login.authenticate(
            f"{member.account}@{tenant.enterprise.org_id}", PASSWORD, channel="imap", remote_ip=IP
        )


@pytest.fixture
async def argon2_user(db: Database, clock: FakeClock, factory: DirectoryFactory) -> tuple[Auth, User]:
    directory = Directory(db, clock, Settings(), factory.storage, hasher=Argon2idHasher())
    real = DirectoryFactory(directory=directory, domains=factory.domains, storage=factory.storage)
    user = await make_user(real, await real.tenant())
    return Auth(db, directory, MemoryCounters(), clock), user  # the default hasher: argon2id


async def test_real_argon2id_password_is_accepted(argon2_user: tuple[Auth, User]) -> None:
    auth, user = argon2_user
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="imap", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_real_argon2id_password_refuses_a_wrong_one(argon2_user: tuple[Auth, User]) -> None:
    auth, user = argon2_user
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(user.login, "Wrong-2026", channel="imap", remote_ip=IP)


async def test_shared_mailbox_address_cannot_log_in(
    auth: Auth, user: User, factory: DirectoryFactory, tenant: Tenant
) -> None:
    shared = await factory.directory.shared_mailboxes.create(
        tenant.enterprise.id, tenant.domain.id, "support", "Support", ACTOR, member_ids=[user.member.id]
    )
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(shared.mailbox.address, PASSWORD, channel="imap", remote_ip=IP)


async def test_principal_without_a_mailbox_refuses_to_name_one() -> None:
    with pytest.raises(MailboxNotOpened):
        Principal(kind="admin", login="boss@kmail", enterprise_id=1).require_mailbox()
