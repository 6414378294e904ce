"""``yunmail`` as a real process for tests: its environment, its command line, waiting for ``ready``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from yunmail.config import LISTENER_NAMES

# Safety net only: a server that never becomes ready is killed so the test fails instead of hanging.
WATCHDOG_SECONDS = 120


def serve_environment() -> dict[str, str]:
    """The test's environment without YUNMAIL_* settings, every listener on a free loopback port."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("YUNMAIL_") or k.startswith("YUNMAIL_TEST")
    }
    env.update({f"YUNMAIL_LISTEN_{name.upper()}": "127.0.0.1:0" for name in LISTENER_NAMES})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def yunmail_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "yunmail", *args]


def read_until_ready(process: subprocess.Popen[str]) -> list[str]:
    """The lines ``serve`` printed up to its ready announcement (blocks on the pipe; no polling)."""
    watchdog = threading.Timer(WATCHDOG_SECONDS, process.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("ready") or line.startswith('{"event": "ready"'):
                break
    finally:
        watchdog.cancel()
    assert lines and ("ready" in lines[-1]), f"server exited before ready: {lines}"
    return lines
