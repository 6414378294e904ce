"""``yunmail init`` and ``yunmail serve --demo`` as processes: ready line, demo logins, signals, exit 0."""

from __future__ import annotations

import imaplib
import json
import os
import poplib
import queue
import select
import shutil
import signal
import smtplib
import ssl
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.serve_process import (
    WATCHDOG_SECONDS,
    read_until_ready,
    serve_environment,
    yunmail_command,
)
from yunmail.config import LISTENER_NAMES


@dataclass
class ServeProcess:
    process: subprocess.Popen[str]
    lines: list[str]

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str]:
        """Send ``signum``; the exit code and everything printed after the ready line."""
        self.process.send_signal(signum)
        rest, _ = self.process.communicate(timeout=WATCHDOG_SECONDS)
        return self.process.returncode, rest


_environment = serve_environment
_yunmail = yunmail_command


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
    return ServeProcess(process, read_until_ready(process))


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


# --- a node of several serving processes (cli.prefork) ----------------------------------------------


@dataclass
class Node:
    process: subprocess.Popen[str]
    lines: list[str]
    log: queue.Queue[str]

    def wait_for_log(self, text: str) -> None:
        while text not in self.log.get(timeout=WATCHDOG_SECONDS):
            pass

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def address(self, listener: str) -> tuple[str, int]:
        for line in self.lines:
            parts = line.split()
            if parts[:1] == [listener]:
                host, _, port = parts[1].rpartition(":")
                return host, int(port)
        raise AssertionError(f"no {listener} listener in {self.lines}")


@pytest.fixture
def node(data_dir: Path) -> Iterator[Node]:
    process = subprocess.Popen(
        _yunmail("serve", "--config", str(data_dir / "yunmail.toml"), "--demo", "--processes", "3"),
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: queue.Queue[str] = queue.Queue()

    def read_log() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            log.put(line)

    threading.Thread(target=read_log, daemon=True).start()
    lines = read_until_ready(process)
    running = Node(process, lines, log)
    try:
        yield running
    finally:
        children = running.children() if process.poll() is None else []
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=WATCHDOG_SECONDS)
        for pid in children:
            _wait_gone(pid)


def _wait_gone(pid: int) -> bool:
    """Block until process ``pid`` (not our child) has exited: a pidfd becomes readable then."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], WATCHDOG_SECONDS)
        return bool(readable)
    finally:
        os.close(fd)


def _imap_login(address: tuple[str, int]) -> imaplib.IMAP4:
    client = imaplib.IMAP4(*address, timeout=WATCHDOG_SECONDS)
    client.login("zhangwei@demo", "Demo-zhangwei-1")
    return client


def test_node_runs_the_configured_number_of_serving_processes(node: Node) -> None:
    assert "  processes: 3" in node.lines
    assert len(node.children()) == 3


def test_mail_delivered_through_any_process_wakes_idle_sessions_in_every_process(node: Node) -> None:
    """Sessions land on whichever process accepts them; the node's local bus reaches them all."""
    sessions = [_imap_login(node.address("imap")) for _ in range(9)]
    try:
        for client in sessions:
            client.select("INBOX")
            client.send(b"i1 IDLE\r\n")
            assert client.readline().startswith(b"+")
        with smtplib.SMTP(*node.address("smtp"), timeout=WATCHDOG_SECONDS) as smtp:
            smtp.sendmail("a@example.org", ["zhangwei@demo.yunmail.test"], b"Subject: hi\r\n\r\nhello\r\n")
        woken = [client.readline() for client in sessions]
    finally:
        for client in sessions:
            client.shutdown()
    assert all(line.startswith(b"* ") and line.rstrip().endswith(b"EXISTS") for line in woken), woken


def test_a_killed_serving_process_is_started_again_and_the_node_keeps_serving(node: Node) -> None:
    victim = node.children()[1]
    os.kill(victim, signal.SIGKILL)
    assert _wait_gone(victim)
    node.wait_for_log("serving process restarted")  # the parent logs it once the new one serves
    children = node.children()
    assert victim not in children and len(children) == 3
    for _ in range(6):
        client = _imap_login(node.address("imap"))
        assert client.select("INBOX")[0] == "OK"
        client.logout()


def test_killing_the_parent_stops_every_serving_process(node: Node) -> None:
    children = node.children()
    node.process.kill()
    node.process.wait()
    assert all(_wait_gone(pid) for pid in children)
