"""Differential test against Dovecot for SEARCH, SORT and THREAD: one corpus appended to both servers
(with the same INTERNALDATEs), the same commands, the same untagged answers.

The corpus is built for the tricky parts: Date: headers in zones far from UTC (RFC 3501 §6.4.4:
SENT* compare the header's own calendar date), display names, comments and groups in address
fields, arbitrary header fields, bodies in base64 / quoted-printable / GB18030 / Big5, HTML-only
alternatives, subjects with reply/forward decorations (RFC 5256 §2.1), and reply chains with
missing parents (RFC 5256 §3 REFERENCES). Dovecot (2.3) is the reference; where it departs from
an RFC the server code says so. Uses the Dovecot fixture of ``test_imap_dovecot_diff``.
"""

from __future__ import annotations

import base64
import re

from test_imap_dovecot_diff import dovecot  # noqa: F401  (the fixture)

from support.imap import ImapEnv, ImapTestClient, Lit

_TAG = re.compile(rb'\(TAG "[^"]*"\)', re.IGNORECASE)


def _crlf(text: str, charset: str = "utf-8") -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode(charset)


def _b64(text: str, charset: str = "utf-8") -> str:
    return base64.encodebytes(text.encode(charset)).decode("ascii")


# (INTERNALDATE, message). Arrival dates cross the EET/EEST change like the Date: headers do.
def corpus() -> list[tuple[str, bytes]]:
    msgs: list[tuple[str, bytes]] = []

    def add(internal: str, text: str, charset: str = "utf-8") -> None:
        msgs.append((internal, _crlf(text, charset)))

    add(
        "24-Mar-2007 23:00:00 +0200",
        "Date: Sat, 24 Mar 2007 23:00:00 +0200\nFrom: Alpha Person <alpha@example.org>\n"
        "To: beta@example.org\nSubject: Project kickoff\nMessage-ID: <root1@example.org>\n"
        "X-Tracker: case-4711\n\nLet us start the zephyr plan.\n",
    )
    add(
        "25-Mar-2007 00:30:00 +0200",
        'Date: Sun, 25 Mar 2007 07:10:00 +0800\nFrom: "Zed, Z." <zed@example.com>\n'
        "To: Team: carol@example.net, dave@example.net;\nCc: alpha@example.org\n"
        "Subject: Re: Project kickoff\nMessage-ID: <r1@example.com>\nIn-Reply-To: <root1@example.org>\n"
        "References: <root1@example.org>\n\nEarly morning in Beijing.\n",
    )
    add(
        "25-Mar-2007 04:00:00 +0300",
        "Date: Sat, 24 Mar 2007 20:00:00 -0700\nFrom: carol@example.net (Carol Comment)\n"
        'To: "Beta B" <beta@example.org>\nBcc: hidden-boss@example.org\n'
        "Subject: RE: [proj] Fwd: Project kickoff (fwd)\nMessage-ID: <r2@example.net>\n"
        "References: <root1@example.org> <r1@example.com>\n\nLate evening in California.\n",
    )
    add(
        "26-Mar-2007 00:00:00 +0300",
        "Date: Mon, 26 Mar 2007 00:00:00 +0300\nFrom: =?UTF-8?B?5byg5LiJ?= <zhang@example.cn>\n"
        "To: =?gb2312?B?wO7LxA==?= <li@example.cn>\nSubject: =?UTF-8?B?5Lit5paH5Li76aKY?= report\n"
        "Message-ID: <cn1@example.cn>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n\n" + _b64("季度销售额增长 quarterly growth\n"),
    )
    add(
        "27-Oct-2007 23:00:00 +0300",
        "Date: Sat, 27 Oct 2007 23:00:00 +0300\nFrom: dave@example.net\nTo: alpha@example.org\n"
        "Subject: [FWD: budget]\nMessage-ID: <b1@example.net>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
        "Caf=E9 soci=E9t=E9 budget=\n line\n",
    )
    add(
        "28-Oct-2007 03:00:00 +0200",
        "Date: Sun, 28 Oct 2007 03:00:00 +0200\nFrom: Beta B <beta@example.org>\nTo: zed@example.com\n"
        "Subject: re: Re: budget\nMessage-ID: <b2@example.org>\nIn-Reply-To: <b1@example.net>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=gb18030\nContent-Transfer-Encoding: 8bit\n\n"
        "预算已经批准\n",
        charset="gb18030",
    )
    add(
        "29-Oct-2007 00:00:00 +0200",
        "Date: Mon, 29 Oct 2007 00:00:00 +0200\nFrom: li@example.cn\nTo: zhang@example.cn\n"
        "Subject: =?big5?B?pKSk5Q==?=\nMessage-ID: <tw1@example.cn>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=big5\nContent-Transfer-Encoding: base64\n\n"
        + _b64("繁體中文內容\n", "big5"),
    )
    add(
        "01-Jan-2008 12:00:00 +0000",
        "Date: Tue, 1 Jan 2008 12:00:00 +0000\nFrom: Alpha Person <alpha@example.org>\n"
        "To: beta@example.org, zed@example.com\nSubject: Newsletter\nMessage-ID: <n1@example.org>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=alt\n\n"
        "--alt\nContent-Type: text/plain; charset=us-ascii\n\nplain words only\n"
        "--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        "<p>html <b>xylophone</b> words</p>\n--alt--\n",
    )
    add(
        "02-Jan-2008 12:00:00 +0000",
        "Date: Wed, 2 Jan 2008 12:00:00 +0000\nFrom: <zed@example.com>\nTo: undisclosed-recipients:;\n"
        "Subject: Files\nMessage-ID: <f1@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=mix\n\n--mix\nContent-Type: text/plain\n\nsee files\n"
        "--mix\nContent-Type: text/plain; name=notes.txt\n"
        "Content-Disposition: attachment; filename=notes.txt\n\n"
        "attached quokka notes\n--mix\nContent-Type: application/octet-stream\n"
        "Content-Transfer-Encoding: base64\n\n" + _b64("binary wombat payload") + "--mix--\n",
    )
    add(
        "03-Jan-2008 12:00:00 +0000",
        "From: nodate@example.org\nSubject: No date at all\nMessage-ID: <nd@example.org>\n"
        "References: <missing-parent@example.org>\n\nbody\n",
    )
    add(
        "04-Jan-2008 12:00:00 +0000",
        "Date: not a date\nFrom: nodate@example.org\nSubject: Re: No date at all\n"
        "Message-ID: <nd2@example.org>\nReferences: <missing-parent@example.org>\n\nbody two\n",
    )
    add(
        "05-Jan-2008 12:00:00 +0000",
        "Date: Sat, 5 Jan 2008 12:00:00 +0000\nFrom: alpha@example.org\nSubject: Fw: newsletter\n"
        "Message-ID: <n2@example.org>\n\nforwarded\n",
    )
    add(
        "06-Jan-2008 12:00:00 +0000",
        "Date: Sun, 6 Jan 2008 12:00:00 +0000\nFrom: Carol <carol@example.net>\nCc: Dave <dave@example.net>\n"
        "Subject: [xyz]\nMessage-ID: <x1@example.net>\nIn-Reply-To: <zzz@nowhere>\n\nsquare\n",
    )
    add(
        "07-Jan-2008 12:00:00 +0000",
        "Date: Mon, 7 Jan 2008 12:00:00 +0000\nFrom: Bob <bob@example.org>\nTo: Alpha <alpha@example.org>\n"
        "Subject: Re: Project kickoff\nMessage-ID: <r3@example.org>\nReferences: <r1@example.com>\n\n"
        "late reply\n",
    )
    add(
        "08-Jan-2008 12:00:00 +0000",
        "Date: Mon, 7 Jan 2008 12:00:00 +0000\nFrom: bob@example.org\nSubject: _underscore\n"
        "Message-ID: <u1@example.org>\n\n" + "long body line\n" * 40,
    )
    add(
        "09-Jan-2008 12:00:00 +0000",
        "Date: Wed, 9 Jan 2008 12:00:00 +0000\nFrom: x@example.org\nSubject: parts\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=p\n\npreamble wallaby\n--p\n"
        "Content-Type: text/plain\nContent-Description: platypus notes\n\nfirst part\n--p\n"
        "Content-Type: message/rfc822\n\nFrom: inner@example.org\nSubject: echidna inside\n"
        "X-Inner: numbat\n\ninner body dingo\n--p--\nepilogue bilby\n",
    )
    add(
        "11-Jan-2008 12:00:00 +0000",
        "Date: 24 Mar 2007 23:30 EST\nFrom: old@example.org\n"
        "Subject: =?ISO-8859-1?Q?Soci=E9t=E9_g=E9n=E9rale?=\n"
        "Message-ID: <est@example.org>\n\nSOCIÉTÉ en majuscules\n",
    )
    add(
        "12-Jan-2008 12:00:00 +0000",
        "Date: Sun, 25 Mar 2007 23:59:59 -0000\nFrom: zone@example.org\nSubject: minus zero\n"
        "Message-ID: <mz@example.org>\n\nzone\n",
    )
    # Threading edge cases: a duplicate Message-ID, a reference loop, a self-reference, In-Reply-To
    # only, a dummy parent shared by replies whose subjects also group them with a root.
    thread_mails = [
        ("dup@x", "", "Loop start", "Thu, 10 Jan 2008 10:00:00 +0000"),
        ("dup@x", "", "Re: Loop start", "Thu, 10 Jan 2008 11:00:00 +0000"),
        ("l1@x", "References: <l2@x>\n", "cycle one", "Thu, 10 Jan 2008 12:00:00 +0000"),
        ("l2@x", "References: <l1@x>\n", "cycle two", "Thu, 10 Jan 2008 13:00:00 +0000"),
        ("self@x", "References: <self@x>\n", "myself", "Thu, 10 Jan 2008 14:00:00 +0000"),
        ("irt@x", "In-Reply-To: <l1@x> (comment)\n", "Re: cycle one", "Thu, 10 Jan 2008 09:00:00 +0000"),
        ("d1@x", "References: <ghost@x>\n", "Re: [lst] Ghost topic", "Fri, 11 Jan 2008 10:00:00 +0000"),
        ("d2@x", "References: <ghost@x>\n", "Re: Ghost topic", "Fri, 11 Jan 2008 09:00:00 +0000"),
        ("g0@x", "", "Ghost topic", "Fri, 11 Jan 2008 08:00:00 +0000"),
        ("same1@x", "", "Same time", "Sat, 12 Jan 2008 08:00:00 +0000"),
        ("same2@x", "References: <g0@x>\n", "Same time", "Sat, 12 Jan 2008 08:00:00 +0000"),
    ]
    for n, (mid, extra, subject, date) in enumerate(thread_mails):
        add(
            f"{10 + n:02d}-Feb-2008 12:00:00 +0000",
            f"Date: {date}\nFrom: t{n}@example.org\nSubject: {subject}\nMessage-ID: <{mid}>\n{extra}\nt\n",
        )
    return msgs


SEARCHES = [
    "SENTBEFORE 25-Mar-2007",
    "SENTON 24-Mar-2007",
    "SENTON 25-Mar-2007",
    "SENTSINCE 25-Mar-2007",
    "SENTON 26-Mar-2007",
    "SENTON 28-Oct-2007",
    "SENTBEFORE 29-Oct-2007",
    "SENTSINCE 1-Jan-2008",
    "NOT SENTBEFORE 1-Jan-2000",
    "BEFORE 25-Mar-2007",
    "ON 25-Mar-2007",
    "SINCE 26-Mar-2007",
    "ON 28-Oct-2007",
    'HEADER Message-ID "<r2@example.net>"',
    'HEADER Message-ID "r2@example"',
    'HEADER X-Tracker ""',
    "HEADER X-Tracker 4711",
    'HEADER Subject ""',
    'NOT HEADER Date ""',
    'HEADER References "root1"',
    "HEADER In-Reply-To zzz",
    "FROM alpha",
    'FROM "Alpha Person"',
    "FROM comment",
    "FROM z.",
    "FROM 张三",
    "TO team",
    "TO carol",
    "TO undisclosed",
    "TO 李四",
    "CC alpha",
    "CC dave",
    "BCC boss",
    "SUBJECT kickoff",
    "SUBJECT 中文",
    "SUBJECT 中文",
    'SUBJECT "report"',
    "SUBJECT fwd",
    "BODY zephyr",
    "BODY ZEPHYR",
    "BODY 销售额",
    "BODY société",
    "BODY 批准",
    "BODY 繁體",
    "BODY xylophone",
    "BODY quokka",
    "BODY wombat",
    "TEXT beijing",
    "TEXT 4711",
    "TEXT alpha",
    "TEXT platypus",
    "BODY société",
    "BODY SOCIÉTÉ",
    "SUBJECT SOCIÉTÉ",
    "HEADER Subject générale",
    "SENTON 24-Mar-2007",
    "BODY platypus",
    "TEXT echidna",
    "BODY echidna",
    "SUBJECT echidna",
    "TEXT numbat",
    "BODY numbat",
    "BODY dingo",
    "BODY wallaby",
    "TEXT bilby",
    "LARGER 400",
    "SMALLER 300",
]

SORTS = [
    "ARRIVAL",
    "REVERSE ARRIVAL",
    "DATE",
    "REVERSE DATE",
    "SIZE",
    "SUBJECT",
    "REVERSE SUBJECT",
    "SUBJECT REVERSE DATE",
    "FROM",
    "REVERSE FROM",
    "TO",
    "CC",
    "DISPLAYFROM",
    "DISPLAYTO",
    "REVERSE DISPLAYFROM",
    "FROM DATE",
]

OTHER = [
    "THREAD REFERENCES UTF-8 ALL",
    "THREAD ORDEREDSUBJECT UTF-8 ALL",
    "UID THREAD REFERENCES UTF-8 NOT SUBJECT newsletter",
    "SEARCH RETURN (MIN MAX COUNT) FROM alpha",
    "SEARCH RETURN (PARTIAL 2:4) ALL",
    "SEARCH RETURN (PARTIAL 1:100) FROM nobody",
    "SORT RETURN (ALL) (SUBJECT) UTF-8 ALL",
    "SORT RETURN (MIN MAX COUNT) (DATE) UTF-8 ALL",
    "SORT RETURN (MIN MAX) (REVERSE ARRIVAL) UTF-8 ALL",
    "SEARCH RETURN (SAVE PARTIAL 2:3) ALL",
    "SEARCH $",
    "SEARCH RETURN (PARTIAL 3:5 MIN MAX COUNT) NOT SEEN",
    "SORT RETURN (PARTIAL 1:5) (REVERSE ARRIVAL) UTF-8 ALL",
    "UID SORT RETURN (PARTIAL 2:3 COUNT) (SUBJECT) UTF-8 ALL",
]


def commands() -> list[str]:
    out = [f"SEARCH CHARSET UTF-8 {c}" for c in SEARCHES]
    out += [f"SORT ({c}) UTF-8 ALL" for c in SORTS]
    return out + OTHER


async def _load(client: ImapTestClient) -> None:
    for internal, message in corpus():
        await client.expect("OK", f'APPEND INBOX "{internal}" ', Lit(message))
    await client.select()


def _answer(lines: list[bytes]) -> list[bytes]:
    wanted = (b"* SEARCH", b"* SORT", b"* THREAD", b"* ESEARCH")
    return [_TAG.sub(b"(TAG)", line.rstrip()) for line in lines if line.upper().startswith(wanted)]


async def _answers(client: ImapTestClient) -> dict[str, tuple[str, list[bytes]]]:
    out = {}
    for command in commands():
        segments: list[str | Lit] = [command]
        if not command.isascii():
            # Non-ASCII search strings go as a literal (RFC 3501 §4.3), as clients send them.
            head, _, word = command.rpartition(" ")
            segments = [head + " ", Lit(word.encode())]
        result = await client.command(*segments)
        out[command] = (result.status, _answer(result.untagged))
    return out


async def test_search_sort_thread_answers_equal_dovecots(
    imap: ImapEnv,
    dovecot: tuple[str, int],  # noqa: F811
) -> None:
    ours = await imap.client()
    theirs = await ImapTestClient.connect(*dovecot)
    await theirs.login("tester", "secret")
    await _load(ours)
    await _load(theirs)
    expected = await _answers(theirs)
    got = await _answers(ours)
    await ours.close()
    await theirs.close()
    mismatches = [
        f"{command}\n  dovecot: {expected[command]!r}\n  yunmail: {got[command]!r}"
        for command in expected
        if expected[command] != got[command]
    ]
    assert not mismatches, f"{len(mismatches)} differences:\n" + "\n".join(mismatches)


# RFC 5267 §4 context updates: the same STORE/EXPUNGE sequence must give the same ADDTO/REMOVEFROM
# (and EXPUNGE, in the same order) as Dovecot. SEARCH contexts only: Dovecot reports position 0.
UPDATE_SCRIPT = [
    "SEARCH RETURN (UPDATE ALL) SEEN",
    "UID SEARCH RETURN (UPDATE) OR FLAGGED SUBJECT budget",
    "STORE 1,2,5 +FLAGS (\\Seen)",
    "STORE 2:3 +FLAGS (\\Flagged)",
    "STORE 1 -FLAGS (\\Seen)",
    "STORE 2,5,6 +FLAGS (\\Deleted)",
    "EXPUNGE",
    "UID STORE 1:* -FLAGS (\\Flagged)",
    "NOOP",
]


async def _run_script(client: ImapTestClient) -> list[tuple[str, list[bytes]]]:
    out = []
    tags: dict[bytes, bytes] = {}
    for command in UPDATE_SCRIPT:
        result = await client.command(command)
        lines = []
        for line in result.untagged:
            if b"ESEARCH" in line:
                found = _TAG.search(line)
                assert found is not None
                # Name contexts by the order they were made in, not by their tags.
                label = tags.setdefault(found.group(), b"(TAG %d)" % len(tags))
                lines.append(line.replace(found.group(), label).rstrip())
            elif line.endswith(b"EXPUNGE"):
                lines.append(line.rstrip())
        out.append((f"{command} -> {result.status}", lines))
    return out


async def test_context_updates_equal_dovecots(
    imap: ImapEnv,
    dovecot: tuple[str, int],  # noqa: F811
) -> None:
    ours = await imap.client()
    theirs = await ImapTestClient.connect(*dovecot)
    await theirs.login("tester", "secret")
    await _load(ours)
    await _load(theirs)
    expected = await _run_script(theirs)
    got = await _run_script(ours)
    await ours.close()
    await theirs.close()
    assert got == expected
