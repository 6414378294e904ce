"""A stand-alone MX server process for the crash test: ``python mx_process.py DATABASE_URL BLOB_DIR``.

It serves port 25's role on 127.0.0.1 (a free port, printed as ``READY <port>``) over the given
database and blob directory until it is killed. Everything is the production code path; time is
the system clock. It exits when its stdin reaches end of file (the parent went away).
"""

from __future__ import annotations

import asyncio
import sys

from yunmail.clock import SystemClock
from yunmail.config import ListenSettings, Settings
from yunmail.delivery import MailFlow
from yunmail.directory import Directory
from yunmail.events import InProcessBus
from yunmail.mailstore import MailStore
from yunmail.net import Listeners, NetLimits
from yunmail.protocols.smtp import SmtpContext, SmtpSettings, start_smtp
from yunmail.storage import FileBlobStore, MemoryCounters, open_database


class _NoLogin:
    async def authenticate(self, login: str, secret: str, *, channel: str, remote_ip: str) -> object:
        raise AssertionError("no submission in the crash test")


async def main(database_url: str, blob_dir: str) -> None:
    clock = SystemClock()
    db = await open_database(database_url, migrate=False)
    blobs = FileBlobStore(blob_dir)
    mailstore = MailStore(db, blobs, InProcessBus(), clock)
    directory = Directory(db, clock, Settings(), mailstore)
    flow = MailFlow.build(
        db=db,
        blobs=blobs,
        counters=MemoryCounters(),
        clock=clock,
        mailstore=mailstore,
        recipients=directory.recipients,
        enterprises=directory.enterprises,
        hostname="mx.crash.test",
    )
    ctx = SmtpContext(
        settings=SmtpSettings(hostname="mx.crash.test"),
        inbound=flow.inbound,
        submission=flow.submission,
        authenticator=_NoLogin(),  # type: ignore[arg-type]
    )
    listen = ListenSettings(smtp=("127.0.0.1:0",), submission=(), smtps=())
    listeners = await start_smtp(ctx, listen, None, listeners=Listeners(NetLimits(connections_per_ip=1000)))
    print("READY", listeners.address("smtp")[1], flush=True)
    # Serve until the parent closes our stdin (or dies): never outlive the test that started us.
    await asyncio.to_thread(sys.stdin.buffer.read)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
