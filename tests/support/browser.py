"""Headless Chromium through Playwright (DESIGN §8): the Debian browser, never a downloaded one.

Fixtures (register with ``pytest_plugins`` — ``tests/conftest.py`` does):

* ``browser`` — a Chromium launched for the test (``/usr/bin/chromium``, fresh profile);
* ``page`` — a new page at 1280 px wide; ``phone_page`` — the same at 390 px (an iPhone-size
  viewport, touch, mobile user agent).

``screenshot(page, name)`` keeps a full-page PNG under ``tests/artifacts/`` (git-ignored) so a run
leaves pictures of each key page. ``no_horizontal_scroll(page)`` is the "works on a phone" check.
Every page records the requests it made (``requests_of(page)``), so a test can prove that nothing
went to a remote host, and console errors (``console_errors_of(page)``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

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
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _require_browser() -> None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        require_or_skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    _require_browser()
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
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
