"""Session-level behaviour: greeting, capabilities per state, login rules, STARTTLS, literals, timeouts."""

from __future__ import annotations

import asyncio
import base64

import pytest

from support.imap import PASSWORD, ImapEnv, ImapTestClient, Lit, LiteralRefused, tokenize


def caps_of(line: bytes) -> set[str]:
    return {str(t).upper() for t in tokenize(line)[1:]}


async def capabilities(client: ImapTestClient) -> set[str]:
    result = await client.expect("OK", "CAPABILITY")
    return {str(t).upper() for t in result.data("CAPABILITY")[0]}


async def test_greeting_is_untagged_ok_with_capabilities(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    assert client.greeting.startswith(b"* OK [CAPABILITY IMAP4rev1 IMAP4rev2 ")
    await client.close()


async def test_loopback_is_trusted_so_plaintext_login_is_offered(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    caps = await capabilities(client)
    assert {"AUTH=PLAIN", "STARTTLS"} <= caps and "LOGINDISABLED" not in caps
    await client.close()


async def test_capabilities_after_login_list_the_extensions(actor: ImapTestClient) -> None:
    caps = await capabilities(actor)
    assert {"IDLE", "UIDPLUS", "MOVE", "CONDSTORE", "QRESYNC", "ESEARCH", "COMPRESS=DEFLATE"} <= caps
    assert "STARTTLS" not in caps


async def test_login_answers_ok_with_the_new_capabilities(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    result = await client.login("alice@example.test", PASSWORD)
    assert result.code is not None and result.code.startswith("CAPABILITY ")
    assert "UIDPLUS" in result.code.split()
    await client.close()


async def test_wrong_password_answers_authenticationfailed(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    await client.expect("NO", 'LOGIN "alice@example.test" "wrong"', code="AUTHENTICATIONFAILED")
    await client.close()


async def test_login_without_opened_mailbox_answers_contactadmin(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    await client.expect("NO", f'LOGIN "nomailbox@example.test" "{PASSWORD}"', code="CONTACTADMIN")
    await client.close()


async def test_third_failed_login_ends_the_connection_with_bye(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    await client.expect("NO", 'LOGIN "alice@example.test" "x1"')
    await client.expect("NO", 'LOGIN "alice@example.test" "x2"')
    tag = await client.send_command('LOGIN "alice@example.test" "x3"')
    result = await client.result(tag)
    assert result.status == "NO"
    assert await client.read_line() == b"* BYE too many failed login attempts"
    assert await client.at_eof()


async def test_authenticate_plain_with_initial_response_logs_in(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    result = await client.authenticate_plain("alice@example.test", PASSWORD)
    assert result.status == "OK"
    await client.expect("OK", "SELECT INBOX")
    await client.close()


async def test_authenticate_plain_without_initial_response_uses_a_continuation(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    tag = await client.send_command("AUTHENTICATE PLAIN")
    assert (await client.read_line()).startswith(b"+")
    token = base64.b64encode(b"\0alice@example.test\0" + PASSWORD.encode())
    client.send(token + b"\r\n")
    assert (await client.result(tag)).status == "OK"
    await client.close()


async def test_authenticate_cancelled_with_star_answers_bad(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    tag = await client.send_command("AUTHENTICATE PLAIN")
    await client.read_line()
    client.send(b"*\r\n")
    assert (await client.result(tag)).status == "BAD"
    await client.close()


async def test_authenticate_unknown_mechanism_is_refused(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    await client.expect("NO", "AUTHENTICATE CRAM-MD5")
    await client.close()


async def test_select_before_login_answers_bad(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    await client.expect("BAD", "SELECT INBOX")
    await client.close()


async def test_fetch_without_selected_mailbox_answers_bad(actor: ImapTestClient) -> None:
    await actor.expect("BAD", "FETCH 1 FLAGS")


async def test_login_twice_answers_bad(actor: ImapTestClient) -> None:
    await actor.expect("BAD", f'LOGIN "alice@example.test" "{PASSWORD}"')


async def test_unknown_command_answers_bad_and_the_session_continues(actor: ImapTestClient) -> None:
    await actor.expect("BAD", "FROBNICATE")
    await actor.expect("OK", "NOOP")


async def test_synchronising_literal_gets_a_continuation(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE ", Lit(b"Projects"))
    result = await actor.expect("OK", 'LIST "" Projects')
    assert result.data("LIST")[0][2] == b"Projects"


async def test_non_synchronising_literal_needs_no_continuation(actor: ImapTestClient) -> None:
    await actor.expect("OK", "CREATE ", Lit(b"Plus", plus=True))


async def test_big_literal_before_login_answers_toobig(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    with pytest.raises(LiteralRefused) as refused:
        await client.send_command("LOGIN ", Lit(b"x" * 100_000), " y")
    assert b"[TOOBIG]" in refused.value.args[0]
    await client.expect("OK", "NOOP")
    await client.close()


async def test_logout_says_bye_then_ok_and_closes(actor: ImapTestClient) -> None:
    result = await actor.expect("OK", "LOGOUT")
    assert result.untagged == [b"* BYE logging out"]
    assert await actor.at_eof()


async def test_id_names_the_server(actor: ImapTestClient) -> None:
    result = await actor.expect("OK", 'ID ("name" "test-client")')
    params = result.data("ID")[0][0]
    assert params[0:2] == [b"name", b"Yunmail"]


async def test_enable_reports_newly_enabled_capabilities(actor: ImapTestClient) -> None:
    result = await actor.expect("OK", "ENABLE QRESYNC UTF8=ACCEPT X-UNKNOWN")
    assert result.data("ENABLED") == [["QRESYNC", "UTF8=ACCEPT"]]


async def test_namespace_is_one_personal_namespace(actor: ImapTestClient) -> None:
    result = await actor.expect("OK", "NAMESPACE")
    assert result.data("NAMESPACE") == [[[[b"", b"/"]], None, None]]


async def test_compress_deflate_keeps_the_session_working(actor: ImapTestClient) -> None:
    await actor.compress()
    result = await actor.expect("OK", 'LIST "" INBOX')
    assert result.data("LIST")[0][2] == b"INBOX"
    caps = await capabilities(actor)
    assert "COMPRESS=DEFLATE" not in caps


async def test_implicit_tls_port_serves_imap(imap: ImapEnv) -> None:
    client = await ImapTestClient.connect(*imap.tls_address, tls=imap.tls_client, server_hostname="localhost")
    assert client.greeting.startswith(b"* OK")
    assert "STARTTLS" not in caps_of(client.greeting.split(b"]")[0].replace(b"[CAPABILITY", b""))
    await client.login("alice@example.test", PASSWORD)
    await client.close()


async def test_starttls_upgrades_and_login_works(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    await client.starttls(imap.tls_client)
    caps = await capabilities(client)
    assert "STARTTLS" not in caps and "AUTH=PLAIN" in caps
    await client.login("alice@example.test", PASSWORD)
    await client.close()


async def test_starttls_discards_plaintext_pipelined_after_it(imap: ImapEnv) -> None:
    client = await imap.client(login=False)
    # The injected command would create a folder if it were executed after the handshake.
    client.send(b's1 STARTTLS\r\ns2 LOGIN alice@example.test "' + PASSWORD.encode() + b'"\r\n')
    await client.writer.drain()
    assert (await client.read_line()).startswith(b"s1 OK")
    await client.writer.start_tls(imap.tls_client, server_hostname="localhost")
    await client.expect("BAD", "SELECT INBOX")  # still not authenticated
    await client.close()


async def test_untrusted_plaintext_connection_advertises_logindisabled(untrusted: ImapEnv) -> None:
    client = await untrusted.client(login=False)
    caps = await capabilities(client)
    assert "LOGINDISABLED" in caps and "AUTH=PLAIN" not in caps
    await client.close()


async def test_untrusted_plaintext_login_answers_privacyrequired(untrusted: ImapEnv) -> None:
    client = await untrusted.client(login=False)
    await client.expect("NO", f'LOGIN "alice@example.test" "{PASSWORD}"', code="PRIVACYREQUIRED")
    await client.close()


async def test_untrusted_login_after_starttls_succeeds(untrusted: ImapEnv) -> None:
    client = await untrusted.client(login=False)
    await client.starttls(untrusted.tls_client)
    await client.login("alice@example.test", PASSWORD)
    await client.close()


async def test_idle_connection_is_logged_out_with_bye(impatient: ImapEnv) -> None:
    client = await impatient.client()
    line = await asyncio.wait_for(client.read_line(), timeout=30)
    assert line.startswith(b"* BYE")
    assert await client.at_eof()


async def test_sessions_per_mailbox_are_capped(crowded: ImapEnv) -> None:
    first = await crowded.client()
    second = await crowded.client(login=False)
    await second.expect("NO", f'LOGIN "alice@example.test" "{PASSWORD}"', code="LIMIT")
    await first.close()
    await second.close()


async def test_server_shutdown_says_bye_to_open_sessions(imap: ImapEnv, actor: ImapTestClient) -> None:
    await imap.server.close()
    assert await asyncio.wait_for(actor.read_line(), 10) == b"* BYE server shutting down"
    assert await actor.at_eof()


async def test_server_shutdown_ends_idle_with_bye(imap: ImapEnv, actor: ImapTestClient) -> None:
    await actor.select()
    await actor.idle_start()
    await imap.server.close()
    assert await asyncio.wait_for(actor.read_line(), 10) == b"* BYE server shutting down"
