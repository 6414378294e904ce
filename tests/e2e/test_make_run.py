"""``make run`` end to end: first run initialises a data dir, serves the demo, and Ctrl+C ends it cleanly."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from yunmail.config import LISTENER_NAMES

ROOT = Path(__file__).resolve().parents[2]
WATCHDOG_SECONDS = 180


def _make_run_environment() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("YUNMAIL_") or k.startswith("YUNMAIL_TEST")
    }
    # The config written by init keeps the dev ports; the environment moves every listener to a
    # free port so the test never collides with a developer's running server.
    env.update({f"YUNMAIL_LISTEN_{name.upper()}": "127.0.0.1:0" for name in LISTENER_NAMES})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_make_run_initialises_serves_the_demo_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    if not (ROOT / ".venv" / ".installed").exists():
        pytest.skip("the venv was not installed by make; make run would pip install first")
    data_dir = tmp_path / "data"
    make = subprocess.Popen(
        ["make", "-s", "-C", str(ROOT), "run", f"DATA_DIR={data_dir}"],
        env=_make_run_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    watchdog = threading.Timer(WATCHDOG_SECONDS, make.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        assert make.stdout is not None
        for line in make.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("ready"):
                break
        # Ctrl+C in a terminal reaches the server; make's own recipe shell was replaced by it (exec).
        (server,) = _children(make.pid)
        os.kill(server, signal.SIGINT)
        rest, _ = make.communicate(timeout=WATCHDOG_SECONDS)
    finally:
        watchdog.cancel()
        if make.poll() is None:
            make.kill()

    output = "\n".join(lines)
    assert (data_dir / "yunmail.toml").is_file()
    assert "zhangwei@demo" in output
    assert (make.returncode, rest) == (0, "stopped\n")
