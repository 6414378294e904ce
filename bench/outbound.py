"""Outbound throughput: messages/second from the queue worker to a loopback SMTP sink, DKIM signing included.

    .venv/bin/python bench/outbound.py [--messages 500] [--domains 5]

Builds the real services on a fresh SQLite database (the test-suite's helpers), a DNS server with
MX records for the destination domains, and an aiosmtpd sink; queues N messages and times the
worker until the queue is empty. Also reports the DKIM signing cost per message (RSA-2048, Ed25519).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from aiosmtpd.smtp import SMTP as SmtpServer

from support.databases import make_sqlite_template, open_test_database, sqlite_copy
from support.dns_server import DnsTestServer
from support.smtp import HOSTNAME, message, start_smtp_env
from yunmail.clock import FakeClock
from yunmail.delivery.dsn import Notifier
from yunmail.delivery.outbound import OutboundWorker, WorkerSettings
from yunmail.delivery.queue import OutboundMessage, OutboundRecipient
from yunmail.delivery.signing import DkimSigner, SigningKey, StaticSigningKeys
from yunmail.delivery.transport import SmtpTransport, TransportSettings
from yunmail.events import InProcessBus
from yunmail.mailauth.dkim import DkimAlgorithm, DkimKey, generate_key, sign
from yunmail.storage import FileBlobStore


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.count += 1
        return "250 2.0.0 Ok"


def signing_cost(key: DkimKey, data: bytes, rounds: int = 200) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        sign(data, "a.test", "s1", key)
    return (time.perf_counter() - start) / rounds


async def run(messages: int, domains: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        template = await make_sqlite_template(root / "template")
        db = await open_test_database(sqlite_copy(template, root))
        blobs = FileBlobStore(root / "blobs")
        clock = FakeClock()
        env = await start_smtp_env(root, db, blobs, InProcessBus(), clock)
        tenant = await env.tenant("a.test")
        amy = await env.user(tenant, "amy")
        zone = DnsTestServer()
        await zone.start()
        sink = Sink()
        server = await asyncio.get_running_loop().create_server(
            lambda: SmtpServer(sink, hostname="mx.sink.test"), "127.0.0.1", 0
        )
        port = server.sockets[0].getsockname()[1]
        zone.add_zone("sink.test")
        zone.add("mx.sink.test", "A", "127.0.0.1")
        for n in range(domains):
            zone.add_zone(f"d{n}.test")
            zone.add(f"d{n}.test", "MX", "10 mx.sink.test.")
        rsa = generate_key(DkimAlgorithm.RSA, 2048)
        signer = DkimSigner(StaticSigningKeys({"a.test": [SigningKey("s1", "rsa", rsa.private_pem)]}))
        transport = SmtpTransport(zone.resolver(), hostname=HOSTNAME, settings=TransportSettings(port=port))
        notifier = Notifier(env.directory.recipients, env.mailstore, hostname=HOSTNAME)
        worker = OutboundWorker(
            db, blobs, clock, transport, notifier, signer=signer, settings=WorkerSettings(batch_size=500)
        )
        body = ("x" * 75 + "\r\n") * 40  # ~3 KB
        for n in range(messages):
            to = f"user{n}@d{n % domains}.test"
            await env.queue.enqueue(
                OutboundMessage(
                    enterprise_id=tenant.enterprise.id,
                    member_id=amy.member.id,
                    sender=amy.address,
                    recipients=(OutboundRecipient(to),),
                    data=message(amy.address, to, body=body),
                    prefix=b"",
                    trace_id=f"bench-{n}",
                )
            )
        start = time.perf_counter()
        while sink.count < messages:
            report = await worker.run_once()
            if report.claimed == 0:
                break
        elapsed = time.perf_counter() - start
        sample = message(amy.address, "bob@d0.test", body=body)
        rsa_cost = signing_cost(rsa, sample)
        ed_cost = signing_cost(generate_key(DkimAlgorithm.ED25519), sample)
        print(
            f"delivered {sink.count}/{messages} to {domains} domains in {elapsed:.2f}s: "
            f"{sink.count / elapsed:.0f} msg/s (SQLite, DKIM RSA-2048, loopback sink)"
        )
        print(f"DKIM signing per message: RSA-2048 {rsa_cost * 1000:.2f} ms, Ed25519 {ed_cost * 1000:.2f} ms")
        server.close()
        await zone.stop()
        await env.listeners.wait_closed(grace_seconds=1.0)
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--domains", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.domains))


if __name__ == "__main__":
    main()
