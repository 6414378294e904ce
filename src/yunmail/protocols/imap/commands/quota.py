"""QUOTA (RFC 9208): one root ``""`` per mailbox, the STORAGE resource in KiB; SETQUOTA is for admins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from yunmail.protocols.imap.commands import Outcome, no, ok
from yunmail.protocols.imap.wire import codes, commands, responses

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session

ROOT = ""


async def _quota(session: Session) -> responses.Quota:
    usage = await session.store.usage(session.mailbox_id)
    if usage.quota_bytes is None:
        return responses.Quota(ROOT, ())  # unlimited: no resource is limited
    used_kib = (usage.used_bytes + 1023) // 1024
    return responses.Quota(ROOT, (("STORAGE", used_kib, usage.quota_bytes // 1024),))


async def getquotaroot(session: Session, command: commands.GetQuotaRoot) -> Outcome:
    folder = await session.store.get_folder(session.mailbox_id, command.mailbox)
    session.send(responses.QuotaRoot(folder.name, (ROOT,)))
    session.send(await _quota(session))
    return ok("GETQUOTAROOT completed")


async def getquota(session: Session, command: commands.GetQuota) -> Outcome:
    if command.root != ROOT:
        return no("no such quota root", codes.NONEXISTENT)
    session.send(await _quota(session))
    return ok("GETQUOTA completed")


async def setquota(session: Session, command: commands.SetQuota) -> Outcome:
    return no("quotas are set by the enterprise administrator", codes.NOPERM)
