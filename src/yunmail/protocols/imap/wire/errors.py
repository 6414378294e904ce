"""The one exception the IMAP codec raises: `WireError`, a syntax or limit failure the session answers.

A `WireError` carries what the session needs to answer without re-reading the input: the command
tag (when it could be read), the command name, the status to answer with (``BAD`` for syntax and
limits, ``NO`` for e.g. ``[BADCHARSET]``, RFC 9051 §6.4.4) and an optional response code
(``[TOOBIG]``, ``[LIMIT]``, ``[BADCHARSET (...)]``, ``[CLIENTBUG]``). It is an `InvalidInput`
from the catalogue, so generic handlers still recognise it as the client's fault.
"""

from __future__ import annotations

from typing import Literal

from yunmail.errors import InvalidInput
from yunmail.protocols.imap.wire.codes import ResponseCode

Status = Literal["BAD", "NO"]


class WireError(InvalidInput):
    """The input is not valid IMAP, or it exceeds a configured limit.

    ``message`` is short English text safe to put in a response line (no CR/LF). ``tag`` is
    ``None`` when the tag itself could not be read; the session then answers untagged
    (``* BAD ...``, RFC 9051 §7.1.3).
    """

    code = "IMAP_SYNTAX"
    en = "Invalid IMAP command: {detail}"
    zh = "IMAP 命令无效：{detail}"

    def __init__(
        self,
        message: str,
        *,
        tag: str | None = None,
        command: str | None = None,
        response_code: ResponseCode | None = None,
        status: Status = "BAD",
    ) -> None:
        clean = " ".join(message.split())
        super().__init__(detail=clean)
        self.message = clean
        self.tag = tag
        self.command = command
        self.response_code = response_code
        self.status: Status = status

    def with_context(self, *, tag: str | None, command: str | None) -> WireError:
        """Return this error with the tag and command filled in where they are still unknown."""
        if (self.tag is not None or tag is None) and (self.command is not None or command is None):
            return self
        err = WireError(
            self.message,
            tag=self.tag if self.tag is not None else tag,
            command=self.command if self.command is not None else command,
            response_code=self.response_code,
            status=self.status,
        )
        err.__cause__ = self.__cause__
        return err

    def __repr__(self) -> str:
        return (
            f"WireError({self.message!r}, tag={self.tag!r}, command={self.command!r}, "
            f"response_code={self.response_code!r}, status={self.status!r})"
        )
