"""DESIGN.md §3 rule 4: the codec is pure; importing it pulls in no asyncio and no Yunmail service."""

from __future__ import annotations

import subprocess
import sys


def test_codec_imports_no_asyncio_and_no_service() -> None:
    probe = (
        "import sys, yunmail.protocols.imap.wire\n"
        "bad = [m for m in sys.modules if m == 'asyncio' or m.startswith('asyncio.')\n"
        "       or (m.startswith('yunmail.') and not m.startswith('yunmail.protocols')\n"
        "           and m != 'yunmail.errors' and not m.startswith('yunmail.errors.'))]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
