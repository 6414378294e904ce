"""QUOTA (RFC 9208): GETQUOTAROOT, GETQUOTA, SETQUOTA refused."""

from __future__ import annotations

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import create_mailbox, make_message


async def test_unlimited_mailbox_reports_a_root_without_limits(actor: ImapTestClient) -> None:
    result = await actor.expect("OK", "GETQUOTAROOT INBOX")
    assert result.untagged == [b'* QUOTAROOT INBOX ""', b'* QUOTA "" ()']


async def test_limited_mailbox_reports_storage_in_kib(imap: ImapEnv) -> None:
    mailbox_id = await create_mailbox(imap.store._ctx.db, quota_bytes=10 * 1024 * 1024)
    await imap.store.provision(mailbox_id)
    await imap.store.ingest(mailbox_id, make_message(body="x" * 3000))
    imap.auth.add("limited@example.test", mailbox_id)
    client = await imap.client(user="limited@example.test")
    result = await client.expect("OK", 'GETQUOTA ""')
    assert result.data("QUOTA") == [[b"", ["STORAGE", "4", "10240"]]]
    await client.close()


async def test_getquota_of_unknown_root_answers_nonexistent(actor: ImapTestClient) -> None:
    await actor.expect("NO", "GETQUOTA other", code="NONEXISTENT")


async def test_setquota_is_refused(actor: ImapTestClient) -> None:
    await actor.expect("NO", 'SETQUOTA "" (STORAGE 10)', code="NOPERM")
