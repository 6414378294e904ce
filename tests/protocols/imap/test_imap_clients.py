"""Real client libraries over real sockets: stdlib ``imaplib`` and ``imapclient`` (in worker threads)."""

from __future__ import annotations

import asyncio
import imaplib
import ssl

import imapclient

from support.imap import PASSWORD, ImapEnv
from support.mailstore import make_message


def imaplib_session(host: str, port: int, message: bytes) -> dict[str, object]:
    conn = imaplib.IMAP4(host, port)
    try:
        conn.login("alice@example.test", PASSWORD)
        out: dict[str, object] = {}
        out["append"] = conn.append("INBOX", "(\\Seen)", None, message)[0]
        out["select"] = conn.select("INBOX")
        out["search"] = conn.uid("SEARCH", None, "ALL")[1]
        _, data = conn.uid("FETCH", "1", "(FLAGS BODY.PEEK[])")
        out["fetch"] = data
        conn.create("Archive")
        out["copy"] = conn.uid("COPY", "1", "Archive")[0]
        conn.store("1", "+FLAGS", "\\Deleted")
        out["expunge"] = conn.expunge()[1]
        out["list"] = conn.list()[1]
        return out
    finally:
        conn.logout()


async def test_imaplib_append_fetch_copy_expunge(imap: ImapEnv) -> None:
    message = make_message("imaplib", "from the standard library\r\n")
    out = await asyncio.to_thread(imaplib_session, *imap.address, message)
    assert out["append"] == "OK"
    assert out["select"] == ("OK", [b"1"])
    assert out["search"] == [b"1"]
    fetched = out["fetch"]
    assert isinstance(fetched, list) and fetched[0][1] == message
    assert out["copy"] == "OK"
    assert out["expunge"] == [b"1"]
    assert (
        b'(\\HasNoChildren) "/" Archive' in out["list"] or b'(\\HasNoChildren) "/" "Archive"' in out["list"]
    )


def imaplib_starttls(host: str, port: int, context: ssl.SSLContext) -> str:
    conn = imaplib.IMAP4(host, port)
    conn.starttls(context)
    typ, _ = conn.login("alice@example.test", PASSWORD)
    conn.logout()
    return typ


async def test_imaplib_starttls_then_login(imap: ImapEnv) -> None:
    assert await asyncio.to_thread(imaplib_starttls, *imap.address, imap.tls_client) == "OK"


def imaplib_ssl_idle(host: str, port: int, context: ssl.SSLContext) -> list[str]:
    conn = imaplib.IMAP4_SSL(host, port, ssl_context=context)
    conn.login("alice@example.test", PASSWORD)
    typ, data = conn.status("INBOX", "(MESSAGES UIDNEXT)")
    conn.logout()
    return [typ, data[0].decode()]


async def test_imaplib_over_implicit_tls(imap: ImapEnv) -> None:
    _, port = imap.tls_address
    typ, status = await asyncio.to_thread(imaplib_ssl_idle, "localhost", port, imap.tls_client)
    assert (typ, status) == ("OK", '"INBOX" (MESSAGES 0 UIDNEXT 1)')


def imapclient_session(host: str, port: int, message: bytes) -> dict[str, object]:
    client = imapclient.IMAPClient(host, port=port, ssl=False)
    try:
        client.login("alice@example.test", PASSWORD)
        out: dict[str, object] = {"caps": client.capabilities()}
        client.append("INBOX", message, flags=[imapclient.SEEN])
        client.append("INBOX", make_message("second"))
        out["select"] = client.select_folder("INBOX")
        out["envelopes"] = client.fetch([1, 2], ["ENVELOPE", "BODYSTRUCTURE", "FLAGS", "RFC822.SIZE"])
        out["unseen"] = client.search(["UNSEEN"])
        out["move"] = client.move([2], "Trash")
        out["folders"] = client.list_folders()
        out["special"] = client.find_special_folder(b"\\Sent")
        out["quota"] = client.get_quota_root("INBOX")
        client.idle()
        out["idle"] = client.idle_check(timeout=0.05)
        client.idle_done()
        return out
    finally:
        client.logout()


async def test_imapclient_full_session(imap: ImapEnv) -> None:
    message = make_message("imapclient", "parsed by imapclient\r\n")
    out = await asyncio.to_thread(imapclient_session, *imap.address, message)
    assert b"MOVE" in out["caps"] and b"IDLE" in out["caps"]
    assert out["select"][b"EXISTS"] == 2
    envelopes = out["envelopes"]
    assert envelopes[1][b"ENVELOPE"].subject == b"imapclient"
    assert envelopes[1][b"FLAGS"] == (b"\\Recent", b"\\Seen")  # rev1: RFC 3501 §2.3.2
    assert envelopes[1][b"BODYSTRUCTURE"][0] == b"text"
    assert out["unseen"] == [2]
    assert out["special"] == "Sent"
    assert {name for _, _, name in out["folders"]} >= {"INBOX", "Sent", "Trash", "Drafts"}
