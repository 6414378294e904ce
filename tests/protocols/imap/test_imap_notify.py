"""NOTIFY (RFC 5465): event groups for the selected mailbox and other folders, sent without polling."""

from __future__ import annotations

import pytest

from support.imap import ImapEnv, ImapTestClient
from support.mailstore import make_message

WATCH_ALL = (
    "NOTIFY SET (SELECTED (MessageNew MessageExpunge FlagChange))"
    " (PERSONAL (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange))"
)


async def next_untagged(client: ImapTestClient, prefix: bytes) -> bytes:
    """The next unsolicited line starting with ``prefix`` (others are skipped)."""
    while True:
        line = await client.read_line()
        if line.upper().startswith(prefix.upper()):
            return line


async def test_notify_is_advertised(actor: ImapTestClient) -> None:
    assert b"NOTIFY" in (await actor.expect("OK", "CAPABILITY")).untagged[0].split()


async def test_set_status_reports_the_watched_folders_at_once(imap: ImapEnv, actor: ImapTestClient) -> None:
    """RFC 5465 §3: with STATUS the server sends the current state of each watched mailbox."""
    await imap.deliver(make_message(), folder="Drafts")
    drafts = await imap.store.get_folder(imap.mailbox_id, "Drafts")
    result = await actor.expect("OK", "NOTIFY SET STATUS (MAILBOXES Drafts (MessageNew MessageExpunge))")
    assert result.data("STATUS") == [
        [b"Drafts", ["MESSAGES", "1", "UIDNEXT", "2", "UIDVALIDITY", str(drafts.uidvalidity)]]
    ]


async def test_set_status_with_flagchange_adds_highestmodseq(imap: ImapEnv, actor: ImapTestClient) -> None:
    result = await actor.expect(
        "OK", "NOTIFY SET STATUS (MAILBOXES Drafts (MessageNew MessageExpunge FlagChange))"
    )
    assert "HIGHESTMODSEQ" in result.data("STATUS")[0][1]


async def test_set_without_status_sends_no_status(actor: ImapTestClient) -> None:
    result = await actor.expect("OK", "NOTIFY SET (MAILBOXES Drafts (MessageNew MessageExpunge))")
    assert result.data("STATUS") == []


async def test_new_mail_in_another_folder_arrives_as_status_while_waiting(
    imap: ImapEnv, actor: ImapTestClient
) -> None:
    await actor.expect("OK", "NOTIFY SET (INBOXES (MessageNew MessageExpunge))")
    await imap.deliver(make_message("arrived"))
    line = await next_untagged(actor, b"* STATUS")
    assert line.startswith(b'* STATUS "INBOX" (MESSAGES 1 UIDNEXT 2 ')


async def test_selected_mailbox_changes_arrive_without_a_command(
    imap: ImapEnv, actor: ImapTestClient
) -> None:
    """RFC 5465 §5.2: with SELECTED, new messages are announced as EXISTS as soon as they arrive."""
    await actor.select()
    await actor.expect("OK", WATCH_ALL)
    await imap.deliver(make_message("live"))
    assert await next_untagged(actor, b"* 1 EXISTS") == b"* 1 EXISTS"


async def test_messagenew_with_fetch_attributes_sends_a_fetch_after_exists(
    imap: ImapEnv, actor: ImapTestClient
) -> None:
    await actor.select()
    await actor.expect(
        "OK", "NOTIFY SET (SELECTED (MessageNew (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)]) MessageExpunge))"
    )
    await imap.deliver(make_message("pushed"))
    assert await next_untagged(actor, b"* 1 EXISTS") == b"* 1 EXISTS"
    line = await next_untagged(actor, b"* 1 FETCH")
    assert line.startswith(b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {")
    assert line.endswith(b"Subject: pushed\r\n\r\n)")


async def test_the_selected_mailbox_is_never_reported_by_status(imap: ImapEnv, actor: ImapTestClient) -> None:
    """Its changes come as EXISTS/EXPUNGE/FETCH; RFC 3501 §6.3.10 keeps STATUS off the selected mailbox."""
    await actor.select()
    await actor.expect("OK", "NOTIFY SET (PERSONAL (MessageNew MessageExpunge))")
    await imap.deliver(make_message("here"))
    await imap.deliver(make_message("there"), folder="Drafts")
    lines = [await actor.read_line()]
    while not lines[-1].startswith(b'* STATUS "Drafts"'):
        lines.append(await actor.read_line())
    lines += (await actor.expect("OK", "NOOP")).untagged
    assert not any(line.startswith(b'* STATUS "INBOX"') for line in lines)


async def test_flag_change_in_another_folder_sends_highestmodseq(
    imap: ImapEnv, actor: ImapTestClient
) -> None:
    uid = await imap.deliver(make_message(), folder="Drafts")
    await actor.expect("OK", WATCH_ALL)
    await imap.store.set_flags(imap.mailbox_id, "Drafts", [uid], ["\\Flagged"])
    line = await next_untagged(actor, b"* STATUS")
    assert line.startswith(b'* STATUS "Drafts" (') and b"HIGHESTMODSEQ" in line


async def test_mailbox_name_events_for_create_rename_delete(
    actor: ImapTestClient, observer: ImapTestClient
) -> None:
    await actor.expect("OK", WATCH_ALL)
    await observer.expect("OK", "CREATE Plans")
    assert await next_untagged(actor, b"* LIST") == b'* LIST () "/" "Plans"'
    await observer.expect("OK", "RENAME Plans Ideas")
    assert await next_untagged(actor, b"* LIST") == b'* LIST () "/" "Ideas" ("OLDNAME" ("Plans"))'
    await observer.expect("OK", "DELETE Ideas")
    assert await next_untagged(actor, b"* LIST") == b'* LIST (\\NonExistent) "/" "Ideas"'


async def test_subscription_change_event(actor: ImapTestClient, observer: ImapTestClient) -> None:
    await observer.expect("OK", "CREATE Plans")
    await actor.expect("OK", WATCH_ALL)
    await observer.expect("OK", "SUBSCRIBE Plans")
    assert await next_untagged(actor, b"* LIST") == b'* LIST (\\Subscribed) "/" "Plans"'
    await observer.expect("OK", "UNSUBSCRIBE Plans")
    assert await next_untagged(actor, b"* LIST") == b'* LIST () "/" "Plans"'


async def test_notify_none_stops_notifications(imap: ImapEnv, actor: ImapTestClient) -> None:
    await actor.expect("OK", "NOTIFY SET (INBOXES (MessageNew MessageExpunge))")
    await actor.expect("OK", "NOTIFY NONE")
    await imap.deliver(make_message())
    assert (await actor.expect("OK", "NOOP")).data("STATUS") == []


@pytest.mark.parametrize(
    "command",
    [
        "NOTIFY SET (PERSONAL (MessageNew))",
        "NOTIFY SET (PERSONAL (FlagChange))",
        "NOTIFY SET (ELSEWHERE (MessageNew MessageExpunge))",
        "NOTIFY SET",
    ],
)
async def test_malformed_event_groups_answer_bad(actor: ImapTestClient, command: str) -> None:
    """RFC 5465 §5: MessageNew and MessageExpunge go together, FlagChange needs both."""
    await actor.expect("BAD", command)


async def test_unsupported_event_answers_badevent(actor: ImapTestClient) -> None:
    await actor.expect("NO", "NOTIFY SET (PERSONAL (AnnotationChange))", code="BADEVENT")
