"""Headless Chromium through Playwright (DESIGN §8): the Debian browser, never a downloaded one.

Fixtures (register with ``pytest_plugins`` — ``tests/conftest.py`` does):

* ``chromium`` — one headless ``/usr/bin/chromium`` per test process (so one per xdist worker),
  started on first use and stopped at the end of the run: launching a browser for each test cost
  about a second of CPU;
* ``browser`` — that Chromium as Playwright sees it, connected for the test (DevTools protocol);
  every page it opens lives in a new browser context, so tests share no cookies or storage;
* ``page`` — a new page at 1280 px wide; ``phone_page`` — the same at 390 px (an iPhone-size
  viewport, touch, mobile user agent).

``screenshot(page, name)`` keeps a full-page PNG under ``tests/artifacts/`` (git-ignored) so a run
leaves pictures of each key page. ``no_horizontal_scroll(page)`` is the "works on a phone" check.
Every page records the requests it made (``requests_of(page)``), so a test can prove that nothing
went to a remote host, and console errors (``console_errors_of(page)``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect

from support.databases import require_or_skip

CHROMIUM = os.environ.get("YUNMAIL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# What Playwright's own launch would add for a headless automation browser: overlay scrollbars
# (so ``clientWidth`` is the viewport's), no throttling of pages in the background (several pages
# run at once), popups allowed (links that open a new tab), no first-run or keychain prompts.
HEADLESS_ARGS = [
    "--headless",
    "--hide-scrollbars",
    "--mute-audio",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-popup-blocking",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-hang-monitor",
    "--disable-prompt-on-repost",
    "--disable-breakpad",
    "--no-default-browser-check",
    "--password-store=basic",
    "--use-mock-keychain",
    "--force-color-profile=srgb",
    "--enable-automation",
]
DEVTOOLS_LINE = re.compile(r"DevTools listening on (ws://\S+)")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# Waiting is not a timing check: a page on a loaded 2-core CI machine running several test workers
# can take seconds, so assertions wait up to 30 s for their condition and actions up to 60 s.
EXPECT_TIMEOUT_MS = 30_000
ACTION_TIMEOUT_MS = 60_000
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _require_browser() -> None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        require_or_skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")


class Chromium:
    """One headless Chromium process with its DevTools endpoint; started again if it died."""

    def __init__(self, profile_dir: Path) -> None:
        self._profile_dir = profile_dir
        self._process: subprocess.Popen[str] | None = None
        self._endpoint = ""

    def endpoint(self) -> str:
        if self._process is None or self._process.poll() is not None:
            self._start()
        return self._endpoint

    def _start(self) -> None:
        process = subprocess.Popen(
            [
                CHROMIUM,
                *CHROMIUM_ARGS,
                *HEADLESS_ARGS,
                "--remote-debugging-port=0",  # the port it chose is in the "listening" line
                f"--user-data-dir={self._profile_dir}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        seen: list[str] = []
        for line in process.stderr:  # blocks until Chromium prints it (or exits: EOF)
            seen.append(line)
            match = DEVTOOLS_LINE.search(line)
            if match:
                self._endpoint = match.group(1)
                break
        else:
            raise RuntimeError("Chromium exited before listening:\n" + "".join(seen[-20:]))
        # Keep reading its log, or Chromium would block on a full pipe.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        self._process = process

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    _require_browser()
    instance = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
async def browser(chromium: Chromium) -> AsyncIterator[Browser]:
    """The worker's Chromium, connected for this test; closing it closes the test's contexts."""
    async with async_playwright() as playwright:
        instance = await playwright.chromium.connect_over_cdp(chromium.endpoint())
        try:
            yield instance
        finally:
            await instance.close()


async def new_page(browser: Browser, *, phone: bool = False) -> Page:
    context = await browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        locale="en-US",
        ignore_https_errors=True,
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = await context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    setattr(page, "_ym_requests", requests)  # noqa: B010 - Page has no slot for our bookkeeping
    setattr(page, "_ym_errors", errors)  # noqa: B010
    return page


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    created = await new_page(browser)
    try:
        yield created
    finally:
        await created.context.close()


@pytest.fixture
async def phone_page(browser: Browser) -> AsyncIterator[Page]:
    created = await new_page(browser, phone=True)
    try:
        yield created
    finally:
        await created.context.close()


def requests_of(page: Page) -> list[str]:
    return list(getattr(page, "_ym_requests", []))


def console_errors_of(page: Page) -> list[str]:
    return list(getattr(page, "_ym_errors", []))


async def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def no_horizontal_scroll(page: Page) -> bool:
    """True when the document is not wider than the viewport (the phone-layout check)."""
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return bool(widths[0] <= widths[1])


def pytest_configure(config: pytest.Config) -> None:
    del config
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run on SQLite only: pages add nothing backend-specific, and a browser is slow.

    The services under the pages run on both backends in their own tests.
    """
    del config
    kept = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        uses_browser = "browser" in getattr(item, "fixturenames", ())
        if uses_browser and callspec is not None and callspec.params.get("backend") == "postgres":
            continue
        kept.append(item)
    items[:] = kept
