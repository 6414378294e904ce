"""IMAP command handlers, one module per RFC command family, and the `Outcome` they return.

A handler is ``async def handler(session, command) -> Outcome | None``: it writes untagged
responses through the session and returns the tagged status, or ``None`` when it already wrote
the tagged line itself (STARTTLS, COMPRESS, LOGOUT, IDLE, AUTHENTICATE). Handlers raise catalogue
errors for refusals; `session` maps them to ``NO [code] text`` in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yunmail.protocols.imap.wire.codes import ResponseCode


@dataclass(frozen=True, slots=True)
class Outcome:
    """The tagged response of a command (the tag comes from the command)."""

    status: Literal["OK", "NO", "BAD"] = "OK"
    text: str = "completed"
    code: ResponseCode | None = None


class CloseConnection(Exception):
    """Raised by a handler after it wrote BYE: the session flushes and ends."""


def ok(text: str = "completed", code: ResponseCode | None = None) -> Outcome:
    return Outcome("OK", text, code)


def no(text: str, code: ResponseCode | None = None) -> Outcome:
    return Outcome("NO", text, code)


def bad(text: str, code: ResponseCode | None = None) -> Outcome:
    return Outcome("BAD", text, code)
