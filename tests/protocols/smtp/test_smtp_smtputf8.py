"""SMTPUTF8 (RFC 6531): Chinese local parts, an IDN hosted domain as U-label and A-label, UTF-8 headers."""

from __future__ import annotations

import aiosmtplib

from support.factories import ACTOR
from support.smtp import SmtpEnv, SmtpUser, command, connect, message

IDN = "例子.中国"
IDN_ASCII = "xn--fsqu00a.xn--fiqs8s"
CHINESE_SENDER = "张三@发件人.中国"


async def idn_user(smtp: SmtpEnv) -> SmtpUser:
    return await smtp.user(await smtp.tenant(IDN), "li")


async def test_chinese_sender_reaches_a_hosted_mailbox(smtp: SmtpEnv, alice: SmtpUser) -> None:
    data = message(f"张三 <{CHINESE_SENDER}>", alice.address, subject="你好")
    client = await connect(smtp.mx)
    errors, _ = await client.sendmail(CHINESE_SENDER, [alice.address], data, mail_options=["SMTPUTF8"])
    await client.quit()
    (stored,) = await smtp.messages(alice.mailbox)
    assert errors == {}
    assert stored.endswith(data)
    assert b"with UTF8SMTP id " in stored.split(b"\r\n")[1]


async def test_idn_domain_receives_under_its_unicode_name(smtp: SmtpEnv) -> None:
    user = await idn_user(smtp)
    client = await connect(smtp.mx)
    mail = await command(client, "MAIL", "FROM:<bob@sender.example>", "SMTPUTF8")
    rcpt = await command(client, "RCPT", f"TO:<li@{IDN}>")
    await client.data(message("bob@sender.example", f"li@{IDN}"))
    await client.quit()
    assert (mail, rcpt) == ((250, "2.1.0"), (250, "2.1.5"))
    assert user.address == f"li@{IDN_ASCII}"
    assert len(await smtp.messages(user.mailbox)) == 1


async def test_idn_domain_receives_under_its_ascii_name_without_smtputf8(smtp: SmtpEnv) -> None:
    user = await idn_user(smtp)
    client = await connect(smtp.mx)
    await command(client, "MAIL", "FROM:<bob@sender.example>")
    rcpt = await command(client, "RCPT", f"TO:<LI@{IDN_ASCII.upper()}>")
    await client.quit()
    assert rcpt == (250, "2.1.5")
    assert user.mailbox.display_address == f"li@{IDN}"


async def test_unicode_domain_without_smtputf8_is_553_5_6_7(smtp: SmtpEnv) -> None:
    await idn_user(smtp)
    client = await connect(smtp.mx)
    await command(client, "MAIL", "FROM:<bob@sender.example>")
    rcpt = await command(client, "RCPT", f"TO:<li@{IDN}>")
    await client.quit()
    assert rcpt == (553, "5.6.7")


async def test_chinese_local_part_on_a_hosted_domain_is_unknown(smtp: SmtpEnv, alice: SmtpUser) -> None:
    client = await connect(smtp.mx)
    await command(client, "MAIL", "FROM:<bob@sender.example>", "SMTPUTF8")
    rcpt = await command(client, "RCPT", f"TO:<小明@{alice.tenant.domain.name}>")
    await client.quit()
    assert rcpt == (550, "5.1.1")


async def test_submission_to_a_chinese_address_is_queued_as_smtputf8(smtp: SmtpEnv) -> None:
    user = await idn_user(smtp)
    client = await connect(smtp.submission, tls=smtp.client_tls())
    await client.login(user.login, user.password)
    data = message(f"李 <li@{IDN}>", CHINESE_SENDER, subject="测试")
    errors, _ = await client.sendmail(f"li@{IDN}", [CHINESE_SENDER], data, mail_options=["SMTPUTF8"])
    await client.quit()
    (row,) = await smtp.queued(user.tenant)
    assert errors == {}
    # The local part stays as written; the domain is stored as its A-label.
    assert (row.recipient, row.smtputf8, row.body_8bit) == ("张三@xn--gmq9e22m.xn--fiqs8s", True, True)


async def test_alias_on_an_idn_domain_is_a_valid_sender(smtp: SmtpEnv) -> None:
    user = await idn_user(smtp)
    tenant = user.tenant
    alias = await smtp.directory.aliases.add(
        tenant.enterprise.id, user.mailbox.id, tenant.domain.id, "info", ACTOR
    )
    client = await connect(smtp.submission, tls=smtp.client_tls())
    await client.login(user.login, user.password)
    try:
        await client.sendmail(
            f"info@{IDN}",
            ["x@elsewhere.example"],
            message(f"info@{IDN}", "x@elsewhere.example"),
            mail_options=["SMTPUTF8"],
        )
        refused = None
    except aiosmtplib.SMTPException as exc:
        refused = exc
    await client.quit()
    assert (alias.address, refused) == (f"info@{IDN_ASCII}", None)
