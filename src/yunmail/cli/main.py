"""The ``yunmail`` command line: argument parsing, config lookup, dispatch and the exit-code contract.

Commands and flags are a stable interface (DESIGN §6). Every command accepts ``--config FILE``
(default ``$YUNMAIL_CONFIG``, then ``./yunmail.toml``) and ``--json``, before or after the command
name. Exit codes: 0 success; 1 a catalogue error (``--json`` prints ``{"code", "message"}`` on
stdout); 2 a usage error. Messages are Chinese when ``YUNMAIL_LANG``/``LANG`` starts with ``zh``.

Commands never touch storage: they build ``Services`` through the runtime and call services.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import yunmail
from yunmail.cli import commands_admin, commands_init, commands_operator, commands_serve
from yunmail.cli.output import CommandResult, print_error, print_result
from yunmail.config import Settings, load_settings
from yunmail.errors import ConfigInvalid, InvalidInput, YunmailError
from yunmail.runtime import open_services

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
DEFAULT_CONFIG = "yunmail.toml"


class _UsageError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    """Raises instead of exiting so ``main`` can answer usage errors in JSON too."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self, message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="yunmail", description="Yunmail: self-hosted multi-tenant enterprise e-mail.")
    parser.add_argument("--version", action="version", version=f"yunmail {yunmail.__version__}")
    _add_common(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    common = _Parser(add_help=False)
    _add_common(common, top_level=False)

    def sub(group: argparse._SubParsersAction[_Parser], name: str, help_text: str) -> _Parser:
        return group.add_parser(name, help=help_text, description=help_text, parents=[common])

    init = sub(commands, "init", "create a data directory: config file, TLS certificate, database")
    init.add_argument("--data-dir", default="data", metavar="DIR", help="where to create it (default: data)")
    init.add_argument("--hostname", metavar="HOST", help="MX/HELO name and certificate name")
    init.add_argument("--force", action="store_true", help="overwrite an existing config file")

    serve = sub(commands, "serve", "run every listener and background worker until SIGTERM/SIGINT")
    serve.add_argument("--demo", action="store_true", help="create a demo enterprise and print its logins")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--log-json", action="store_true", help="one JSON object per log line (stderr)")
    serve.add_argument(
        "--processes",
        type=int,
        default=None,
        help="serving processes sharing the listeners (default: [server] processes; 0 = one per core)",
    )

    enterprise = sub(commands, "enterprise", "enterprises (tenants)").add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    create = sub(enterprise, "create", "create an enterprise")
    create.add_argument("name")
    create.add_argument("--org", required=True, metavar="ORG_ID", help="organisation identifier (immutable)")
    listing = sub(enterprise, "list", "list enterprises")
    _add_paging(listing)
    sub(enterprise, "show", "show one enterprise").add_argument("org_id")

    domain = sub(commands, "domain", "mail domains of an enterprise").add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    add = sub(domain, "add", "add a mail domain")
    _add_org_domain(add)
    add.add_argument("--mode", default="full", metavar="{full,ownership}", help="verification mode")
    add.add_argument("--trust", action="store_true", help="mark verified without checking DNS")
    sub(domain, "list", "list an enterprise's domains").add_argument("org_id")
    _add_org_domain(sub(domain, "records", "the DNS records to publish"))
    _add_org_domain(sub(domain, "check", "check the DNS records now"))

    member = sub(commands, "member", "members (people with a login)").add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    add = sub(member, "add", "add a member")
    _add_org_account(add)
    add.add_argument("--name", required=True, help="the person's name")
    add.add_argument("--password", metavar="PW", help="initial password (default: generated and printed)")
    add.add_argument("--phone", metavar="P")
    add.add_argument("--email", metavar="E", help="contact e-mail address")
    add.add_argument("--department", metavar="PATH", help="e.g. R&D/Team, created when missing")
    listing = sub(member, "list", "list an enterprise's members")
    listing.add_argument("org_id")
    _add_paging(listing)
    for action, text in (
        ("show", "show one member"),
        ("disable", "disable a member (keeps its data)"),
        ("enable", "enable a disabled member"),
        ("delete", "delete a disabled member; its mailbox goes to the recycle bin"),
    ):
        _add_org_account(sub(member, action, text))

    mailbox = sub(commands, "mailbox", "mailboxes and the recycle bin").add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    opening = sub(mailbox, "open", "open a member's mailbox")
    _add_org_account(opening)
    opening.add_argument("--address", help="full address (default: name in pinyin @ the only domain)")
    for action, text in (
        ("close", "move a mailbox to the recycle bin"),
        ("restore", "bring a mailbox back from the recycle bin"),
        ("purge", "delete a recycled mailbox and its mail for good"),
    ):
        target = sub(mailbox, action, text)
        target.add_argument("org_id")
        target.add_argument("address")
    listing = sub(mailbox, "list", "list an enterprise's mailboxes")
    listing.add_argument("org_id")
    listing.add_argument("--status", choices=["open", "recycled"])

    operator = sub(commands, "operator", "platform operators (operator console logins)").add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=_Parser
    )
    create = sub(operator, "create", "create an operator")
    create.add_argument("login", help="3-254 letters, digits and _ . - + @")
    create.add_argument("--password", metavar="PW", help="password (default: generated and printed)")
    return parser


def _add_common(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    # Sub-command copies default to SUPPRESS so they do not reset a value given before the command.
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None if top_level else argparse.SUPPRESS,
        help="config file (default: $YUNMAIL_CONFIG, then ./yunmail.toml)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if top_level else argparse.SUPPRESS,
        help="machine-readable output; errors as {code, message}",
    )


def _add_org_domain(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("org_id")
    parser.add_argument("domain")


def _add_org_account(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("org_id")
    parser.add_argument("account", help="login account (the part before @org)")


def _add_paging(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--search", metavar="TERM")
    parser.add_argument("--limit", type=int, default=100)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    lang = language()
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except _UsageError as exc:
        if "--json" in arguments:
            print_error(InvalidInput(detail=str(exc)), as_json=True, lang=lang)
        else:
            exc.parser.print_usage(sys.stderr)
            sys.stderr.write(f"{exc.parser.prog}: error: {exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args.lang = lang
    try:
        return _dispatch(args)
    except YunmailError as exc:
        print_error(exc, as_json=args.json, lang=lang)
        return EXIT_ERROR
    except KeyboardInterrupt:  # Ctrl+C before a server installed its own handler
        return EXIT_INTERRUPTED
    except Exception:
        # A bug, not a user error: keep the traceback, answer in the usual shape.
        traceback.print_exc()
        print_error(YunmailError(), as_json=args.json, lang=lang)
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    result: CommandResult
    if args.command == "init":
        result = commands_init.init(args)
    elif args.command == "serve":
        return commands_serve.serve(load_config(args.config), args)
    else:
        command = {**commands_admin.COMMANDS, **commands_operator.COMMANDS}[(args.command, args.action)]
        result = asyncio.run(_run_admin(load_config(args.config), command, args))
    print_result(result, as_json=args.json)
    return EXIT_OK


async def _run_admin(
    settings: Settings, command: commands_admin.AdminCommand, args: argparse.Namespace
) -> CommandResult:
    async with open_services(settings) as services:
        return await command(services, args)


def load_config(explicit: str | None) -> Settings:
    """Settings from ``--config``, else ``$YUNMAIL_CONFIG``, else ``./yunmail.toml``."""
    path = Path(explicit or os.environ.get("YUNMAIL_CONFIG") or DEFAULT_CONFIG)
    if not path.exists():
        raise ConfigInvalid(detail=f"config file {path} not found; run 'yunmail init' or pass --config FILE")
    return load_settings(path)


def language() -> str:
    for name in ("YUNMAIL_LANG", "LC_ALL", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
