"""``yunmail init`` and ``yunmail serve --demo`` as processes: ready line, demo logins, signals, exit 0."""

from __future__ import annotations

import imaplib
import json
import os
import poplib
import shutil
import signal
import smtplib
import ssl
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from yunmail.config import LISTENER_NAMES

# Safety net only: a server that never becomes ready is killed so the test fails instead of hanging.
WATCHDOG_SECONDS = 120


@dataclass
class ServeProcess:
    process: subprocess.Popen[str]
    lines: list[str]

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str]:
        """Send ``signum``; the exit code and everything printed after the ready line."""
        self.process.send_signal(signum)
        rest, _ = self.process.communicate(timeout=WATCHDOG_SECONDS)
        return self.process.returncode, rest


def _environment() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("YUNMAIL_") or k.startswith("YUNMAIL_TEST")
    }
    env.update({f"YUNMAIL_LISTEN_{name.upper()}": "127.0.0.1:0" for name in LISTENER_NAMES})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _yunmail(*args: str) -> list[str]:
    return [sys.executable, "-m", "yunmail", *args]


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``yunmail init`` run as a process per module; tests get copies of its data dir."""
    target = tmp_path_factory.mktemp("init") / "data"
    done = subprocess.run(
        _yunmail("init", "--data-dir", str(target), "--hostname", "mail.demo.test"),
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=WATCHDOG_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return target


@pytest.fixture
def data_dir(initialised: Path, tmp_path: Path) -> Path:
    # The config file names its data dir relative to itself ("."), so a copy is self-contained.
    return Path(shutil.copytree(initialised, tmp_path / "data"))


def _serve(data_dir: Path, *args: str) -> ServeProcess:
    process = subprocess.Popen(
        _yunmail("serve", "--config", str(data_dir / "yunmail.toml"), *args),
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    watchdog = threading.Timer(WATCHDOG_SECONDS, process.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # blocks until the server prints; no polling, no sleeping
            lines.append(line.rstrip("\n"))
            if line.startswith("ready") or line.startswith('{"event": "ready"'):
                break
    finally:
        watchdog.cancel()
    assert lines and ("ready" in lines[-1]), f"server exited before ready: {lines}"
    return ServeProcess(process, lines)


def _kill(running: ServeProcess) -> None:
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


@pytest.fixture(scope="module")
def shared_demo(initialised: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """A demo server the read-only tests share (they only look at its output and endpoint)."""
    copy = Path(shutil.copytree(initialised, tmp_path_factory.mktemp("shared") / "data"))
    running = _serve(copy, "--demo")
    try:
        yield running
    finally:
        _kill(running)


@pytest.fixture
def demo(data_dir: Path) -> Iterator[ServeProcess]:
    """A demo server of the test's own, for tests that stop it."""
    running = _serve(data_dir, "--demo")
    try:
        yield running
    finally:
        _kill(running)


def _http_address(lines: list[str]) -> str:
    for line in lines:
        parts = line.split()
        if parts[:1] == ["http"]:
            return parts[1]
    raise AssertionError(f"no http listener in {lines}")


def test_demo_server_prints_the_demo_logins(shared_demo: ServeProcess) -> None:
    output = "\n".join(shared_demo.lines)

    assert "zhangwei@demo" in output
    assert "zhangwei@demo.yunmail.test" in output
    assert "Demo-zhangwei-1" in output
    assert "support@demo.yunmail.test" in output


def test_demo_server_answers_health_checks_on_the_printed_address(shared_demo: ServeProcess) -> None:
    with urllib.request.urlopen(f"http://{_http_address(shared_demo.lines)}/healthz", timeout=30) as response:
        body = json.load(response)

    assert body["status"] == "ok"


def test_sigint_stops_the_server_with_exit_code_0(demo: ServeProcess) -> None:
    code, rest = demo.stop(signal.SIGINT)

    assert (code, rest) == (0, "stopped\n")


def test_sigterm_stops_the_server_with_exit_code_0(demo: ServeProcess) -> None:
    code, rest = demo.stop(signal.SIGTERM)

    assert (code, rest) == (0, "stopped\n")


def test_every_listener_is_announced_with_its_bound_address(shared_demo: ServeProcess) -> None:
    announced = {
        line.split()[0] for line in shared_demo.lines if line.startswith("  ") and "127.0.0.1:" in line
    }
    coming = [line for line in shared_demo.lines if "coming: not implemented yet" in line]

    assert announced >= set(LISTENER_NAMES)
    assert coming == []


def test_json_mode_announces_listeners_and_demo_logins_in_one_line(data_dir: Path) -> None:
    running = _serve(data_dir, "--demo", "--json")
    try:
        event = json.loads(running.lines[-1])
    finally:
        running.stop()

    assert event["event"] == "ready"
    assert sorted(event["listeners"]) == sorted(LISTENER_NAMES)
    assert [login["login"] for login in event["demo"]["logins"]] == [
        "zhangwei@demo",
        "lina@demo",
        "wangfang@demo",
    ]


def test_second_demo_start_reuses_the_demo_enterprise(data_dir: Path) -> None:
    first = _serve(data_dir, "--demo", "--json")
    first.stop()
    second = _serve(data_dir, "--demo", "--json")
    second.stop()

    listed = subprocess.run(
        _yunmail("enterprise", "list", "--json", "--config", str(data_dir / "yunmail.toml")),
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=WATCHDOG_SECONDS,
        check=True,
    )
    assert json.loads(first.lines[-1])["demo"] == json.loads(second.lines[-1])["demo"]
    assert [e["org_id"] for e in json.loads(listed.stdout)] == ["demo"]


def test_serve_without_demo_creates_no_enterprise(data_dir: Path) -> None:
    running = _serve(data_dir, "--json")
    running.stop()

    listed = subprocess.run(
        _yunmail("enterprise", "list", "--json", "--config", str(data_dir / "yunmail.toml")),
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=WATCHDOG_SECONDS,
        check=True,
    )
    assert json.loads(running.lines[-1])["demo"] is None
    assert json.loads(listed.stdout) == []


def _listener_address(running: ServeProcess, name: str) -> tuple[str, int]:
    for line in running.lines:
        parts = line.split()
        if line.startswith("  ") and parts and parts[0] == name and ":" in parts[1]:
            host, _, port = parts[1].rpartition(":")
            return host, int(port)
    raise AssertionError(f"{name} not announced: {running.lines}")


def test_demo_member_receives_over_smtp_and_reads_over_imaps_on_the_serving_loop(
    shared_demo: ServeProcess,
) -> None:
    """The real process (uvloop) end to end: port 25 in, implicit-TLS IMAP and POP3 out."""
    host, port = _listener_address(shared_demo, "smtp")
    with smtplib.SMTP(host, port) as client:
        client.sendmail(
            "carol@outside.test",
            ["lina@demo.yunmail.test"],
            b"From: carol@outside.test\r\nSubject: uvloop check\r\n"
            b"Message-ID: <uv@outside.test>\r\n\r\nhi\r\n",
        )
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the demo's self-signed certificate
    host, port = _listener_address(shared_demo, "imaps")
    with imaplib.IMAP4_SSL(host, port, ssl_context=context) as imap:
        imap.login("lina@demo", "Demo-lina-2")
        _, counts = imap.select("INBOX", readonly=True)
        _, found = imap.search(None, "SUBJECT", '"uvloop check"')
    host, port = _listener_address(shared_demo, "pop3s")
    pop = poplib.POP3_SSL(host, port, context=context)
    try:
        pop.user("lina@demo.yunmail.test")
        pop.pass_("Demo-lina-2")
        message_count, _ = pop.stat()
    finally:
        pop.quit()

    assert int(counts[0] or 0) >= 1
    assert found[0] != b""
    assert message_count >= 1
