"""The browser harness itself: Chromium loads our pages, and the phone layout check works."""

from __future__ import annotations

from playwright.async_api import Page

from support.browser import no_horizontal_scroll, screenshot
from support.server import RunningServer


async def test_chromium_renders_an_error_page_with_our_stylesheet(server: RunningServer, page: Page) -> None:
    host, port = server.address("http")

    response = await page.goto(f"http://{host}:{port}/no-such-page")

    assert response is not None and response.status == 404
    assert await page.locator(".error-message").get_attribute("data-code") == "NOT_FOUND"
    background = await page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert background == "rgb(20, 33, 61)"  # app.css loaded (the CSP allows our own stylesheet)
    await screenshot(page, "front-door-404")


async def test_error_page_fits_a_phone_screen(server: RunningServer, phone_page: Page) -> None:
    host, port = server.address("http")

    await phone_page.goto(f"http://{host}:{port}/no-such-page")

    assert await no_horizontal_scroll(phone_page)
