"""Client-specific passwords (PRODUCT §6): shown once, listed, revoked, mail channels only, last use."""

from __future__ import annotations

import re

import pytest

from auth.kit import IP, User, make_user
from support.factories import ACTOR, PASSWORD, DirectoryFactory, FastHasher, Tenant
from yunmail.auth import Auth, AuthLimits, ClientPassword
from yunmail.clock import FakeClock
from yunmail.errors import (
    ClientPasswordLabelInvalid,
    ClientPasswordLimitReached,
    ClientPasswordNotFound,
    ClientPasswordRequired,
    LoginInvalid,
    MemberNotFound,
)
from yunmail.storage import Database, MemoryCounters

MAIL_CHANNELS = ["imap", "pop3", "smtp"]


async def create(auth: Auth, user: User, label: str = "Thunderbird") -> tuple[ClientPassword, str]:
    return await auth.client_passwords.create(user.enterprise_id, user.member.id, label)


async def require_client_passwords(factory: DirectoryFactory, user: User) -> None:
    await factory.directory.enterprises.update_settings(
        user.enterprise_id, {"require_client_passwords": True}, ACTOR
    )


async def test_plaintext_is_four_groups_from_the_unambiguous_alphabet(auth: Auth, user: User) -> None:
    _, plaintext = await create(auth, user)
    assert re.fullmatch(r"[abcdefghjkmnpqrstuvwxyz2-9]{4}(-[abcdefghjkmnpqrstuvwxyz2-9]{4}){3}", plaintext)


async def test_list_shows_label_and_dates_but_never_the_secret(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    record, _ = await create(auth, user, "  Outlook   on laptop ")
    listed = await auth.client_passwords.list(user.enterprise_id, user.member.id)
    assert listed == (
        ClientPassword(
            id=record.id,
            enterprise_id=user.enterprise_id,
            member_id=user.member.id,
            label="Outlook on laptop",
            created_at=clock.now(),
            last_used_at=None,
            last_used_protocol=None,
            revoked_at=None,
        ),
    )


async def test_list_does_not_show_another_enterprises_passwords(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await create(auth, user)
    other = await factory.tenant()
    assert await auth.client_passwords.list(other.enterprise.id, user.member.id) == ()


@pytest.mark.parametrize("channel", MAIL_CHANNELS)
async def test_client_password_logs_in_on_mail_channels(auth: Auth, user: User, channel: str) -> None:
    record, plaintext = await create(auth, user)
    principal = await auth.login.authenticate(user.login, plaintext, channel=channel, remote_ip=IP)  # type: ignore[arg-type]
    assert (principal.member_id, principal.via_client_password, principal.client_password_id) == (
        user.member.id,
        True,
        record.id,
    )


async def test_client_password_typed_in_capitals_without_dashes_works(auth: Auth, user: User) -> None:
    _, plaintext = await create(auth, user)
    typed = plaintext.replace("-", " ").upper()
    principal = await auth.login.authenticate(user.login, typed, channel="imap", remote_ip=IP)
    assert principal.via_client_password is True


async def test_client_password_is_never_accepted_on_the_web(auth: Auth, user: User) -> None:
    _, plaintext = await create(auth, user)
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(user.login, plaintext, channel="web", remote_ip=IP)


async def test_another_members_client_password_does_not_log_in(
    auth: Auth, user: User, factory: DirectoryFactory, tenant: Tenant
) -> None:
    other = await make_user(factory, tenant)
    _, plaintext = await create(auth, other)
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(user.login, plaintext, channel="imap", remote_ip=IP)


async def test_revoked_client_password_stops_working_at_once(auth: Auth, user: User) -> None:
    record, plaintext = await create(auth, user)
    await auth.login.authenticate(user.login, plaintext, channel="imap", remote_ip=IP)
    await auth.client_passwords.revoke(user.enterprise_id, user.member.id, record.id)
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(user.login, plaintext, channel="imap", remote_ip=IP)


async def test_revoked_client_password_leaves_the_list(auth: Auth, user: User) -> None:
    kept, _ = await create(auth, user, "Phone")
    gone, _ = await create(auth, user, "Old laptop")
    await auth.client_passwords.revoke(user.enterprise_id, user.member.id, gone.id)
    listed = await auth.client_passwords.list(user.enterprise_id, user.member.id)
    assert [p.id for p in listed] == [kept.id]


async def test_revoked_client_password_is_reported_inactive_to_open_sessions(auth: Auth, user: User) -> None:
    record, _ = await create(auth, user)
    await auth.client_passwords.revoke(user.enterprise_id, user.member.id, record.id)
    assert await auth.client_passwords.is_active(user.enterprise_id, user.member.id, record.id) is False


async def test_revoking_another_members_client_password_is_refused(
    auth: Auth, user: User, factory: DirectoryFactory, tenant: Tenant
) -> None:
    other = await make_user(factory, tenant)
    record, _ = await create(auth, other)
    with pytest.raises(ClientPasswordNotFound):
        await auth.client_passwords.revoke(user.enterprise_id, user.member.id, record.id)


async def test_first_use_records_time_and_protocol(auth: Auth, user: User, clock: FakeClock) -> None:
    _, plaintext = await create(auth, user)
    clock.advance(hours=1)
    await auth.login.authenticate(user.login, plaintext, channel="pop3", remote_ip=IP)
    (listed,) = await auth.client_passwords.list(user.enterprise_id, user.member.id)
    assert (listed.last_used_at, listed.last_used_protocol) == (clock.now(), "pop3")


async def test_reuse_within_minutes_keeps_the_recorded_time(auth: Auth, user: User, clock: FakeClock) -> None:
    _, plaintext = await create(auth, user)
    await auth.login.authenticate(user.login, plaintext, channel="imap", remote_ip=IP)
    first_use = clock.now()
    clock.advance(minutes=1)
    await auth.login.authenticate(user.login, plaintext, channel="imap", remote_ip=IP)
    (listed,) = await auth.client_passwords.list(user.enterprise_id, user.member.id)
    assert listed.last_used_at == first_use


async def test_use_over_another_protocol_is_recorded_at_once(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    _, plaintext = await create(auth, user)
    await auth.login.authenticate(user.login, plaintext, channel="imap", remote_ip=IP)
    clock.advance(minutes=1)
    await auth.login.authenticate(user.login, plaintext, channel="smtp", remote_ip=IP)
    (listed,) = await auth.client_passwords.list(user.enterprise_id, user.member.id)
    assert (listed.last_used_at, listed.last_used_protocol) == (clock.now(), "smtp")


async def test_required_client_passwords_refuse_the_account_password_on_imap(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await require_client_passwords(factory, user)
    with pytest.raises(ClientPasswordRequired):
        await auth.login.authenticate(user.login, PASSWORD, channel="imap", remote_ip=IP)


async def test_required_client_passwords_still_accept_the_account_password_on_the_web(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await require_client_passwords(factory, user)
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_required_client_passwords_accept_a_client_password_on_smtp(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await require_client_passwords(factory, user)
    _, plaintext = await create(auth, user)
    principal = await auth.login.authenticate(user.login, plaintext, channel="smtp", remote_ip=IP)
    assert principal.via_client_password is True


async def test_required_client_passwords_answer_unknown_accounts_alike(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await require_client_passwords(factory, user)
    with pytest.raises(ClientPasswordRequired):
        await auth.login.authenticate(
            f"nobody@{user.tenant.enterprise.org_id}", PASSWORD, channel="imap", remote_ip=IP
        )


@pytest.mark.parametrize("label", ["", "   ", "x" * 65])
async def test_label_must_have_one_to_sixty_four_characters(auth: Auth, user: User, label: str) -> None:
    with pytest.raises(ClientPasswordLabelInvalid):
        await create(auth, user, label)


async def test_a_member_has_a_limited_number_of_active_client_passwords(
    db: Database, clock: FakeClock, factory: DirectoryFactory, user: User
) -> None:
    auth = Auth(
        db,
        factory.directory,
        MemoryCounters(),
        clock,
        limits=AuthLimits(max_client_passwords=2),
        hasher=FastHasher(),
    )
    await create(auth, user, "one")
    await create(auth, user, "two")
    with pytest.raises(ClientPasswordLimitReached):
        await create(auth, user, "three")


async def test_creating_for_a_member_of_another_enterprise_is_refused(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    other = await factory.tenant()
    with pytest.raises(MemberNotFound):
        await auth.client_passwords.create(other.enterprise.id, user.member.id, "Thunderbird")


async def test_deleting_a_member_with_client_passwords_and_sessions_leaves_none_active(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    record, _ = await create(auth, user)
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    await auth.sessions.create(principal)
    await factory.directory.members.disable(user.enterprise_id, user.member.id, ACTOR)
    await factory.directory.members.delete(user.enterprise_id, user.member.id, ACTOR)
    assert await auth.client_passwords.is_active(user.enterprise_id, user.member.id, record.id) is False
