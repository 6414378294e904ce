"""A real Debian client: ``mutt`` in batch mode sends a message and files its copy into the IMAP Sent folder.

Batch mode (stdin not a terminal) is the one way mutt runs unattended: it logs in over IMAP and
APPENDs the ``record`` copy. The test then checks the server's Sent folder against what mutt
sent. Plaintext login on loopback (trusted network). Needs the ``mutt`` package
(scripts/install-test-deps.sh); skipped without it, a failure in CI.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.databases import require_or_skip
from support.imap import PASSWORD, ImapEnv


def mutt_rc(imap: ImapEnv, root: Path) -> Path:
    host, port = imap.address
    sendmail = root / "sendmail.sh"
    sendmail.write_text(f"#!/bin/sh\ncat > {root}/outbox.eml\n")
    sendmail.chmod(0o755)
    rc = root / "muttrc"
    rc.write_text(
        f'set imap_user = "alice@example.test"\n'
        f'set imap_pass = "{PASSWORD}"\n'
        f'set folder = "imap://{host}:{port}/"\n'
        'set record = "=Sent"\n'
        "set copy = yes\n"
        "set ssl_starttls = no\n"
        "set ssl_force_tls = no\n"
        f'set sendmail = "{sendmail}"\n'
        'set from = "alice@example.test"\n'
        "set use_from = yes\n"
        f'set header_cache = "{root}/hcache"\n'
    )
    return rc


@pytest.fixture
def mutt_root(tmp_path: Path) -> Path:
    if shutil.which("mutt") is None:
        require_or_skip("mutt is not installed")
    root = tmp_path / "mutt"
    root.mkdir()
    return root


async def test_mutt_batch_send_files_the_copy_in_the_sent_folder(imap: ImapEnv, mutt_root: Path) -> None:
    rc = mutt_rc(imap, mutt_root)
    env = {**os.environ, "HOME": str(mutt_root), "TERM": "dumb"}
    result = await asyncio.to_thread(
        subprocess.run,
        ["mutt", "-n", "-F", str(rc), "-s", "batch from mutt", "bob@example.test"],
        input="hello from mutt batch mode\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sent = await imap.store.list_messages(imap.mailbox_id, "Sent")
    infos = await imap.store.fetch_messages(imap.mailbox_id, "Sent", [m.uid for m in sent])
    assert [(info.subject, "\\Seen" in info.flags) for info in infos] == [("batch from mutt", True)]
    assert (mutt_root / "outbox.eml").read_bytes().count(b"batch from mutt") == 1
