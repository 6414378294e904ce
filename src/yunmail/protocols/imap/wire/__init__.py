"""The sans-IO IMAP codec: framing, command parsing and response rendering, with no I/O and no asyncio.

Only the standard library and ``yunmail.errors`` are imported (DESIGN.md §3 rule 4). The session
feeds socket bytes to a `Framer`, answers `LiteralAnnounced` with a continuation, parses each
`CommandReceived` with `parse_command`, and writes `responses` objects' ``to_bytes()``. Every
input problem surfaces as one exception type, `WireError`, which `error_response` turns into the
``tag BAD ...`` (or ``* BAD``) line.

Modules: `tokenizer` (framing, lexing), `commands` (command dataclasses), `command_parser`
(bytes -> command), `arguments` (argument grammar several commands share: mailbox names, flags,
date-time), `sequence_set`, `search_keys`, `fetch_items`, `values` (atom / quoted / literal
choice), `codes` (response codes), `responses`, `utf7` (modified UTF-7 names).

Implementation notes (invariants):

* Parsing is total: `Framer.next_event` and `parse_command` return a value or raise `WireError`,
  never another exception, for any bytes; nesting is bounded by ``max_depth``.
* A command is parsed once, after framing; the framer never re-parses (pymap's O(n²) literal
  restart is the counter-example).
* Rendering never emits a bare CR or LF outside a literal, and a literal's announced length is
  always its real length.
"""

from yunmail.protocols.imap.wire import codes, commands, responses, search_keys
from yunmail.protocols.imap.wire.arguments import parse_idle_done, parse_sasl_response
from yunmail.protocols.imap.wire.codes import ResponseCode
from yunmail.protocols.imap.wire.command_parser import parse_command
from yunmail.protocols.imap.wire.commands import Command
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.fetch_items import FetchItem, parse_fetch_items
from yunmail.protocols.imap.wire.responses import error_response, render
from yunmail.protocols.imap.wire.search_keys import SearchKey, parse_search, render_search
from yunmail.protocols.imap.wire.sequence_set import SequenceSet
from yunmail.protocols.imap.wire.tokenizer import (
    CommandReceived,
    Framer,
    Limits,
    LineReceived,
    LiteralAnnounced,
    NonSync,
)

__all__ = [
    "Command",
    "CommandReceived",
    "FetchItem",
    "Framer",
    "Limits",
    "LineReceived",
    "LiteralAnnounced",
    "NonSync",
    "ResponseCode",
    "SearchKey",
    "SequenceSet",
    "WireError",
    "codes",
    "commands",
    "error_response",
    "parse_command",
    "parse_fetch_items",
    "parse_idle_done",
    "parse_sasl_response",
    "parse_search",
    "render",
    "render_search",
    "responses",
    "search_keys",
]
