"""Operator accounts for the console tests: created through the auth service, with a live session."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from support.server import RunningServer
from yunmail.auth import Principal

OPERATOR_PASSWORD = "Operator-Pass-2026"
_serial = count(1)


@dataclass(frozen=True, slots=True)
class OperatorAccount:
    login: str
    password: str
    token: str  # a live ``ym_operator`` session
    principal: Principal


async def make_operator(server: RunningServer) -> OperatorAccount:
    """A new operator and a console session for it."""
    login = f"ops{next(_serial)}@platform.test"
    operator = await server.services.auth.operators.create(login, OPERATOR_PASSWORD)
    principal = operator.principal()
    token = await server.services.auth.sessions.create(principal)
    return OperatorAccount(operator.login, OPERATOR_PASSWORD, token, principal)
