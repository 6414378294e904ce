"""POP3 server fuzzing: generated lines before and after login; replies stay well formed, nothing crashes.

The ``pop3`` fixture asserts at teardown that no session hit an unhandled exception.
"""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.budgets import examples
from support.mailstore import make_message

KEYWORDS = [
    "USER",
    "PASS",
    "APOP",
    "AUTH",
    "STLS",
    "CAPA",
    "STAT",
    "LIST",
    "UIDL",
    "RETR",
    "TOP",
    "DELE",
    "RSET",
    "NOOP",
    "QUIT",
    "XTND",
]
ARGS = [
    "1",
    "2",
    "0",
    "-1",
    "99999999999999999999",
    "PLAIN",
    "*",
    "=",
    "AGFsaWNlAHg=",
    "x y",
    "",
    "\x00",
    "é",
]
structured = st.builds(
    lambda kw, args: f"{kw} {' '.join(args)}".encode("utf-8", "surrogatepass"),
    st.sampled_from(KEYWORDS),
    st.lists(st.sampled_from(ARGS), max_size=3),
)
lines = st.lists(st.one_of(structured, structured, st.binary(max_size=120)), min_size=1, max_size=5)
FUZZ = settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def run_case(pop3, login: bool, data: list[bytes]) -> None:
    client = await pop3.client(login=login)
    client.writer.write(b"\r\n".join(d.replace(b"\n", b" ") for d in data) + b"\r\n")
    await client.writer.drain()
    client.writer.write_eof()
    replies = []
    while True:
        line = await asyncio.wait_for(client.reader.readline(), 30)
        if not line:
            break
        replies.append(line)
    client.writer.close()
    # Multi-line bodies hold message text; status lines and continuations are the only other lines.
    assert all(r.endswith(b"\r\n") for r in replies)


@FUZZ
@given(data=lines)
async def test_fuzz_authorization(pop3, data: list[bytes]) -> None:
    await run_case(pop3, False, data)


@FUZZ
@given(data=lines)
async def test_fuzz_transaction(pop3, data: list[bytes]) -> None:
    if (await pop3.store.status(pop3.mailbox_id, "INBOX")).messages < 2:
        await pop3.deliver(make_message("fuzz"))
        await pop3.deliver(b"Subject: dots\r\n\r\n.\r\n..\r\n")
    await run_case(pop3, True, data)
