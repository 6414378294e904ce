"""The verified-credential cache: a repeated correct login skips the hash; nothing else is skipped.

"Skipped" is observed by counting the hasher's verifications, never by timing. Each event that must
end a cached credential at once (password change or reset, disable, delete, suspension, closed
mailbox, lockout, required client passwords) gets its own test: the next login with the old
secret is refused, or verified again.
"""

from __future__ import annotations

import pytest

from auth.kit import IP, User, make_user, sent_code
from support.factories import ACTOR, PASSWORD, DirectoryFactory, FastHasher, Tenant
from yunmail.auth import Auth, AuthLimits
from yunmail.auth.credential_cache import CredentialCache
from yunmail.clock import FakeClock
from yunmail.errors import (
    ClientPasswordRequired,
    EnterpriseSuspended,
    LoginAccountDisabled,
    LoginInvalid,
    LoginLocked,
    MailboxNotOpened,
)
from yunmail.storage import Database, SqlCounters
from yunmail.storage.repos import enterprises as enterprise_rows

NEW_PASSWORD = "Fresh-Start-99"
OTHER_IP = "203.0.113.9"


class CountingHasher(FastHasher):
    """The fast test hasher, counting verifications (what the cache saves)."""

    def __init__(self) -> None:
        self.verified = 0

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return await super().verify(password_hash, password)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def auth(db: Database, factory: DirectoryFactory, clock: FakeClock, hasher: CountingHasher) -> Auth:
    return Auth(db, factory.directory, SqlCounters(db), clock, hasher=hasher)


async def imap_login(auth: Auth, user: User, secret: str = PASSWORD, ip: str = IP) -> int | None:
    principal = await auth.login.authenticate(user.login, secret, channel="imap", remote_ip=ip)
    return principal.member_id


async def test_repeated_login_verifies_the_password_once(
    auth: Auth, user: User, hasher: CountingHasher
) -> None:
    await imap_login(auth, user)
    member_id = await imap_login(auth, user)
    assert (member_id, hasher.verified) == (user.member.id, 1)


async def test_other_mail_protocols_share_the_entry(auth: Auth, user: User, hasher: CountingHasher) -> None:
    await imap_login(auth, user)
    await auth.login.authenticate(user.login, PASSWORD, channel="pop3", remote_ip=IP)
    await auth.login.authenticate(user.login, PASSWORD, channel="smtp", remote_ip=IP)
    assert hasher.verified == 1


async def test_web_login_does_not_use_a_mail_entry(auth: Auth, user: User, hasher: CountingHasher) -> None:
    await imap_login(auth, user)
    await auth.login.authenticate(user.login, PASSWORD, channel="web", remote_ip=IP)
    assert hasher.verified == 2


async def test_wrong_secret_after_a_cached_login_is_verified_and_refused(
    auth: Auth, user: User, hasher: CountingHasher
) -> None:
    await imap_login(auth, user)
    with pytest.raises(LoginInvalid):
        await imap_login(auth, user, "Wrong-password-1")
    assert hasher.verified == 2


async def test_refused_login_does_not_fill_the_cache(
    auth: Auth, factory: DirectoryFactory, user: User, hasher: CountingHasher
) -> None:
    await factory.directory.members.disable(user.enterprise_id, user.member.id, ACTOR)
    for _ in range(2):
        with pytest.raises(LoginAccountDisabled):
            await imap_login(auth, user)
    assert (hasher.verified, len(auth.login.credential_cache)) == (2, 0)


async def test_entry_expires_after_its_ttl(
    auth: Auth, user: User, hasher: CountingHasher, clock: FakeClock
) -> None:
    await imap_login(auth, user)
    clock.advance(seconds=AuthLimits().credential_cache_seconds)
    await imap_login(auth, user)
    assert hasher.verified == 2


async def test_password_change_refuses_the_old_password_at_once(
    auth: Auth, factory: DirectoryFactory, user: User
) -> None:
    await imap_login(auth, user)
    await factory.directory.members.change_password(
        user.enterprise_id, user.member.id, PASSWORD, NEW_PASSWORD, ACTOR
    )
    with pytest.raises(LoginInvalid):
        await imap_login(auth, user)


async def test_administrator_reset_refuses_the_old_password_at_once(
    auth: Auth, factory: DirectoryFactory, user: User
) -> None:
    await imap_login(auth, user)
    await factory.directory.members.reset_password(user.enterprise_id, user.member.id, NEW_PASSWORD, ACTOR)
    with pytest.raises(LoginInvalid):
        await imap_login(auth, user)


async def test_forgot_password_reset_refuses_the_old_password_at_once(
    auth: Auth, factory: DirectoryFactory, tenant: Tenant
) -> None:
    user = await make_user(factory, tenant, phone="13800138000")
    await imap_login(auth, user)
    await auth.codes.request_reset_code(user.login, "sms")
    code = await sent_code(auth, "13800138000")
    await auth.codes.reset_password(user.login, code, NEW_PASSWORD, remote_ip=IP)
    with pytest.raises(LoginInvalid):
        await imap_login(auth, user)


async def test_disabled_member_is_refused_at_once(auth: Auth, factory: DirectoryFactory, user: User) -> None:
    await imap_login(auth, user)
    await factory.directory.members.disable(user.enterprise_id, user.member.id, ACTOR)
    with pytest.raises(LoginAccountDisabled):
        await imap_login(auth, user)


async def test_deleted_member_is_refused_at_once(auth: Auth, factory: DirectoryFactory, user: User) -> None:
    await imap_login(auth, user)
    await factory.directory.members.disable(user.enterprise_id, user.member.id, ACTOR)
    await factory.directory.members.delete(user.enterprise_id, user.member.id, ACTOR)
    with pytest.raises(LoginInvalid):
        await imap_login(auth, user)


async def test_suspended_enterprise_is_refused_at_once(auth: Auth, db: Database, user: User) -> None:
    await imap_login(auth, user)
    async with db.transaction() as conn:
        await enterprise_rows.update_values(conn, user.enterprise_id, {"status": "suspended"})
    with pytest.raises(EnterpriseSuspended):
        await imap_login(auth, user)


async def test_closed_mailbox_is_refused_at_once(auth: Auth, factory: DirectoryFactory, user: User) -> None:
    assert user.mailbox is not None
    await imap_login(auth, user)
    await factory.directory.mailboxes.close(user.enterprise_id, user.mailbox.id, ACTOR)
    with pytest.raises(MailboxNotOpened):
        await imap_login(auth, user)


async def test_locked_member_is_refused_despite_a_cached_password(auth: Auth, user: User) -> None:
    await imap_login(auth, user)
    for _ in range(AuthLimits().login_failures):
        with pytest.raises(LoginInvalid):
            await imap_login(auth, user, "Wrong-password-1", ip=OTHER_IP)
    with pytest.raises(LoginLocked):
        await imap_login(auth, user)


async def test_locked_address_is_refused_despite_a_cached_password(
    db: Database, factory: DirectoryFactory, clock: FakeClock, tenant: Tenant, hasher: CountingHasher
) -> None:
    auth = Auth(
        db, factory.directory, SqlCounters(db), clock, hasher=hasher, limits=AuthLimits(ip_failures=2)
    )
    user, stranger = await make_user(factory, tenant), await make_user(factory, tenant)
    await imap_login(auth, user)
    for _ in range(2):
        with pytest.raises(LoginInvalid):
            await imap_login(auth, stranger, "Wrong-password-1")
    with pytest.raises(LoginLocked):
        await imap_login(auth, user)


async def test_requiring_client_passwords_refuses_a_cached_account_password(
    auth: Auth, factory: DirectoryFactory, user: User
) -> None:
    await imap_login(auth, user)
    await factory.directory.enterprises.update_settings(
        user.enterprise_id, {"require_client_passwords": True}, ACTOR
    )
    with pytest.raises(ClientPasswordRequired):
        await imap_login(auth, user)


async def test_revoked_client_password_is_refused_at_once(
    auth: Auth, user: User, hasher: CountingHasher
) -> None:
    created, secret = await auth.client_passwords.create(user.enterprise_id, user.member.id, "Phone")
    await imap_login(auth, user, secret)
    await imap_login(auth, user, secret)
    await auth.client_passwords.revoke(user.enterprise_id, user.member.id, created.id)
    with pytest.raises(LoginInvalid):
        await imap_login(auth, user, secret)


async def test_client_password_logins_never_verify_the_account_password(
    auth: Auth, user: User, hasher: CountingHasher
) -> None:
    _, secret = await auth.client_passwords.create(user.enterprise_id, user.member.id, "Phone")
    await imap_login(auth, user, secret)
    await imap_login(auth, user, secret)
    assert (hasher.verified, len(auth.login.credential_cache)) == (0, 0)


async def test_cache_keeps_at_most_its_bound_dropping_the_least_recently_used(clock: FakeClock) -> None:
    cache = CredentialCache(clock, ttl_seconds=60, max_entries=2)
    cache.remember("mail", 1, "h1", "secret-1")
    cache.remember("mail", 2, "h2", "secret-2")
    assert cache.hit("mail", 1, "h1", "secret-1")  # 1 is now the most recently used
    cache.remember("mail", 3, "h3", "secret-3")
    assert (len(cache), cache.hit("mail", 2, "h2", "secret-2"), cache.hit("mail", 1, "h1", "secret-1")) == (
        2,
        False,
        True,
    )


async def test_cache_entry_does_not_match_another_secret_or_hash(clock: FakeClock) -> None:
    cache = CredentialCache(clock, ttl_seconds=60, max_entries=10)
    cache.remember("mail", 1, "h1", "secret-1")
    assert (cache.hit("mail", 1, "h1", "secret-2"), cache.hit("mail", 1, "h2", "secret-1")) == (False, False)


async def test_cache_with_zero_ttl_keeps_nothing(clock: FakeClock) -> None:
    cache = CredentialCache(clock, ttl_seconds=0, max_entries=10)
    cache.remember("mail", 1, "h1", "secret-1")
    assert (len(cache), cache.hit("mail", 1, "h1", "secret-1")) == (0, False)


async def test_cache_keeps_no_secret_in_the_clear(clock: FakeClock) -> None:
    cache = CredentialCache(clock, ttl_seconds=60, max_entries=10)
    cache.remember("mail", 1, "h1", "secret-1")
    assert all(b"secret-1" not in key for key in cache._entries)  # keyed HMAC digests only
