"""Server fuzzing (mox ``FuzzServer``): generated command lines in each connection state.

The property: whatever arrives, the server answers with well-formed response lines and, once the
client half-closes, closes the connection cleanly. The ``imap`` fixture additionally asserts at
teardown that no session hit an unhandled exception.
"""

from __future__ import annotations

import asyncio
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.budgets import examples
from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message

COMMANDS = [
    "CAPABILITY",
    "NOOP",
    "LOGOUT",
    "ID",
    "ENABLE",
    "STARTTLS",
    "AUTHENTICATE",
    "LOGIN",
    "SELECT",
    "EXAMINE",
    "CREATE",
    "DELETE",
    "RENAME",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "LIST",
    "LSUB",
    "NAMESPACE",
    "STATUS",
    "APPEND",
    "IDLE",
    "CHECK",
    "CLOSE",
    "UNSELECT",
    "EXPUNGE",
    "SEARCH",
    "FETCH",
    "STORE",
    "COPY",
    "MOVE",
    "UID FETCH",
    "UID STORE",
    "UID SEARCH",
    "UID COPY",
    "UID MOVE",
    "UID EXPUNGE",
    "SORT",
    "THREAD",
    "GETQUOTA",
    "GETQUOTAROOT",
    "SETQUOTA",
    "COMPRESS",
]
ARGS = [
    "INBOX",
    "Trash",
    '""',
    '"a b"',
    "*",
    "%",
    "1",
    "1:*",
    "*:2",
    "$",
    "0",
    "4294967296",
    "(",
    ")",
    "()",
    "(FLAGS)",
    "BODY[]",
    "BODY.PEEK[1.2.HEADER.FIELDS (FROM)]<0.10>",
    "BINARY[1]",
    "ALL",
    "FULL",
    "+FLAGS",
    "FLAGS.SILENT",
    "(\\Seen)",
    "(\\Bogus $kw)",
    "UID",
    "CHARSET",
    "UTF-8",
    "KOI9",
    "TEXT",
    "OR",
    "NOT",
    "HEADER",
    "X",
    "SINCE",
    "1-Jan-2026",
    "(CONDSTORE)",
    "(QRESYNC (1 1))",
    "RETURN",
    "(MIN MAX SAVE)",
    "{3}\r\nabc",
    "{0}\r\n",
    "~{2}\r\nab",
    "{2+}\r\nxy",
    "{99}",
    "PLAIN",
    "=",
    "\\",
    '"unterminated',
    "DEFLATE",
    "(REVERSE DATE)",
    "REFERENCES",
    "(STORAGE 1)",
    "CHANGEDSINCE",
    "(UNCHANGEDSINCE 1)",
    "MODSEQ",
    "&Jjo-",
    "&bad",
    "NIL",
]
_RESPONSE = re.compile(rb"^(\* |\+|[^ +*\r\n]+ (OK|NO|BAD)\b)")

structured = st.builds(
    lambda tag, command, args: f"{tag} {command} {' '.join(args)}".encode(),
    st.sampled_from(["a", "b1", "*", "+", "x.y", ""]),
    st.sampled_from(COMMANDS),
    st.lists(st.sampled_from(ARGS), max_size=6),
)
raw = st.binary(max_size=200)
lines = st.lists(st.one_of(structured, structured, raw), min_size=1, max_size=4)

FUZZ = settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def session_in(imap: ImapEnv, state: str) -> ImapTestClient:
    client = await imap.client(login=state != "not_authenticated")
    if state in ("selected", "idle"):
        await client.select()
    if state == "idle":
        await client.idle_start()
    return client


async def feed_and_close(client: ImapTestClient, data: list[bytes]) -> list[bytes]:
    """Send everything, half-close, and read complete responses (literals inlined) until EOF."""
    client.send(b"\r\n".join(data) + b"\r\n")
    await client.writer.drain()
    client.writer.write_eof()
    replies: list[bytes] = []
    while True:
        try:
            replies.append(await asyncio.wait_for(client.read_line(), 30))
        except ConnectionResetError:
            break
    client.writer.close()
    return replies


async def run_case(imap: ImapEnv, state: str, data: list[bytes]) -> None:
    client = await session_in(imap, state)
    replies = await feed_and_close(client, data)
    assert all(_RESPONSE.match(line) for line in replies), replies


@FUZZ
@given(data=lines)
async def test_fuzz_not_authenticated(imap: ImapEnv, data: list[bytes]) -> None:
    await run_case(imap, "not_authenticated", data)


@FUZZ
@given(data=lines)
async def test_fuzz_authenticated(imap: ImapEnv, data: list[bytes]) -> None:
    await run_case(imap, "authenticated", data)


@FUZZ
@given(data=lines)
async def test_fuzz_selected(imap: ImapEnv, data: list[bytes]) -> None:
    if (await imap.store.status(imap.mailbox_id, "INBOX")).messages < 2:
        await imap.deliver(make_message("fuzz one"))
        await imap.deliver(make_message("fuzz two"), flags=("\\Seen",))
    await run_case(imap, "selected", data)


@FUZZ
@given(data=lines)
async def test_fuzz_idle(imap: ImapEnv, data: list[bytes]) -> None:
    await run_case(imap, "idle", data)
