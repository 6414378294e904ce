"""``--suite-summary``: where the suite's time goes, printed after the run (``make test`` asks for it).

It also writes each test module's time to ``tests/artifacts/module-durations.json``; copied over
``tests/module_durations.json`` (checked in), it orders the next runs: longest modules first, so
with ``--dist loadscope`` a long module starts at once instead of holding up the end of the run.

Per test directory (``tests/auth``, ``tests/protocols/imap``, ...): the number of tests and the time
they took, setup and teardown included, summed over the xdist workers (so with ``-n 4`` the column
adds up to about four times the wall time); then the slowest tests. With xdist the workers' reports
come back to the controller, which is where this runs, so the numbers cover every worker.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path, PurePosixPath

import pytest

SLOWEST = 15
TESTS = Path(__file__).resolve().parent.parent
RECORDED = TESTS / "module_durations.json"
WRITTEN = TESTS / "artifacts" / "module-durations.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--suite-summary",
        action="store_true",
        help="after the run, print test time per test directory and the slowest tests",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--suite-summary"):
        config.pluginmanager.register(SuiteSummary(), "yunmail-suite-summary")


def longest_modules_first(items: list[pytest.Item]) -> None:
    """Reorder whole modules (their fixtures stay together) by recorded time, longest first; the
    order within a module and of modules without a record is kept (a stable sort)."""
    if not RECORDED.exists():
        return
    seconds: dict[str, float] = json.loads(RECORDED.read_text(encoding="utf-8"))
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::", 1)[0], 0.0))


def directory_of(nodeid: str) -> str:
    """Two levels under tests/ at most: ``tests/protocols/imap/wire/x.py`` -> ``tests/protocols/imap``."""
    parts = PurePosixPath(nodeid.split("::", 1)[0]).parts[:-1]
    return "/".join(parts[:3]) if parts else "."


class SuiteSummary:
    def __init__(self) -> None:
        self.by_test: dict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.by_test[report.nodeid] += report.duration

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.by_test:
            return
        per_directory: dict[str, list[float]] = defaultdict(list)
        for nodeid, seconds in self.by_test.items():
            per_directory[directory_of(nodeid)].append(seconds)
        write = terminalreporter.write_line
        terminalreporter.section("time per test directory (summed over workers)")
        for directory, times in sorted(per_directory.items(), key=lambda item: -sum(item[1])):
            write(f"{sum(times):9.1f}s {len(times):6d} tests  {directory}")
        write(f"{sum(self.by_test.values()):9.1f}s {len(self.by_test):6d} tests  total")
        terminalreporter.section(f"slowest {SLOWEST} tests (setup + call + teardown)")
        for nodeid, seconds in sorted(self.by_test.items(), key=lambda item: -item[1])[:SLOWEST]:
            write(f"{seconds:9.1f}s  {nodeid}")
        per_module: dict[str, float] = defaultdict(float)
        for nodeid, seconds in self.by_test.items():
            per_module[nodeid.split("::", 1)[0]] += seconds
        WRITTEN.parent.mkdir(parents=True, exist_ok=True)
        ordered = dict(sorted(((k, round(v, 1)) for k, v in per_module.items()), key=lambda kv: -kv[1]))
        WRITTEN.write_text(json.dumps(ordered, indent=0) + "\n", encoding="utf-8")
