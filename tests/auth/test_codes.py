"""SMS login codes (PRODUCT §6): expiry, attempts, resend throttle, shared phones, senders and the outbox."""

from __future__ import annotations

import datetime as dt

import pytest

from auth.kit import IP, User, make_user, other_code, sent_code
from support.factories import ACTOR, DirectoryFactory, FastHasher, Tenant
from yunmail.auth import Auth, CodeSent, OutboxMessage, Principal
from yunmail.clock import FakeClock
from yunmail.errors import (
    CodeAttemptsExhausted,
    CodeExpired,
    CodeInvalid,
    CodeRequestLimit,
    CodeResendTooSoon,
    LoginAccountDisabled,
    LoginEnterpriseUnknown,
    LoginLocked,
    LoginOrgRequired,
    LoginPhoneNotRegistered,
    MailboxNotOpened,
    PhoneNotSmsCapable,
)
from yunmail.storage import Database, MemoryCounters

PHONE = "13800138000"  # the ``user`` fixture's phone


async def test_request_reports_the_masked_phone_and_the_times(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    sent = await auth.codes.request_login_code(PHONE)
    assert sent == CodeSent(
        channel="sms",
        masked_target="138****8000",
        expires_at=clock.now() + dt.timedelta(minutes=5),
        resend_at=clock.now() + dt.timedelta(seconds=60),
    )


async def test_the_dev_sender_puts_the_sms_in_the_outbox(auth: Auth, user: User, clock: FakeClock) -> None:
    await auth.codes.request_login_code("+86 138-0013-8000")
    (message,) = await auth.outbox.messages()
    code = await sent_code(auth, PHONE)
    assert message == OutboxMessage(
        id=message.id,
        channel="sms",
        recipient=PHONE,
        subject="",
        body=message.body,
        created_at=clock.now(),
    )
    assert code in message.body


async def test_right_code_logs_the_member_in(auth: Auth, user: User) -> None:
    await auth.codes.request_login_code(PHONE)
    principal = await auth.codes.login_with_code(PHONE, await sent_code(auth, PHONE), remote_ip=IP)
    assert user.mailbox is not None
    assert principal == Principal(
        kind="member",
        login=user.login,
        enterprise_id=user.enterprise_id,
        member_id=user.member.id,
        mailbox_id=user.mailbox.id,
        address=user.mailbox.address,
    )


async def test_unregistered_phone_cannot_ask_for_a_code(auth: Auth, user: User) -> None:
    with pytest.raises(LoginPhoneNotRegistered):
        await auth.codes.request_login_code("13900000000")


async def test_unregistered_phone_cannot_log_in(auth: Auth, user: User) -> None:
    with pytest.raises(LoginPhoneNotRegistered):
        await auth.codes.login_with_code("13900000000", "123456", remote_ip=IP)


async def test_a_number_outside_mainland_china_gets_no_code(auth: Auth, user: User) -> None:
    with pytest.raises(PhoneNotSmsCapable):
        await auth.codes.request_login_code("+14155550100")


async def test_wrong_code_is_refused(auth: Auth, user: User) -> None:
    await auth.codes.request_login_code(PHONE)
    with pytest.raises(CodeInvalid):
        await auth.codes.login_with_code(PHONE, other_code(await sent_code(auth, PHONE)), remote_ip=IP)


async def test_login_without_any_code_sent_is_refused_as_wrong(auth: Auth, user: User) -> None:
    with pytest.raises(CodeInvalid):
        await auth.codes.login_with_code(PHONE, "123456", remote_ip=IP)


async def test_code_expires_after_five_minutes(auth: Auth, user: User, clock: FakeClock) -> None:
    await auth.codes.request_login_code(PHONE)
    clock.advance(minutes=5)
    with pytest.raises(CodeExpired):
        await auth.codes.login_with_code(PHONE, await sent_code(auth, PHONE), remote_ip=IP)


async def test_code_works_only_once(auth: Auth, user: User) -> None:
    await auth.codes.request_login_code(PHONE)
    code = await sent_code(auth, PHONE)
    await auth.codes.login_with_code(PHONE, code, remote_ip=IP)
    with pytest.raises(CodeExpired):
        await auth.codes.login_with_code(PHONE, code, remote_ip=IP)


async def test_five_wrong_tries_use_up_the_code(auth: Auth, user: User) -> None:
    await auth.codes.request_login_code(PHONE)
    code = await sent_code(auth, PHONE)
    for _ in range(5):
        with pytest.raises(CodeInvalid):
            await auth.codes.verify("login", [PHONE], other_code(code))
    with pytest.raises(CodeAttemptsExhausted):
        await auth.codes.verify("login", [PHONE], code)


async def test_wrong_codes_count_towards_the_login_lockout(auth: Auth, user: User, clock: FakeClock) -> None:
    for _ in range(5):
        await auth.codes.request_login_code(PHONE)
        with pytest.raises(CodeInvalid):
            await auth.codes.login_with_code(PHONE, other_code(await sent_code(auth, PHONE)), remote_ip=IP)
        clock.advance(seconds=60)
    await auth.codes.request_login_code(PHONE)
    with pytest.raises(LoginLocked):
        await auth.codes.login_with_code(PHONE, await sent_code(auth, PHONE), remote_ip=IP)


async def test_resend_within_a_minute_is_refused_with_the_wait(
    auth: Auth, user: User, clock: FakeClock
) -> None:
    await auth.codes.request_login_code(PHONE)
    clock.advance(seconds=45)
    with pytest.raises(CodeResendTooSoon) as refused:
        await auth.codes.request_login_code(PHONE)
    assert refused.value.params == {"seconds": 15}


async def test_a_new_code_retires_the_previous_one(auth: Auth, user: User, clock: FakeClock) -> None:
    await auth.codes.request_login_code(PHONE)
    first = await sent_code(auth, PHONE)
    clock.advance(seconds=60)
    await auth.codes.request_login_code(PHONE)
    second = await sent_code(auth, PHONE)
    if first == second:  # one chance in a million: nothing to tell apart
        pytest.skip("the two random codes happen to be equal")
    with pytest.raises(CodeInvalid):
        await auth.codes.login_with_code(PHONE, first, remote_ip=IP)


async def test_a_phone_gets_at_most_ten_codes_an_hour(auth: Auth, user: User, clock: FakeClock) -> None:
    for _ in range(10):
        await auth.codes.request_login_code(PHONE)
        clock.advance(seconds=60)
    with pytest.raises(CodeRequestLimit):
        await auth.codes.request_login_code(PHONE)


async def test_phone_in_two_enterprises_needs_the_organisation(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await make_user(factory, await factory.tenant(), phone=PHONE)
    with pytest.raises(LoginOrgRequired):
        await auth.codes.request_login_code(PHONE)


async def test_phone_in_two_enterprises_logs_into_the_named_one(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    second = await make_user(factory, await factory.tenant(), phone=PHONE)
    org_id = second.tenant.enterprise.org_id
    await auth.codes.request_login_code(PHONE, org_id=org_id)
    principal = await auth.codes.login_with_code(
        PHONE, await sent_code(auth, PHONE), org_id=org_id, remote_ip=IP
    )
    assert principal.member_id == second.member.id


async def test_unknown_organisation_with_a_phone_is_refused_as_enterprise_unknown(
    auth: Auth, user: User
) -> None:
    with pytest.raises(LoginEnterpriseUnknown):
        await auth.codes.request_login_code(PHONE, org_id="nosuchorg")


async def test_disabled_member_with_the_right_code_is_refused_as_disabled(
    auth: Auth, user: User, factory: DirectoryFactory
) -> None:
    await auth.codes.request_login_code(PHONE)
    await factory.directory.members.disable(user.enterprise_id, user.member.id, ACTOR)
    with pytest.raises(LoginAccountDisabled):
        await auth.codes.login_with_code(PHONE, await sent_code(auth, PHONE), remote_ip=IP)


async def test_member_without_a_mailbox_with_the_right_code_is_refused_as_not_opened(
    auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    await make_user(factory, tenant, phone="13700137000", mailbox=False)
    await auth.codes.request_login_code("13700137000")
    with pytest.raises(MailboxNotOpened):
        await auth.codes.login_with_code("13700137000", await sent_code(auth, "13700137000"), remote_ip=IP)


class FlakySms:
    """Fails the first message (a gateway hiccup), then delivers."""

    def __init__(self) -> None:
        self.failures_left = 1
        self.delivered: list[str] = []

    async def send_sms(self, phone: str, text: str) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise OSError("gateway down")
        self.delivered.append(phone)


async def test_a_code_that_could_not_be_sent_does_not_block_asking_again(
    db: Database, clock: FakeClock, factory: DirectoryFactory, user: User
) -> None:
    sms = FlakySms()
    flaky = Auth(db, factory.directory, MemoryCounters(), clock, hasher=FastHasher(), sms=sms)
    with pytest.raises(OSError):
        await flaky.codes.request_login_code(PHONE)
    await flaky.codes.request_login_code(PHONE)
    assert sms.delivered == [PHONE]
