"""A real Debian client: ``fetchmail`` downloads over POP3 with STLS, then the server state is checked.

Needs the ``fetchmail`` package (scripts/install-test-deps.sh); skipped without it, a failure in CI.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.databases import require_or_skip
from support.imap import PASSWORD
from support.mailstore import make_message


def fetchmail_rc(env, root: Path, *, keep: bool) -> Path:
    host, port = env.address()
    out = root / "out"
    out.mkdir()
    cert = env.server.settings.tls.cert_file
    rc = root / "fetchmailrc"
    rc.write_text(
        f"set no syslog\n"
        f"poll {host} with proto POP3 port {port} uidl\n"
        f'  user "alice@example.test" there with password "{PASSWORD}"\n'
        f"  sslproto TLS1.2+ sslcertck sslcertfile {cert} sslcommonname localhost\n"
        f"  {'keep' if keep else 'nokeep'} fetchall\n"
        f"  mda \"/bin/sh -c 'cat > {out}/$(date +%s%N)'\"\n"
    )
    rc.chmod(0o600)
    return rc


async def run_fetchmail(rc: Path, root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(root), "FETCHMAILHOME": str(root)}
    return await asyncio.to_thread(
        subprocess.run,
        ["fetchmail", "-f", str(rc), "--nodetach", "-v"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture
def client_root(tmp_path: Path) -> Path:
    if shutil.which("fetchmail") is None:
        require_or_skip("fetchmail is not installed")
    root = tmp_path / "fetchmail"
    root.mkdir()
    return root


async def test_fetchmail_downloads_and_deletes_when_the_member_deletes(
    pop3_deleting, client_root: Path
) -> None:
    for i in range(5):
        await pop3_deleting.deliver(make_message(f"fetch {i}", f"body {i}\r\n.dot line\r\n"))
    result = await run_fetchmail(fetchmail_rc(pop3_deleting, client_root, keep=False), client_root)
    assert result.returncode == 0, result.stdout + result.stderr
    downloaded = sorted((client_root / "out").iterdir())
    assert len(downloaded) == 5
    assert all(b".dot line" in path.read_bytes() for path in downloaded)
    assert (await pop3_deleting.store.status(pop3_deleting.mailbox_id, "INBOX")).messages == 0


async def test_fetchmail_keep_leaves_mail_and_downloads_only_once(pop3, client_root: Path) -> None:
    for i in range(3):
        await pop3.deliver(make_message(f"kept {i}"))
    rc = fetchmail_rc(pop3, client_root, keep=True)
    first = await run_fetchmail(rc, client_root)
    assert first.returncode == 0, first.stdout + first.stderr
    await pop3.deliver(make_message("new one"))
    rc.write_text(rc.read_text().replace("fetchall", ""))
    second = await run_fetchmail(rc, client_root)
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(list((client_root / "out").iterdir())) == 4
    assert (await pop3.store.status(pop3.mailbox_id, "INBOX")).messages == 4
