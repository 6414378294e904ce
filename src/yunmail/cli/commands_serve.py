"""``yunmail serve``: run the server until SIGTERM/SIGINT, and tell the operator where it listens.

Output contract (tests and ``make run`` rely on it): once every listener is bound, the human
output ends with a line starting ``ready``; with ``--json`` one JSON object ``{"event": "ready",
...}`` is printed on one line instead. Logs go to stderr; stdout carries only these announcements.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import yunmail
from yunmail import logging
from yunmail.cli.demo import Demo, ensure_demo
from yunmail.cli.output import table_text, to_jsonable
from yunmail.config import Settings
from yunmail.net import format_address
from yunmail.runtime import Runtime, build_services, close_services

_LISTENER_NOTES = {
    "http": "webmail /, admin /admin/, operator /operator/, API /api/v1, GET /healthz",
    "https": "the same over TLS",
    "smtp": "MX (hosted recipients)",
    "submission": "submission, STARTTLS",
    "smtps": "submission, implicit TLS",
    "imap": "STARTTLS",
    "imaps": "implicit TLS",
    "pop3": "STLS",
    "pop3s": "implicit TLS",
}


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """Run until signalled; the exit code is 0 after an orderly stop."""
    logging.setup(level=args.log_level, json_lines=args.log_json)
    _run(_serve(settings, demo=args.demo, as_json=args.json))
    return 0


def _run(main: Coroutine[Any, Any, None]) -> None:
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        pass
    else:
        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main)


async def _serve(settings: Settings, *, demo: bool, as_json: bool) -> None:
    services = await build_services(settings)
    try:
        seeded = await ensure_demo(services) if demo else None
        runtime = Runtime(services)
    except BaseException:
        await close_services(services)
        raise
    await runtime.run_until_signalled(lambda rt: _announce(rt, seeded, as_json=as_json))
    print("stopped" if not as_json else json.dumps({"event": "stopped"}), flush=True)


def _announce(runtime: Runtime, demo: Demo | None, *, as_json: bool) -> None:
    settings = runtime.services.settings
    bound = {name: [format_address(a) for a in addresses] for name, addresses in runtime.addresses().items()}
    pending = list(runtime.pending_listeners())
    if as_json:
        event = {
            "event": "ready",
            "version": yunmail.__version__,
            "listeners": bound,
            "pending": pending,
            "demo": to_jsonable(demo) if demo else None,
            "urls": web_urls(runtime),
        }
        print(json.dumps(event, ensure_ascii=False), flush=True)
        return
    lines = [
        f"Yunmail {yunmail.__version__} on {settings.hostname}",
        f"  data:     {settings.data_dir}",
        f"  storage:  {runtime.services.backend}",
        "",
        "Listening:",
    ]
    rows: list[tuple[str, str, str]] = []
    for name, addresses in bound.items():
        note = _LISTENER_NOTES.get(name, "")
        rows += [(name, address, note) for address in addresses]
    rows += [
        (name, ", ".join(getattr(settings.listen, name)), "coming: not implemented yet") for name in pending
    ]
    lines += ["  " + line for line in table_text(("LISTENER", "ADDRESS", ""), rows).splitlines()]
    if demo is not None:
        lines += [
            "",
            f"Demo enterprise {demo.enterprise.name!r} (org id {demo.enterprise.org_id}), "
            f"domain {demo.domain.display_name}:",
        ]
        login_rows = [(d.name, d.login, d.address, d.password) for d in demo.logins]
        table = table_text(("NAME", "LOGIN", "MAILBOX", "PASSWORD"), login_rows)
        lines += ["  " + line for line in table.splitlines()]
        lines.append(f"  shared mailbox: {demo.shared_address} (all demo members)")
        urls = web_urls(runtime)
        lines += ["", "Web:"]
        console_rows = [("webmail", urls["webmail"], "(the member logins above)", "")]
        console_rows += [(c.console, urls[c.console], c.login, c.password) for c in demo.consoles]
        table = table_text(("PORTAL", "URL", "LOGIN", "PASSWORD"), console_rows)
        lines += ["  " + line for line in table.splitlines()]
        lines.append("  (demo passwords are public: never use --demo on a server others can reach)")
    lines += ["", "ready: press Ctrl+C to stop"]
    print("\n".join(lines), flush=True)


def web_urls(runtime: Runtime) -> dict[str, str]:
    """Webmail and console URLs on the bound http listener (wildcard hosts shown as loopback)."""
    bound = runtime.addresses().get("http") or ()
    base = "http://127.0.0.1:8080"
    if bound:
        address = bound[0]
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(address.host, address.host)
        base = f"http://[{host}]:{address.port}" if ":" in host else f"http://{host}:{address.port}"
    return {"webmail": f"{base}/", "admin": f"{base}/admin/", "operator": f"{base}/operator/"}
