"""SORT keys and THREAD=REFERENCES details: RFC 5256 §2.1 base subjects, address keys, RFC 5957
display keys, and the REFERENCES subject grouping and sibling order (RFC 5256 §3)."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message
from yunmail.protocols.imap.commands.sort_thread import extract_subject


@pytest.mark.parametrize(
    ("subject", "base"),
    [
        ("[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)", "b"),
        ("Re: [FWD: c]", "c"),
        ("[xyz]", "[xyz]"),
        ("b (a)", "b (a)"),
        ("re: Re:  budget", "budget"),
        ("[list] topic", "topic"),
        ("Re:", ""),
    ],
)
def test_base_subject_follows_rfc5256_section_2_1(subject: str, base: str) -> None:
    assert extract_subject(subject).base == base


def test_base_subject_knows_replies_and_forwards() -> None:
    """RFC 5256 §3 REFERENCES step 5 needs to know whether a subject was a reply or forward."""
    assert extract_subject("Fw: x").reply
    assert extract_subject("x (fwd)").reply
    assert not extract_subject("[list] x").reply


async def sort(client: ImapTestClient, criteria: str) -> list[int]:
    result = await client.expect("OK", f"SORT ({criteria}) UTF-8 ALL")
    return [int(n) for n in result.data("SORT")[0]]


async def test_subject_sort_compares_upper_cased_text(imap: ImapEnv, actor: ImapTestClient) -> None:
    """i;unicode-casemap (RFC 5051, RFC 5256 §2.2) compares title case: "_" sorts after letters."""
    for subject in ("_", "[xyz]", "b", "A"):
        await imap.deliver(make_message(subject))
    await actor.select()
    assert await sort(actor, "SUBJECT") == [4, 3, 2, 1]


async def test_reverse_keeps_ties_in_sequence_order(imap: ImapEnv, actor: ImapTestClient) -> None:
    """RFC 5256 §3: REVERSE reverses the key; equal messages stay in sequence order."""
    for subject in ("b", "a", "b"):
        await imap.deliver(make_message(subject))
    await actor.select()
    assert await sort(actor, "REVERSE SUBJECT") == [1, 3, 2]


async def test_to_sort_uses_a_groups_name_as_the_first_mailbox(imap: ImapEnv, actor: ImapTestClient) -> None:
    """RFC 5256 §3 TO: addr-mailbox of the first address; a group start carries its name there."""
    await imap.deliver(make_message("1", to="zed@example.org"))
    await imap.deliver(make_message("2", to="team: zz@example.org;"))
    await imap.deliver(make_message("3", to="Zorro <anna@example.org>"))
    await actor.select()
    assert await sort(actor, "TO") == [3, 2, 1]


async def test_displayfrom_sorts_by_decoded_name_or_address(imap: ImapEnv, actor: ImapTestClient) -> None:
    """RFC 5957 §3: the display name if there is one, else the addr-spec."""
    await imap.deliver(make_message("1", sender="=?UTF-8?Q?Zoe?= <a@example.org>"))
    await imap.deliver(make_message("2", sender="m@example.org"))
    await imap.deliver(make_message("3", sender="Bob <z@example.org>"))
    await actor.select()
    assert await sort(actor, "DISPLAYFROM") == [3, 2, 1]


async def test_date_sort_falls_back_to_the_internal_date(imap: ImapEnv, actor: ImapTestClient) -> None:
    """RFC 5256 §3 DATE: without a usable Date:, the internal date is used."""
    await imap.deliver(make_message("1", date="Mon, 05 Jan 2099 08:00:00 +0000"))
    await imap.deliver(make_message("2", date="garbage"))
    await imap.deliver(make_message("3", date="Mon, 05 Jan 1998 08:00:00 +0000"))
    await actor.select()
    assert await sort(actor, "DATE") == [3, 2, 1]


async def test_thread_groups_roots_by_base_subject(imap: ImapEnv, actor: ImapTestClient) -> None:
    """RFC 5256 §3 REFERENCES step 5: a reply without references joins the thread of its subject."""
    await imap.deliver(make_message("Plan", date="Mon, 05 Jan 2026 08:00:00 +0000"))
    await imap.deliver(make_message("Other", date="Tue, 06 Jan 2026 08:00:00 +0000"))
    await imap.deliver(make_message("Re: Plan", date="Wed, 07 Jan 2026 08:00:00 +0000"))
    await actor.select()
    result = await actor.expect("OK", "THREAD REFERENCES UTF-8 ALL")
    assert result.untagged == [b"* THREAD (1 3)(2)"]


async def test_thread_keeps_a_placeholder_for_a_missing_shared_parent(
    imap: ImapEnv, actor: ImapTestClient
) -> None:
    """RFC 5256 §3 REFERENCES step 3: a root placeholder with several children stays."""
    for n in (1, 2):
        extra = b"References: <gone@x>\r\n"
        await imap.deliver(make_message(f"topic {n}", message_id=f"<k{n}@x>", extra=extra))
    await actor.select()
    result = await actor.expect("OK", "THREAD REFERENCES UTF-8 ALL")
    assert result.untagged == [b"* THREAD ((1)(2))"]
