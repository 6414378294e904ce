"""A real Debian client: ``offlineimap3`` syncs a mailbox both ways over STARTTLS.

Each step ends with the server's state checked against what the client did. Needs the
``offlineimap3`` package (scripts/install-test-deps.sh); skipped on a laptop without it, a failure
under CI.

offlineimap's imaplib2 reads and writes one TLS connection from two threads. If the server sends
anything unasked right after the STARTTLS handshake (TLS 1.3 session tickets did), the reader
thread blocks in SSL_read while the writer sends the next command, which then never leaves the
client: a hang about one sync in ten. The last test pins the server side of that without needing
offlineimap.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from support.databases import require_or_skip
from support.imap import PASSWORD, ImapEnv, ImapTestClient
from support.mailstore import make_message

MESSAGES = 30


def offlineimap_config(imap: ImapEnv, root: Path) -> Path:
    host, port = imap.address
    config = root / "offlineimaprc"
    config.write_text(
        f"""[general]
accounts = yunmail
metadata = {root}/meta
ui = quiet

[Account yunmail]
localrepository = local
remoterepository = remote

[Repository local]
type = Maildir
localfolders = {root}/mail

[Repository remote]
type = IMAP
remotehost = {host}
remoteport = {port}
remoteuser = alice@example.test
remotepass = {PASSWORD}
starttls = yes
ssl = no
sslcacertfile = {imap.settings.tls.cert_file}
folderfilter = lambda name: name in ["INBOX"]
"""
    )
    return config


async def run_offlineimap(config: Path) -> None:
    result = await asyncio.to_thread(
        subprocess.run,
        ["offlineimap", "-c", str(config), "-o", "-u", "quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def local_messages(root: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for sub in ("cur", "new"):
        for path in (root / "mail" / "INBOX" / sub).glob("*"):
            for line in path.read_bytes().splitlines():
                if line.startswith(b"Subject: "):
                    out[line[9:].decode()] = path
                    break
    return out


async def server_flags(imap: ImapEnv) -> dict[str, frozenset[str]]:
    summaries = await imap.store.list_messages(imap.mailbox_id, "INBOX")
    infos = await imap.store.fetch_messages(imap.mailbox_id, "INBOX", [m.uid for m in summaries])
    return {info.subject: info.flags for info in infos}


@pytest.fixture
def client_root(tmp_path: Path) -> Path:
    if shutil.which("offlineimap") is None:
        require_or_skip("offlineimap (Debian package offlineimap3) is not installed")
    root = tmp_path / "client"
    (root / "mail").mkdir(parents=True)
    return root


async def test_offlineimap_syncs_both_ways_with_flags_and_deletions(imap: ImapEnv, client_root: Path) -> None:
    for i in range(MESSAGES):
        await imap.deliver(make_message(f"msg {i}", f"body {i}\r\n"), flags=("\\Seen",) if i % 2 == 0 else ())
    config = offlineimap_config(imap, client_root)

    # 1. Server to client: every message arrives, seen ones marked S.
    await run_offlineimap(config)
    local = local_messages(client_root)
    assert len(local) == MESSAGES
    assert all(("S" in local[f"msg {i}"].name.partition(":2,")[2]) == (i % 2 == 0) for i in range(MESSAGES))

    # 2. Client changes: flag one, delete one, add one; then sync.
    flagged = local["msg 1"]
    flagged.rename(flagged.with_name(flagged.name.partition(":2,")[0] + ":2,F"))
    local["msg 3"].unlink()
    (client_root / "mail" / "INBOX" / "new" / "1767225600.offline.host").write_bytes(
        make_message("written offline", "from the client\r\n")
    )
    await run_offlineimap(config)
    server = await server_flags(imap)
    assert "\\Flagged" in server["msg 1"]
    assert "msg 3" not in server
    assert "written offline" in server
    assert len(server) == MESSAGES - 1 + 1

    # 3. Server changes reach the client.
    await imap.deliver(make_message("late arrival"))
    await run_offlineimap(config)
    assert set(local_messages(client_root)) == set(await server_flags(imap))


async def test_starttls_handshake_is_followed_by_nothing_the_client_did_not_ask_for(imap: ImapEnv) -> None:
    client = await ImapTestClient.connect(*imap.address)
    try:
        await client.starttls(imap.tls_client)
        # The answer comes after anything sent unasked, so by now a session ticket would be in.
        await client.expect("OK", "CAPABILITY")
        tls = client.writer.get_extra_info("ssl_object")
        assert tls.version() == "TLSv1.3"
        assert tls.session is None or not tls.session.has_ticket
    finally:
        await client.close()
