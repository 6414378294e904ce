"""SELECT / EXAMINE (with CONDSTORE and QRESYNC), CLOSE and UNSELECT."""

from __future__ import annotations

from support.imap import ImapEnv, ImapTestClient, Result
from support.mailstore import make_message


def codes(result: Result) -> dict[str, str]:
    """Response codes of the untagged OK lines, ``{name: arguments}``."""
    out = {}
    for line in result.untagged:
        if line.startswith(b"* OK ["):
            body = line[6 : line.index(b"]")].decode()
            name, _, args = body.partition(" ")
            out[name] = args
    return out


async def test_select_reports_exists_uidvalidity_uidnext_and_flags(
    imap: ImapEnv, actor: ImapTestClient
) -> None:
    await imap.deliver(make_message(), flags=("\\Seen",))
    await imap.deliver(make_message())
    result = await actor.select()
    found = codes(result)
    folder = await imap.store.get_folder(imap.mailbox_id, "INBOX")
    assert result.numbers("EXISTS") == [2]
    assert (found["UIDVALIDITY"], found["UIDNEXT"], found["UNSEEN"]) == (str(folder.uidvalidity), "3", "2")
    assert result.code == "READ-WRITE"


async def test_select_lists_keywords_in_use_among_flags(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message(), flags=("$Forwarded",))
    result = await actor.select()
    assert result.data("FLAGS") == [
        [["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "$Forwarded"]]
    ]


async def test_examine_opens_read_only(actor: ImapTestClient) -> None:
    result = await actor.expect("OK", "EXAMINE INBOX")
    assert result.code == "READ-ONLY"


async def test_store_in_examined_mailbox_is_refused(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message())
    await actor.expect("OK", "EXAMINE INBOX")
    await actor.expect("NO", "STORE 1 +FLAGS (\\Seen)")


async def test_select_missing_folder_answers_nonexistent_and_deselects(actor: ImapTestClient) -> None:
    await actor.select()
    await actor.expect("NO", "SELECT Nowhere", code="NONEXISTENT")
    await actor.expect("BAD", "FETCH 1 FLAGS")


async def test_selecting_another_mailbox_reports_closed(actor: ImapTestClient) -> None:
    await actor.select()
    result = await actor.select("Sent")
    assert b"* OK [CLOSED] previous mailbox closed" in result.untagged


async def test_select_condstore_reports_highestmodseq(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message())
    folder = await imap.store.get_folder(imap.mailbox_id, "INBOX")
    result = await actor.expect("OK", "SELECT INBOX (CONDSTORE)")
    assert codes(result)["HIGHESTMODSEQ"] == str(folder.highestmodseq)


async def test_qresync_select_reports_vanished_and_changed(imap: ImapEnv, actor: ImapTestClient) -> None:
    first = await imap.deliver(make_message())
    second = await imap.deliver(make_message())
    folder = await imap.store.get_folder(imap.mailbox_id, "INBOX")
    await imap.store.set_flags(imap.mailbox_id, "INBOX", [second], ["\\Flagged"])
    await imap.store.set_flags(imap.mailbox_id, "INBOX", [first], ["\\Deleted"])
    await imap.store.expunge(imap.mailbox_id, "INBOX")
    await actor.expect("OK", "ENABLE QRESYNC")
    result = await actor.expect("OK", f"SELECT INBOX (QRESYNC ({folder.uidvalidity} {folder.highestmodseq}))")
    assert result.data("VANISHED") == [[["EARLIER"], str(first)]]
    fetched = result.fetch()[1]
    assert (fetched["UID"], fetched["FLAGS"]) == (str(second), ["\\Recent", "\\Flagged"])


async def test_qresync_select_needs_enable_first(actor: ImapTestClient) -> None:
    await actor.expect("BAD", "SELECT INBOX (QRESYNC (1 1))")


async def test_close_expunges_deleted_messages_silently(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message(), flags=("\\Deleted",))
    await actor.select()
    result = await actor.expect("OK", "CLOSE")
    assert result.untagged == []
    assert (await imap.store.status(imap.mailbox_id, "INBOX")).messages == 0


async def test_unselect_keeps_deleted_messages(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.deliver(make_message(), flags=("\\Deleted",))
    await actor.select()
    await actor.expect("OK", "UNSELECT")
    assert (await imap.store.status(imap.mailbox_id, "INBOX")).messages == 1
    await actor.expect("BAD", "FETCH 1 FLAGS")
