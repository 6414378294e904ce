"""``yunmail serve``: run the server until SIGTERM/SIGINT, and tell the operator where it listens.

Output contract (tests and ``make run`` rely on it): once every listener is bound, the human
output ends with a line starting ``ready``; with ``--json`` one JSON object ``{"event": "ready",
...}`` is printed on one line instead. Logs go to stderr; stdout carries only these announcements.
"""

from __future__ import annotations

import argparse
import dataclasses
import json

import yunmail
from yunmail import logging
from yunmail.cli.demo import Demo, ensure_demo
from yunmail.cli.output import table_text, to_jsonable
from yunmail.cli.prefork import default_loop_runner, serve_node
from yunmail.config import Settings, parse_host_port
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
    server = settings.server
    if args.processes is not None:
        server = dataclasses.replace(server, processes=max(0, args.processes))
    processes = server.effective_processes
    if processes <= 1:
        default_loop_runner(_serve(settings, demo=args.demo, as_json=args.json))
        return 0

    def announce(demo: object, bound: dict[str, list[tuple[str, int]]]) -> None:
        addresses = {name: [_host_port(h, p) for h, p in found] for name, found in bound.items()}
        backend = "sqlite" if settings.effective_database_url.startswith("sqlite") else "postgresql"
        _announce(
            settings,
            backend,
            addresses,
            [],
            demo if isinstance(demo, Demo) else None,
            as_json=args.json,
            processes=processes,
        )

    code = serve_node(
        settings,
        processes,
        prepare=_prepare(settings, demo=args.demo),
        announce=announce,
        run_loop=default_loop_runner,
    )
    print("stopped" if not args.json else json.dumps({"event": "stopped"}), flush=True)
    return code


async def _prepare(settings: Settings, *, demo: bool) -> Demo | None:
    """Migrations and the demo enterprise, once for the whole node (before its processes fork)."""
    services = await build_services(settings)
    try:
        return await ensure_demo(services) if demo else None
    finally:
        await close_services(services)


async def _serve(settings: Settings, *, demo: bool, as_json: bool) -> None:
    services = await build_services(settings)
    try:
        seeded = await ensure_demo(services) if demo else None
        runtime = Runtime(services)
    except BaseException:
        await close_services(services)
        raise

    def ready(rt: Runtime) -> None:
        bound = {name: [format_address(a) for a in found] for name, found in rt.addresses().items()}
        _announce(settings, services.backend, bound, list(rt.pending_listeners()), seeded, as_json=as_json)

    await runtime.run_until_signalled(ready)
    print("stopped" if not as_json else json.dumps({"event": "stopped"}), flush=True)


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _announce(
    settings: Settings,
    backend: str,
    bound: dict[str, list[str]],
    pending: list[str],
    demo: Demo | None,
    *,
    as_json: bool,
    processes: int = 1,
) -> None:
    urls = web_urls(bound)
    if as_json:
        event = {
            "event": "ready",
            "version": yunmail.__version__,
            "listeners": bound,
            "pending": pending,
            "processes": processes,
            "demo": to_jsonable(demo) if demo else None,
            "urls": urls,
        }
        print(json.dumps(event, ensure_ascii=False), flush=True)
        return
    lines = [
        f"Yunmail {yunmail.__version__} on {settings.hostname}",
        f"  data:      {settings.data_dir}",
        f"  storage:   {backend}",
        f"  processes: {processes}",
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
        lines += ["", "Web:"]
        console_rows = [("webmail", urls["webmail"], "(the member logins above)", "")]
        console_rows += [(c.console, urls[c.console], c.login, c.password) for c in demo.consoles]
        table = table_text(("PORTAL", "URL", "LOGIN", "PASSWORD"), console_rows)
        lines += ["  " + line for line in table.splitlines()]
        lines.append("  (demo passwords are public: never use --demo on a server others can reach)")
    lines += ["", "ready: press Ctrl+C to stop"]
    print("\n".join(lines), flush=True)


def web_urls(bound: dict[str, list[str]]) -> dict[str, str]:
    """Webmail and console URLs on the first http listener (wildcard hosts shown as loopback)."""
    base = "http://127.0.0.1:8080"
    addresses = bound.get("http") or []
    if addresses:
        host, port = parse_host_port(addresses[0])
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
        base = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    return {"webmail": f"{base}/", "admin": f"{base}/admin/", "operator": f"{base}/operator/"}
