"""A real Debian client: ``getmail6`` downloads over POP3 (external MDA), then the server state is checked.

Plaintext USER/PASS on loopback (a trusted network); ``test_pop3_fetchmail`` covers STLS. Needs
the ``getmail6`` package (scripts/install-test-deps.sh); skipped without it, a failure in CI.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from support.databases import require_or_skip
from support.imap import PASSWORD
from support.mailstore import make_message


def getmail_rc(env, root: Path, *, delete: bool) -> Path:
    host, port = env.address()
    out = root / "out"
    out.mkdir(exist_ok=True)
    rc = root / "getmailrc"
    rc.write_text(
        "[retriever]\n"
        "type = SimplePOP3Retriever\n"
        f"server = {host}\n"
        f"port = {port}\n"
        "username = alice@example.test\n"
        f"password = {PASSWORD}\n"
        # An external MDA, not the Maildir destination: that refuses to deliver when run as root (CI).
        "[destination]\n"
        "type = MDA_external\n"
        "path = /bin/sh\n"
        f'arguments = ("-c", "cat > $(mktemp -p {out})")\n'
        "allow_root_commands = true\n"
        "[options]\n"
        f"delete = {'true' if delete else 'false'}\n"
        "read_all = false\n"
        "verbose = 1\n"
    )
    return rc


async def run_getmail(rc: Path, root: Path) -> None:
    result = await asyncio.to_thread(
        subprocess.run,
        ["getmail", f"--rcfile={rc}", f"--getmaildir={root}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def downloaded(root: Path) -> list[bytes]:
    return [path.read_bytes() for path in sorted((root / "out").iterdir())]


@pytest.fixture
def client_root(tmp_path: Path) -> Path:
    if shutil.which("getmail") is None:
        require_or_skip("getmail (Debian package getmail6) is not installed")
    root = tmp_path / "getmail"
    root.mkdir()
    return root


async def test_getmail_downloads_every_message_and_deletion_empties_the_inbox(
    pop3_deleting, client_root: Path
) -> None:
    for i in range(4):
        await pop3_deleting.deliver(make_message(f"got {i}", f"body {i}\r\n.dot line\r\n"))
    await run_getmail(getmail_rc(pop3_deleting, client_root, delete=True), client_root)
    messages = downloaded(client_root)
    assert sorted(m.split(b"Subject: ", 1)[1].split(b"\n", 1)[0].strip() for m in messages) == [
        b"got 0",
        b"got 1",
        b"got 2",
        b"got 3",
    ]
    assert all(b"\n.dot line" in m for m in messages)
    assert (await pop3_deleting.store.status(pop3_deleting.mailbox_id, "INBOX")).messages == 0


async def test_getmail_keeping_mail_downloads_only_what_is_new_on_the_next_run(
    pop3, client_root: Path
) -> None:
    for i in range(3):
        await pop3.deliver(make_message(f"kept {i}"))
    rc = getmail_rc(pop3, client_root, delete=False)
    await run_getmail(rc, client_root)
    await pop3.deliver(make_message("arrived later"))
    await run_getmail(rc, client_root)
    assert len(downloaded(client_root)) == 4
    assert (await pop3.store.status(pop3.mailbox_id, "INBOX")).messages == 4
