"""Platform operator accounts from the command line: ``yunmail operator create LOGIN [--password PW]``.

Creating the first operator is only possible here (the operator console needs one to log in).
Without ``--password`` a random policy-conforming password is generated and printed once.
"""

from __future__ import annotations

import argparse

from yunmail.cli.commands_admin import ACTOR, AdminCommand, generate_password
from yunmail.cli.output import CommandResult, fields_text, when
from yunmail.services import Services


async def operator_create(services: Services, args: argparse.Namespace) -> CommandResult:
    password = args.password if args.password is not None else generate_password()
    operator = await services.auth.operators.create(args.login, password, actor=ACTOR)
    data: dict[str, object] = {"operator": operator}
    pairs: list[tuple[str, object]] = [
        ("login", operator.login),
        ("status", operator.status),
        ("created", when(operator.created_at)),
    ]
    if args.password is None:
        data["password"] = password
        pairs.append(("password", f"{password}  (shown once)"))
    return CommandResult(data, "created operator\n" + fields_text(pairs))


COMMANDS: dict[tuple[str, str], AdminCommand] = {
    ("operator", "create"): operator_create,
}
