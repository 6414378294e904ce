"""POP3 sessions: greeting, CAPA per state, USER/PASS, AUTH PLAIN, STLS, plaintext rules, errors."""

from __future__ import annotations

import base64

from support.imap import PASSWORD


async def test_greeting_is_ok(pop3) -> None:
    client = await pop3.client(login=False)
    assert client.greeting.startswith(b"+OK mail.yunmail.test")
    await client.close()


async def test_capa_before_login_offers_stls_user_and_sasl(pop3) -> None:
    client = await pop3.client(login=False)
    status, lines = await client.multi("CAPA")
    assert status.startswith(b"+OK")
    assert {b"STLS", b"USER", b"SASL PLAIN", b"UIDL", b"TOP", b"PIPELINING"} <= set(lines)
    await client.close()


async def test_user_pass_logs_in_and_reports_the_message_count(pop3) -> None:
    await pop3.deliver(b"Subject: a\r\n\r\nx\r\n")
    client = await pop3.client(login=False)
    await client.command("USER alice@example.test")
    assert await client.command(f"PASS {PASSWORD}") == b"+OK 1 messages"
    await client.close()


async def test_password_with_spaces_is_taken_whole(pop3) -> None:
    pop3.auth.add("spaces@example.test", pop3.mailbox_id, password="pass with spaces")
    client = await pop3.client(login=False)
    await client.command("USER spaces@example.test")
    assert (await client.command("PASS pass with spaces")).startswith(b"+OK")
    await client.close()


async def test_wrong_password_answers_auth_code(pop3) -> None:
    client = await pop3.client(login=False)
    await client.command("USER alice@example.test")
    assert (await client.command("PASS nope")).startswith(b"-ERR [AUTH]")
    await client.close()


async def test_third_failure_closes_the_connection(pop3) -> None:
    client = await pop3.client(login=False)
    for _ in range(3):
        await client.command("USER alice@example.test")
        reply = await client.command("PASS nope")
    assert reply.startswith(b"-ERR [AUTH]")
    assert await client.at_eof()


async def test_member_without_mailbox_answers_auth_code(pop3) -> None:
    client = await pop3.client(login=False)
    await client.command("USER nomailbox@example.test")
    assert (await client.command(f"PASS {PASSWORD}")).startswith(b"-ERR [AUTH]")
    await client.close()


async def test_pass_without_user_is_refused(pop3) -> None:
    client = await pop3.client(login=False)
    assert (await client.command(f"PASS {PASSWORD}")).startswith(b"-ERR")
    await client.close()


async def test_auth_plain_with_initial_response(pop3) -> None:
    client = await pop3.client(login=False)
    token = base64.b64encode(b"\0alice@example.test\0" + PASSWORD.encode()).decode()
    assert (await client.command(f"AUTH PLAIN {token}")).startswith(b"+OK")
    await client.close()


async def test_auth_plain_with_continuation(pop3) -> None:
    client = await pop3.client(login=False)
    assert await client.command("AUTH PLAIN") == b"+ "
    token = base64.b64encode(b"\0alice@example.test\0" + PASSWORD.encode()).decode()
    assert (await client.command(token)).startswith(b"+OK")
    await client.close()


async def test_auth_without_mechanism_lists_plain(pop3) -> None:
    client = await pop3.client(login=False)
    assert await client.multi("AUTH") == (b"+OK mechanisms follow", [b"PLAIN"])
    await client.close()


async def test_transaction_command_before_login_is_refused(pop3) -> None:
    client = await pop3.client(login=False)
    assert (await client.command("STAT")).startswith(b"-ERR")
    await client.close()


async def test_unknown_command_is_refused_and_session_continues(pop3) -> None:
    client = await pop3.client()
    assert (await client.command("FROB")).startswith(b"-ERR")
    assert await client.command("NOOP") == b"+OK"
    await client.close()


async def test_overlong_line_is_refused_once(pop3) -> None:
    client = await pop3.client()
    assert (await client.command("NOOP " + "x" * 9000)).startswith(b"-ERR")
    assert await client.command("NOOP") == b"+OK"
    await client.close()


async def test_stls_then_login(pop3) -> None:
    client = await pop3.client(login=False)
    await client.starttls(pop3.tls_client)
    _, lines = await client.multi("CAPA")
    assert b"STLS" not in lines
    await client.login()
    await client.close()


async def test_stls_discards_pipelined_plaintext(pop3) -> None:
    client = await pop3.client(login=False)
    client.writer.write(b"STLS\r\nUSER alice@example.test\r\n")
    await client.writer.drain()
    assert (await client.line()).startswith(b"+OK")
    await client.writer.start_tls(pop3.tls_client, server_hostname="localhost")
    assert (await client.command(f"PASS {PASSWORD}")).startswith(b"-ERR")  # USER never counted
    await client.close()


async def test_implicit_tls_port(pop3) -> None:
    client = await pop3.client(implicit_tls=True)
    assert (await client.command("STAT")).startswith(b"+OK 0 ")
    await client.close()


async def test_untrusted_plaintext_capa_hides_user_and_sasl(pop3_untrusted) -> None:
    client = await pop3_untrusted.client(login=False)
    _, lines = await client.multi("CAPA")
    assert b"STLS" in lines and b"USER" not in lines and b"SASL PLAIN" not in lines
    await client.close()


async def test_untrusted_plaintext_user_is_refused(pop3_untrusted) -> None:
    client = await pop3_untrusted.client(login=False)
    assert (await client.command("USER alice@example.test")).startswith(b"-ERR [AUTH]")
    await client.close()


async def test_untrusted_login_after_stls(pop3_untrusted) -> None:
    client = await pop3_untrusted.client(login=False)
    await client.starttls(pop3_untrusted.tls_client)
    await client.login()
    await client.close()


async def test_quit_before_login_says_goodbye(pop3) -> None:
    client = await pop3.client(login=False)
    assert (await client.command("QUIT")).startswith(b"+OK")
    assert await client.at_eof()
