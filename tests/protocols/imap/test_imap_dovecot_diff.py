"""Differential test against Dovecot: the same varied messages appended to both servers must give the
same FETCH ENVELOPE, BODY, BODYSTRUCTURE, BODY[n.m], BODY[n.MIME] and BODY[HEADER.FIELDS] answers.

Dovecot (Debian ``dovecot-imapd``) is started by the test on a free loopback port with a static
password database and a throw-away Maildir. Answers are compared as parsed values, so a quoted
string and a literal holding the same octets are equal. Skipped without Dovecot, a failure in CI.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from support.databases import require_or_skip
from support.imap import ImapEnv, ImapTestClient, Lit

DOVECOT = "/usr/sbin/dovecot"
ITEMS = [
    "ENVELOPE",
    "BODY",
    "BODYSTRUCTURE",
    "BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)]",
    "BODY.PEEK[1]",
    "BODY.PEEK[1.MIME]",
    "BODY.PEEK[1.1]",
    "BODY.PEEK[2]",
    "BODY.PEEK[2.HEADER]",
    "BODY.PEEK[2.TEXT]",
    "BODY.PEEK[TEXT]",
    "BODY.PEEK[1.2]",
    "BODY.PEEK[2.1]",
    "BODY.PEEK[3]",
    "BODY.PEEK[2.1.MIME]",
    "BODY.PEEK[HEADER]",
    "BODY.PEEK[]<10.20>",
    "BINARY.PEEK[1]",
    "BINARY.SIZE[2]",
    "RFC822.SIZE",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def dovecot() -> AsyncIterator[tuple[str, int]]:
    if not os.path.exists(DOVECOT) or shutil.which("doveconf") is None:
        require_or_skip("Dovecot (Debian package dovecot-imapd) is not installed")
    # Not under pytest's tmp_path: its parents are private to root, and Dovecot's mail processes
    # run as an unprivileged user.
    root = Path(tempfile.mkdtemp(prefix="yunmail-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "home", "state"):
        (root / sub).mkdir(parents=True)
    port = _free_port()
    # Dovecot refuses to run mail processes as root: use an unprivileged account when we are root.
    mail_uid, mail_gid = os.getuid(), os.getgid()
    if mail_uid == 0:
        nobody = pwd.getpwnam("nobody")
        mail_uid, mail_gid = nobody.pw_uid, nobody.pw_gid
        os.chown(root / "home", mail_uid, mail_gid)
    config = root / "dovecot.conf"
    config.write_text(
        f"""protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{root}/home/%u/Maildir
passdb {{
  driver = static
  args = password=secret
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
    )
    process = await asyncio.create_subprocess_exec(
        DOVECOT, "-F", "-c", str(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)  # waiting for an external daemon to bind, not synchronising ours
                continue
            writer.close()
            break
        else:
            pytest.fail("dovecot did not start: " + (root / "dovecot.log").read_text(errors="replace"))
        yield "127.0.0.1", port
    finally:
        process.terminate()
        await process.wait()
        shutil.rmtree(root, ignore_errors=True)


# --- messages -------------------------------------------------------------------------------------


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def varied_messages(count: int, seed: int = 20260101) -> Iterator[bytes]:
    rng = random.Random(seed)
    builders = [
        _plain,
        _chinese_8bit,
        _encoded_words,
        _alternative,
        _related,
        _mixed_attachments,
        _signed,
        _embedded_message,
        _broken_boundary,
        _no_boundary,
        _groups,
        _content_extras,
        _digest,
        _nested_deep,
    ]
    for i in range(count):
        yield builders[i % len(builders)](rng, i)


def _head(i: int, extra: str = "", subject: str | None = None) -> str:
    return (
        f"From: Sender {i} <sender{i}@example.org>\n"
        f"To: rcpt{i}@example.test\n"
        f"Subject: {subject or f'Message {i}'}\n"
        f"Date: Thu, 0{1 + i % 9} Jan 2026 08:00:00 +0800\n"
        f"Message-ID: <m{i}@example.org>\n" + extra
    )


def _plain(rng: random.Random, i: int) -> bytes:
    lines = "\n".join("word " * rng.randint(1, 12) for _ in range(rng.randint(1, 8)))
    return _crlf(_head(i) + "\n" + lines + "\n")


def _chinese_8bit(rng: random.Random, i: int) -> bytes:
    return _crlf(
        _head(
            i,
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n",
            subject="季度报告 第" + str(i) + "期",
        )
        + "\n本季度销售额增长。\n第二行\n"
    )


def _encoded_words(rng: random.Random, i: int) -> bytes:
    return _crlf(
        f"From: =?UTF-8?B?5byg5LiJ?= <zhang{i}@example.cn>\n"
        f'To: =?gb2312?B?wO7LxA==?= <li@example.cn>, "Quoted, Name" <q@example.org>\n'
        f"Cc: plain@example.org (a comment)\n"
        f"Subject: =?UTF-8?Q?Caf=C3=A9_menu?= =?UTF-8?B?5Lit5paH?=\n"
        f"Date: Fri, 02 Jan 2026 09:30:00 +0000\n"
        f"In-Reply-To: <parent{i}@example.org>\n"
        f'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n'
        f"Content-Transfer-Encoding: quoted-printable\n\nCaf=C3=A9 =E4=B8=AD=E6=96=87\n"
    )


def _alternative(rng: random.Random, i: int) -> bytes:
    return _crlf(
        _head(i, 'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="alt-' + str(i) + '"\n')
        + f"\n--alt-{i}\nContent-Type: text/plain; charset=us-ascii\n\nplain part\n"
        f"--alt-{i}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        f"<p>html =E4=B8=AD</p>\n--alt-{i}--\n"
    )


def _related(rng: random.Random, i: int) -> bytes:
    return _crlf(
        _head(i, 'MIME-Version: 1.0\nContent-Type: multipart/related; boundary=rel; type="text/html"\n')
        + '\n--rel\nContent-Type: text/html; charset=utf-8\n\n<img src="cid:img1@x">\n'
        "--rel\nContent-Type: image/png; name=dot.png\nContent-ID: <img1@x>\n"
        "Content-Disposition: inline; filename=dot.png\nContent-Transfer-Encoding: base64\n\n"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==\n"
        "--rel--\n"
    )


def _mixed_attachments(rng: random.Random, i: int) -> bytes:
    return _crlf(
        _head(i, 'MIME-Version: 1.0\nContent-Type: multipart/mixed;\n boundary="==mix=="\n')
        + "\nThis is a multi-part message in MIME format.\n"
        "--==mix==\nContent-Type: text/plain; charset=utf-8\n\nsee attached\n"
        '--==mix==\nContent-Type: application/pdf; name="=?UTF-8?B?5oql5ZGKLnBkZg==?="\n'
        "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf\n"
        "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoK\n"
        "--==mix==\nContent-Type: application/octet-stream\nContent-Disposition: attachment;\n"
        ' filename*0="long"; filename*1="name.bin"\nContent-Transfer-Encoding: base64\n\nAAECAwQ=\n'
        "--==mix==--\nepilogue text\n"
    )


def _signed(rng: random.Random, i: int) -> bytes:
    return _crlf(
        _head(
            i,
            "MIME-Version: 1.0\nContent-Type: multipart/signed; micalg=pgp-sha256;\n"
            ' protocol="application/pgp-signature"; boundary="sig"\n',
        )
        + "\n--sig\nContent-Type: text/plain; charset=us-ascii\n\nsigned text\n"
        "--sig\nContent-Type: application/pgp-signature; name=signature.asc\n"
        "Content-Description: OpenPGP digital signature\n\n-----BEGIN PGP SIGNATURE-----\nabc\n"
        "-----END PGP SIGNATURE-----\n--sig--\n"
    )


def _embedded_message(rng: random.Random, i: int) -> bytes:
    return _crlf(
        _head(i, "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=outer\n")
        + "\n--outer\nContent-Type: text/plain\n\nforwarded below\n"
        "--outer\nContent-Type: message/rfc822\n\n"
        "From: Inner <inner@example.org>\nTo: x@example.org\nSubject: =?UTF-8?B?5YaF6YOo?=\n"
        "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=inner\n\n"
        "--inner\nContent-Type: text/plain\n\ninner plain\n--inner\nContent-Type: text/html\n\n<b>x</b>\n"
        "--inner--\n--outer--\n"
    )


def _broken_boundary(rng: random.Random, i: int) -> bytes:
    return _crlf(
        _head(i, "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=never-closed\n")
        + "\n--never-closed\nContent-Type: text/plain\n\nfirst\n--never-closed\nContent-Type: text/plain\n\n"
        "second without end\n"
    )


def _no_boundary(rng: random.Random, i: int) -> bytes:
    return _crlf(_head(i, "MIME-Version: 1.0\nContent-Type: multipart/mixed\n") + "\nno boundary here\n")


def _groups(rng: random.Random, i: int) -> bytes:
    return _crlf(
        f"From: <nodisplay@example.org>\nTo: undisclosed-recipients:;\n"
        f'Cc: Team: a@example.org, "B" <b@example.org>;, c@example.org\n'
        f"Bcc: hidden@example.org\nReply-To: reply@example.org\nSender: sender@example.org\n"
        f"Subject:\nMessage-ID: <g{i}@x>\n\nbody\n"
    )


def _content_extras(rng: random.Random, i: int) -> bytes:
    return _crlf(
        _head(
            i,
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-8859-1; format=flowed\n"
            "Content-Language: en, de\nContent-Location: http://example.org/x\n"
            "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\nContent-Disposition: inline; size=12\n"
            "Content-ID: <extra@x>\nContent-Description: a description\n",
        )
        + "\nextras\n"
    )


def _digest(rng: random.Random, i: int) -> bytes:
    return _crlf(
        _head(i, "MIME-Version: 1.0\nContent-Type: multipart/digest; boundary=dig\n")
        + "\n--dig\n\nSubject: digest one\n\none\n--dig\n\nSubject: digest two\n\ntwo\n--dig--\n"
    )


def _nested_deep(rng: random.Random, i: int) -> bytes:
    body = "leaf\n"
    for depth in range(4):
        body = (
            f"Content-Type: multipart/mixed; boundary=b{depth}\n\n--b{depth}\nContent-Type: text/plain\n\n"
            f"level {depth}\n--b{depth}\n{body}--b{depth}--\n"
        )
    return _crlf(_head(i, "MIME-Version: 1.0\n") + body)


# --- the comparison --------------------------------------------------------------------------------


async def fetch_all(client: ImapTestClient, count: int) -> dict[int, dict[str, object]]:
    result = await client.expect("OK", f"FETCH 1:{count} ({' '.join(ITEMS)})")
    return result.fetch()


async def load(client: ImapTestClient, messages: list[bytes]) -> None:
    for message in messages:
        await client.expect("OK", "APPEND INBOX ", Lit(message))
    await client.select()


async def test_fetch_answers_equal_dovecots(imap: ImapEnv, dovecot: tuple[str, int]) -> None:
    messages = list(varied_messages(210))
    ours = await imap.client()
    theirs = await ImapTestClient.connect(*dovecot)
    await theirs.login("tester", "secret")
    await load(ours, messages)
    await load(theirs, messages)
    our_answers = await fetch_all(ours, len(messages))
    their_answers = await fetch_all(theirs, len(messages))
    mismatches = []
    for seq in range(1, len(messages) + 1):
        for key, expected in their_answers[seq].items():
            got = our_answers[seq].get(key)
            if got != expected:
                mismatches.append(f"message {seq} {key}:\n  dovecot: {expected!r}\n  yunmail: {got!r}")
    await ours.close()
    await theirs.close()
    assert not mismatches, f"{len(mismatches)} differences:\n" + "\n".join(mismatches[:30])


def test_generator_gives_the_same_messages_every_run() -> None:
    assert list(varied_messages(14)) == list(varied_messages(14))
