"""Keywords and FLAGS: a keyword is announced in ``* FLAGS`` (and PERMANENTFLAGS) before any FETCH shows it.

RFC 3501 §7.2.6 / RFC 9051 §7.3.5: FLAGS lists the flags defined in the mailbox, and a client may
reject a keyword in FETCH that no FLAGS response defined (imaptest: "keyword used without being in
FLAGS"). Every session that has the mailbox selected must hear the new FLAGS first: the one doing
the STORE, sessions learning it through NOOP or IDLE, and sessions fetching it before their view
caught up.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from support.imap import ImapEnv, ImapTestClient, Lit, tokenize
from support.mailstore import make_message

_FETCH = re.compile(rb"^\* \d+ FETCH ", re.IGNORECASE)


def check_announced(lines: list[bytes], known: set[str]) -> set[str]:
    """Walk untagged lines in order like a strict client: FLAGS defines keywords, FETCH may only use
    defined ones. Returns the keywords known afterwards; fails on the first undefined keyword."""
    for line in lines:
        tokens = tokenize(line)
        if len(tokens) >= 3 and str(tokens[1]).upper() == "FLAGS":
            known = {f.lower() for f in _raw_flags(line)}
        elif _FETCH.match(line):
            for flag in _fetch_flags(line):
                assert flag.startswith("\\") or flag.lower() in known, (flag, line, known)
    return known


def _raw_flags(line: bytes) -> list[str]:
    """Flag atoms of ``* FLAGS (...)`` as sent (the test tokenizer would turn an atom NIL into None)."""
    inner = line[line.index(b"(") + 1 : line.index(b")")]
    return inner.decode().split()


def _fetch_flags(line: bytes) -> list[str]:
    m = re.search(rb"FLAGS \(([^)]*)\)", line)
    return m.group(1).decode().split() if m else []


async def select_with_flags(client: ImapTestClient) -> set[str]:
    result = await client.select()
    return check_announced(result.untagged, set())


@pytest.fixture
async def both(imap: ImapEnv, actor: ImapTestClient, observer: ImapTestClient) -> tuple[set[str], set[str]]:
    await imap.deliver(make_message("a"))
    await imap.deliver(make_message("b"))
    return await select_with_flags(actor), await select_with_flags(observer)


async def test_store_of_a_new_keyword_sends_flags_before_its_fetch(
    actor: ImapTestClient, both: tuple[set[str], set[str]]
) -> None:
    result = await actor.expect("OK", "STORE 1 +FLAGS ($Project)")
    kinds = [tokenize(line)[1:3] for line in result.untagged]
    assert [k[0] for k in kinds[:2]] == ["FLAGS", "OK"] and kinds[2][1] == "FETCH"
    assert "$project" in check_announced(result.untagged, both[0])
    assert b"$Project \\*)]" in result.untagged[1]  # RFC 9051 §7.1 PERMANENTFLAGS lists it too


async def test_store_of_a_known_keyword_sends_no_flags(
    actor: ImapTestClient, both: tuple[set[str], set[str]]
) -> None:
    await actor.expect("OK", "STORE 1 +FLAGS ($Project)")
    result = await actor.expect("OK", "STORE 2 +FLAGS ($project)")
    assert result.data("FLAGS") == []


async def test_observer_hears_flags_before_the_fetch_on_noop(
    actor: ImapTestClient, observer: ImapTestClient, both: tuple[set[str], set[str]]
) -> None:
    await actor.expect("OK", "STORE 2 +FLAGS ($Later)")
    result = await observer.expect("OK", "NOOP")
    assert "$later" in check_announced(result.untagged, both[1])
    assert result.fetch()[2]["FLAGS"] == ["$Later"]  # the actor selected first: \\Recent is its own


async def test_observer_fetching_before_catching_up_gets_flags_first(
    actor: ImapTestClient, observer: ImapTestClient, both: tuple[set[str], set[str]]
) -> None:
    await actor.expect("OK", "STORE 1 +FLAGS ($Early)")
    result = await observer.expect("OK", "FETCH 1 FLAGS")
    assert "$early" in check_announced(result.untagged, both[1])


async def test_idling_observer_hears_flags_before_the_fetch(
    actor: ImapTestClient, observer: ImapTestClient, both: tuple[set[str], set[str]]
) -> None:
    await observer.idle_start()
    await actor.expect("OK", "STORE 1 +FLAGS ($Idle)")
    lines = [await observer.read_line()]
    while not _FETCH.match(lines[-1]):
        lines.append(await observer.read_line())
    await observer.idle_done()
    assert "$idle" in check_announced(lines, both[1])


async def test_keyword_nil_is_announced_and_sent_as_an_atom(
    imap: ImapEnv, actor: ImapTestClient, both: tuple[set[str], set[str]]
) -> None:
    """``NIL`` is a valid keyword atom (RFC 3501 §9 flag-keyword = atom); it must not be dropped."""
    result = await actor.expect("OK", "STORE 1 +FLAGS (NIL)")
    flags_line = next(line for line in result.untagged if line.upper().startswith(b"* FLAGS"))
    assert "NIL" in _raw_flags(flags_line)
    fetch_line = next(line for line in result.untagged if _FETCH.match(line))
    assert "NIL" in _fetch_flags(fetch_line)
    check_announced(result.untagged, both[0])


async def test_append_of_a_message_with_a_new_keyword_is_announced_before_its_fetch(
    actor: ImapTestClient, both: tuple[set[str], set[str]]
) -> None:
    result = await actor.expect("OK", "APPEND INBOX ($Fresh) ", Lit(make_message("c")))
    known = check_announced(result.untagged, both[0])
    fetched = await actor.expect("OK", "FETCH 3 FLAGS")
    assert "$fresh" in check_announced(fetched.untagged, known)


async def test_concurrent_sessions_storing_new_keywords_each_see_flags_first(imap: ImapEnv) -> None:
    """Several sessions STORE keywords new to the mailbox at once; every session's stream of untagged
    responses, read as a strict client would, never shows a keyword before FLAGS defined it."""
    for i in range(3):
        await imap.deliver(make_message(f"m{i}"))
    clients = [await imap.client() for _ in range(4)]
    try:
        known = [await select_with_flags(c) for c in clients]

        async def work(n: int) -> None:
            client = clients[n]
            for k in range(4):
                result = await client.expect("OK", f"STORE {k % 3 + 1} +FLAGS ($K{n}x{k})")
                known[n] = check_announced(result.untagged, known[n])
                result = await client.expect("OK", "NOOP")
                known[n] = check_announced(result.untagged, known[n])

        await asyncio.gather(*(work(n) for n in range(len(clients))))
        for n, client in enumerate(clients):
            result = await client.expect("OK", "FETCH 1:* FLAGS")
            known[n] = check_announced(result.untagged, known[n])
            assert {f"$k{m}x{k}" for m in range(4) for k in range(4)} <= known[n]
    finally:
        for client in clients:
            await client.close()
