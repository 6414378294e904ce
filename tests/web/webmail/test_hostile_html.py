"""Hostile mail cannot run script in the webmail or make the browser talk to anyone but us.

The corpus (``fixtures/hostile/*.eml``, one attack each: script tags, event handlers, ``javascript:``
and ``data:`` URLs, CSS expressions and ``url()``, SVG and MathML payloads, ``<base>`` and meta
refresh, frames and objects, encoded variants (quoted-printable, base64, UTF-7, GB18030), malformed
and unclosed markup, hostile subjects, sender names and file names) is checked twice:

* statically: the body document the frame gets holds no element or attribute that can run script
  or load anything from elsewhere;
* in Chromium: every message is opened; each payload tries to set ``top.__pwned`` /
  ``parent.__pwned`` / ``window.__pwned``, which must stay undefined in the page and in the frame,
  and every request the browser made went to the test server.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.async_api import Page

from support.browser import console_errors_of, requests_of, screenshot
from support.server import RunningServer
from support.web import base_url, login_page_as
from yunmail.mime import parse_message
from yunmail.web.webmail.body_view import body_document, body_policy

from .mail_helpers import deliver, mail_user


@pytest.fixture
def backend() -> str:
    """SQLite only: these pages call the same services on either backend (the mail store's own tests
    cover PostgreSQL); tests that depend on the database parametrize ``backend`` themselves."""
    return "sqlite"


CORPUS = sorted((Path(__file__).parent / "fixtures" / "hostile").glob("*.eml"))
# Elements that can run script, load something, navigate, or change how URLs resolve.
FORBIDDEN_TAGS = frozenset(
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link",
        "style", "form", "input", "button", "textarea", "select", "svg", "math", "template",
        "video", "audio", "source", "track", "marquee", "noscript", "portal", "param",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "background", "poster", "srcset", "xlink:href"}
)
OUR_PART_URL = "/mail/INBOX/1/part/2?inline=1"


def test_corpus_has_at_least_forty_messages() -> None:
    assert len(CORPUS) >= 40


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
            return
        if not self.in_body:
            return
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and not _allowed_url(tag, name, text):
                self.problems.append(f"{tag}[{name}={text[:60]}]")
            if name == "style" and any(
                bad in text for bad in ("url(", "expression", "binding", "\\", "@import")
            ):
                self.problems.append(f"{tag}[style={text[:60]}]")
            if "evil.example" in text and name not in ("title", "alt"):
                self.problems.append(f"{tag}[{name}] mentions evil.example")


def _allowed_url(tag: str, name: str, url: str) -> bool:
    if tag == "a" and name == "href":
        return url.startswith(("https://", "http://", "mailto:", "tel:")) and "evil.example" not in url
    if tag == "img" and name == "src":
        return url.startswith("data:image/") or url == OUR_PART_URL.lower()
    return False


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_body_document_has_nothing_that_runs_or_loads(path: Path) -> None:
    data = path.read_bytes()

    document = body_document(
        data, parse_message(data), allow_remote_images=False, cid_url=lambda cid: OUR_PART_URL
    )

    audit = _Audit()
    audit.feed(document.html)
    assert audit.problems == []
    head = document.html[: document.html.index("<body>")]
    assert "<script" not in head.lower() and "http" not in head


def test_body_policy_allows_no_script_and_no_remote_load_by_default() -> None:
    policy = body_policy(False)

    assert "script-src" not in policy and policy.startswith("default-src 'none'")
    assert "http" not in policy and "sandbox" in policy


async def test_no_payload_runs_or_reaches_another_host_in_the_browser(
    server: RunningServer, page: Page
) -> None:
    user = await mail_user(server)
    stored = {path.stem: (await deliver(server, user, path.read_bytes())).uid for path in CORPUS}
    await login_page_as(page, server, "webmail", user.token)
    base = base_url(server)

    await page.goto(f"{base}/mail/", wait_until="load")  # hostile subjects, senders, previews
    failures = await _pwned(page, "list")
    await screenshot(page, "webmail-hostile-list")
    for name, uid in stored.items():
        response = await page.goto(f"{base}/mail/INBOX/{uid}", wait_until="load")
        assert response is not None and response.status == 200, name
        failures += await _pwned(page, name)
        frames = [frame for frame in page.frames if frame != page.main_frame]
        if len(frames) != 1:
            failures.append(f"{name}: {len(frames)} frames")
    await screenshot(page, "webmail-hostile-last")

    # Control: the probe does see a canary set inside the frame.
    await page.evaluate("() => { document.querySelector('iframe.mail-body').contentWindow.__pwned = 1; }")
    control = await _pwned(page, "control")

    foreign = [url for url in requests_of(page) if not url.startswith((base + "/", "data:", "about:"))]
    assert len(control) == 1
    assert failures == []
    assert foreign == []
    assert not [e for e in console_errors_of(page) if "__pwned" in e]


async def _pwned(page: Page, name: str) -> list[str]:
    found = await page.evaluate(
        """() => {
            const frame = document.querySelector('iframe.mail-body');
            let inner = 'no frame';
            if (frame) {
                try { inner = frame.contentWindow.__pwned; } catch (e) { inner = 'unreachable'; }
            }
            if (inner === undefined) { inner = null; }
            return {top: window.__pwned, parent: window.parent.__pwned, inner: inner};
        }"""
    )
    problems = []
    if found.get("top") is not None or found.get("parent") is not None:
        problems.append(f"{name}: page script ran ({found})")
    if found.get("inner") not in (None, "no frame"):
        problems.append(f"{name}: frame script ran ({found})")
    return problems
