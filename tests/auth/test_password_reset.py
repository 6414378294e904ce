"""Forgot password (PRODUCT §6): a code to the registered phone or contact e-mail, then a new password."""

from __future__ import annotations

import pytest

from auth.kit import IP, User, make_user, other_code, sent_code
from support.factories import ACTOR, PASSWORD, DirectoryFactory, FastHasher, Tenant
from yunmail.auth import Auth, AuthLimits, OutboxMessage
from yunmail.clock import FakeClock
from yunmail.errors import (
    CodeInvalid,
    LoginAccountDisabled,
    LoginEnterpriseUnknown,
    LoginInvalid,
    LoginLocked,
    MemberNotFound,
    PasswordTooWeak,
    ResetChannelUnavailable,
    SessionInvalid,
)
from yunmail.storage import Database, MemoryCounters

NEW_PASSWORD = "Fresh-Start-99"
PHONE = "13800138000"


async def reset_by_sms(auth: Auth, user: User, password: str = NEW_PASSWORD) -> None:
    await auth.codes.request_reset_code(user.login, "sms")
    await auth.codes.reset_password(user.login, await sent_code(auth, PHONE), password, remote_ip=IP)


async def test_reset_code_by_email_goes_to_the_contact_address(
    auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    user = await make_user(factory, tenant, contact_email="Li.Lei@Contact.example")
    sent = await auth.codes.request_reset_code(user.login, "email")
    (message,) = await auth.outbox.messages()
    assert (sent.masked_target, message.channel, message.recipient, message.subject) == (
        "l***@contact.example",
        "email",
        "li.lei@contact.example",
        "Yunmail password reset / 重置密码",
    )


async def test_new_password_works_after_a_reset(auth: Auth, user: User) -> None:
    await reset_by_sms(auth, user)
    principal = await auth.login.authenticate(user.login, NEW_PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_old_password_stops_working_after_a_reset(auth: Auth, user: User) -> None:
    await reset_by_sms(auth, user)
    with pytest.raises(LoginInvalid):
        await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)


async def test_reset_by_email_code_sets_the_new_password(
    auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    user = await make_user(factory, tenant, contact_email="reset@contact.example")
    await auth.codes.request_reset_code(user.login, "email")
    code = await sent_code(auth, "reset@contact.example")
    await auth.codes.reset_password(user.login, code, NEW_PASSWORD, remote_ip=IP)
    principal = await auth.login.authenticate(user.login, NEW_PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_reset_ends_every_session_of_the_member(auth: Auth, user: User) -> None:
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    token = await auth.sessions.create(principal)
    await reset_by_sms(auth, user)
    with pytest.raises(SessionInvalid):
        await auth.sessions.validate(token)


async def test_reset_clears_an_admin_set_password_flag(
    auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    member = await factory.member(tenant.enterprise.id, phone="13600136000")  # admin-set: must change
    await factory.mailbox(tenant, member.id)
    login = f"{member.account}@{tenant.enterprise.org_id}"
    await auth.codes.request_reset_code(login, "sms")
    await auth.codes.reset_password(login, await sent_code(auth, "13600136000"), NEW_PASSWORD)
    principal = await auth.login.authenticate(login, NEW_PASSWORD, channel="web", remote_ip=IP)
    assert principal.must_change_password is False


async def test_reset_lifts_a_lockout(auth: Auth, user: User) -> None:
    for _ in range(5):
        with pytest.raises(LoginInvalid):
            await auth.login.authenticate(user.login, "Wrong-2026", channel="web", remote_ip=IP)
    await reset_by_sms(auth, user)
    principal = await auth.login.authenticate(user.login, NEW_PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_reset_is_refused_from_a_locked_ip(
    db: Database, clock: FakeClock, factory: DirectoryFactory, user: User
) -> None:
    strict = Auth(
        db, factory.directory, MemoryCounters(), clock, limits=AuthLimits(ip_failures=1), hasher=FastHasher()
    )
    with pytest.raises(LoginInvalid):
        await strict.login.authenticate(user.login, "Wrong-2026", channel="web", remote_ip=IP)
    await strict.codes.request_reset_code(user.login, "sms")
    with pytest.raises(LoginLocked):
        await strict.codes.reset_password(
            user.login, await sent_code(strict, PHONE), NEW_PASSWORD, remote_ip=IP
        )


async def test_wrong_reset_code_keeps_the_old_password(auth: Auth, user: User) -> None:
    await auth.codes.request_reset_code(user.login, "sms")
    with pytest.raises(CodeInvalid):
        await auth.codes.reset_password(user.login, other_code(await sent_code(auth, PHONE)), NEW_PASSWORD)
    principal = await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_weak_new_password_is_refused_without_using_up_the_code(auth: Auth, user: User) -> None:
    await auth.codes.request_reset_code(user.login, "sms")
    code = await sent_code(auth, PHONE)
    with pytest.raises(PasswordTooWeak):
        await auth.codes.reset_password(user.login, code, "alllowercase")
    await auth.codes.reset_password(user.login, code, NEW_PASSWORD)
    principal = await auth.login.authenticate(user.login, NEW_PASSWORD, channel="web", remote_ip=IP)
    assert principal.member_id == user.member.id


async def test_login_code_cannot_reset_the_password(auth: Auth, user: User) -> None:
    await auth.codes.request_login_code(PHONE)
    with pytest.raises(CodeInvalid):
        await auth.codes.reset_password(user.login, await sent_code(auth, PHONE), NEW_PASSWORD)


async def test_reset_by_sms_needs_a_registered_mobile_number(
    auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    user = await make_user(factory, tenant, contact_email="only-mail@contact.example")
    with pytest.raises(ResetChannelUnavailable):
        await auth.codes.request_reset_code(user.login, "sms")


async def test_reset_of_an_unknown_account_is_refused(auth: Auth, user: User) -> None:
    with pytest.raises(MemberNotFound):
        await auth.codes.request_reset_code(f"nobody@{user.tenant.enterprise.org_id}", "sms")


async def test_reset_of_an_unknown_organisation_is_refused(auth: Auth, user: User) -> None:
    with pytest.raises(LoginEnterpriseUnknown):
        await auth.codes.request_reset_code(f"{user.member.account}@nosuchorg", "sms")


async def test_disabled_member_cannot_reset_its_password(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await auth.codes.request_reset_code(user.login, "sms")
    await factory.directory.members.disable(user.enterprise_id, user.member.id, ACTOR)
    with pytest.raises(LoginAccountDisabled):
        await auth.codes.reset_password(user.login, await sent_code(auth, PHONE), NEW_PASSWORD)


async def test_reset_is_recorded_in_the_audit_log(auth: Auth, user: User, factory: DirectoryFactory) -> None:
    await reset_by_sms(auth, user)
    entries = await factory.directory.audit_log(user.enterprise_id, limit=1)
    assert [(e.action, e.target) for e in entries] == [
        ("member.password_reset_by_code", f"member:{user.member.id}")
    ]


async def test_outbox_lists_newest_messages_first(auth: Auth, user: User) -> None:
    await auth.codes.request_login_code(PHONE)
    await auth.codes.request_reset_code(user.login, "sms")
    listed: tuple[OutboxMessage, ...] = await auth.outbox.messages()
    assert ["reset" in m.body for m in listed] == [True, False]
