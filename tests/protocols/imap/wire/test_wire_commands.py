"""Command parsing (RFC 3501, RFC 9051 §6 and extensions): RFC examples, errors, framing splits, fuzz."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.budgets import examples
from yunmail.protocols.imap.wire import codes, parse_command, parse_idle_done, parse_sasl_response
from yunmail.protocols.imap.wire import commands as c
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.fetch_items import ALL, BinarySection, BodySection, FetchAttr, Section
from yunmail.protocols.imap.wire.search_keys import All, And, Contains, DateKey, HasFlag, ModSeq, Not, SeqSet
from yunmail.protocols.imap.wire.sequence_set import SAVED, SequenceSet
from yunmail.protocols.imap.wire.tokenizer import CommandReceived, Framer, LiteralAnnounced

S = SequenceSet.parse
MSG = b"Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nSubject: hi\r\n\r\nHello\r\n"

EXAMPLES: list[tuple[bytes, c.Command]] = [
    # RFC 9051 §6.1 / §6.2
    (b"abcd CAPABILITY", c.Capability("abcd")),
    (b"a002 NOOP", c.Noop("a002")),
    (b"A023 LOGOUT", c.Logout("A023")),
    (b"a002 STARTTLS", c.StartTLS("a002")),
    (b"a001 LOGIN SMITH SESAME", c.Login("a001", "SMITH", "SESAME")),
    (b'a001 LOGIN "fred@example.com" "p a\\"ss"', c.Login("a001", "fred@example.com", 'p a"ss')),
    (
        b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man",
        c.Login("A001", "FRED FOOBAR", "fat man"),
    ),  # RFC 7888 §3
    (b"A001 AUTHENTICATE GSSAPI", c.Authenticate("A001", "GSSAPI")),
    (
        b"a01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=",
        c.Authenticate("a01", "PLAIN", b"test\x00test\x00test"),
    ),  # RFC 4959
    (b"a02 authenticate plain =", c.Authenticate("a02", "PLAIN", b"")),
    # RFC 9051 §6.3
    (b"t2 ENABLE CONDSTORE X-GOOD-IDEA", c.Enable("t2", ("CONDSTORE", "X-GOOD-IDEA"))),  # RFC 5161 §4
    (b"A142 SELECT INBOX", c.Select("A142", "INBOX")),
    (b"A142 select inbox", c.Select("A142", "INBOX")),
    (b"A932 EXAMINE blurdybloop", c.Examine("A932", "blurdybloop")),
    (b"a SELECT INBOX (CONDSTORE)", c.Select("a", "INBOX", condstore=True)),  # RFC 7162 §3.1.8
    (
        b"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))",  # RFC 7162 §3.2.5
        c.Select("A02", "INBOX", qresync=c.QResync(67890007, 20050715194045000, S("41,43:211,214:541"))),
    ),
    (
        b"B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
        b"15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))",
        c.Select(
            "B04",
            "INBOX",
            qresync=c.QResync(
                67890007,
                90060115194045000,
                S("1:29997"),
                (
                    S("5000,7500,9000,9990:9999"),
                    S("15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997"),
                ),
            ),
        ),
    ),
    (b"a SELECT x (QRESYNC (1 2))", c.Select("a", "x", qresync=c.QResync(1, 2))),
    (b"A003 CREATE owatagusiam/", c.Create("A003", "owatagusiam/")),
    (
        b"t1 CREATE MySpecial (USE (\\Drafts \\Sent))",
        c.Create("t1", "MySpecial", ("\\Drafts", "\\Sent")),
    ),  # RFC 6154 §5.2
    (b"A683 DELETE blurdybloop", c.Delete("A683", "blurdybloop")),
    (b"A682 RENAME blurdybloop sarasoop", c.Rename("A682", "blurdybloop", "sarasoop")),
    (b"A002 SUBSCRIBE #news.comp.mail.mime", c.Subscribe("A002", "#news.comp.mail.mime")),
    (b"A002 UNSUBSCRIBE #news.comp.mail.mime", c.Unsubscribe("A002", "#news.comp.mail.mime")),
    (b'A101 LIST "" ""', c.List("A101", "", ("",))),
    (b"A202 LIST ~/Mail/ %", c.List("A202", "~/Mail/", ("%",))),
    (b'A682 LIST "" *', c.List("A682", "", ("*",))),
    (b"A02 LIST #news. comp.mail.*", c.List("A02", "#news.", ("comp.mail.*",))),
    (
        b'A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)',  # RFC 5258 §5
        c.List("A02", "", ("%",), ("SUBSCRIBED", "RECURSIVEMATCH"), ("CHILDREN",), extended=True),
    ),
    (
        b'A04 LIST "" ("INBOX" "Drafts" "Sent/%")',  # RFC 5258 §5
        c.List("A04", "", ("INBOX", "Drafts", "Sent/%"), extended=True),
    ),
    (
        b'A01 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))',  # RFC 5819 §2
        c.List("A01", "", ("%",), (), ("STATUS",), ("MESSAGES", "UNSEEN"), extended=True),
    ),
    (b't1 LIST (SPECIAL-USE) "" "*"', c.List("t1", "", ("*",), ("SPECIAL-USE",), extended=True)),  # RFC 6154
    (b'A002 LSUB "#news." "comp.mail.*"', c.Lsub("A002", "#news.", "comp.mail.*")),
    (b"A001 NAMESPACE", c.Namespace("A001")),
    (b"A042 STATUS blurdybloop (UIDNEXT MESSAGES)", c.Status("A042", "blurdybloop", ("UIDNEXT", "MESSAGES"))),
    (
        b"a STATUS INBOX (HIGHESTMODSEQ SIZE DELETED APPENDLIMIT)",
        c.Status("a", "INBOX", ("HIGHESTMODSEQ", "SIZE", "DELETED", "APPENDLIMIT")),
    ),
    (
        b"A003 APPEND saved-messages (\\Seen) {%d}\r\n%s" % (len(MSG), MSG),  # RFC 9051 §6.3.12
        c.Append("A003", "saved-messages", (c.AppendMessage(MSG, ("\\Seen",)),)),
    ),
    (
        b'A003 APPEND saved-messages (\\Seen $Forwarded) " 7-Feb-1994 21:52:25 -0800" {%d+}\r\n%s'
        % (len(MSG), MSG),
        c.Append(
            "A003",
            "saved-messages",
            (
                c.AppendMessage(
                    MSG,
                    ("\\Seen", "$Forwarded"),
                    dt.datetime(1994, 2, 7, 21, 52, 25, tzinfo=dt.timezone(-dt.timedelta(hours=8))),
                ),
            ),
        ),
    ),
    (
        b"A003 APPEND saved-messages (\\Seen) {5}\r\nfirst {6}\r\nsecond",  # RFC 3502 MULTIAPPEND
        c.Append(
            "A003", "saved-messages", (c.AppendMessage(b"first", ("\\Seen",)), c.AppendMessage(b"second"))
        ),
    ),
    (
        b"a APPEND INBOX UTF8 (~{5}\r\nhe\x00lo)",  # RFC 6855 §4
        c.Append("a", "INBOX", (c.AppendMessage(b"he\x00lo", binary=True, utf8=True),)),
    ),
    (
        b"a APPEND INBOX ~{2}\r\n\x00\x01",
        c.Append("a", "INBOX", (c.AppendMessage(b"\x00\x01", binary=True),)),
    ),
    (b"a002 IDLE", c.Idle("a002")),
    (b'G0001 GETQUOTA "!partition/sda4"', c.GetQuota("G0001", "!partition/sda4")),  # RFC 9208
    (b"S0000 GETQUOTAROOT INBOX", c.GetQuotaRoot("S0000", "INBOX")),
    (
        b'S0001 SETQUOTA "" (STORAGE 512 message 1000)',
        c.SetQuota("S0001", "", (("STORAGE", 512), ("MESSAGE", 1000))),
    ),
    (
        b'a023 ID ("name" "sodr" "version" "19.34" "vendor" NIL)',  # RFC 2971 §3.1
        c.Id("a023", (("name", "sodr"), ("version", "19.34"), ("vendor", None))),
    ),
    (b"a023 ID NIL", c.Id("a023", None)),
    (b"a023 ID ()", c.Id("a023", ())),
    (b"a COMPRESS DEFLATE", c.Compress("a", "DEFLATE")),  # RFC 4978
    # RFC 9051 §6.4
    (b"FXXZ CHECK", c.Check("FXXZ")),
    (b"A341 CLOSE", c.Close("A341")),
    (b"A342 UNSELECT", c.Unselect("A342")),
    (b"A202 EXPUNGE", c.Expunge("A202")),
    (b"A003 UID EXPUNGE 3000:3002", c.Expunge("A003", S("3000:3002"))),  # RFC 4315 §2.1
    (
        b'A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"',
        c.Search(
            "A282",
            And(
                (
                    HasFlag("\\Flagged"),
                    DateKey("INTERNAL", "SINCE", dt.date(1994, 2, 1)),
                    Not(Contains("FROM", "Smith")),
                )
            ),
        ),
    ),
    (
        "A284 SEARCH CHARSET UTF-8 TEXT {9}\r\n台北南".encode(),  # RFC 9051 §6.4.4
        c.Search("A284", Contains("TEXT", "台北南"), charset="UTF-8"),
    ),
    (
        b"A283 SEARCH RETURN (MIN COUNT) FLAGGED",  # RFC 4731 §3.1
        c.Search("A283", HasFlag("\\Flagged"), returns=("MIN", "COUNT")),
    ),
    (b"A284 SEARCH RETURN () ALL", c.Search("A284", All(), returns=())),
    (
        b"A282 SEARCH RETURN (SAVE) FLAGGED",
        c.Search("A282", HasFlag("\\Flagged"), returns=("SAVE",)),
    ),  # RFC 5182
    (b"a UID SEARCH MODSEQ 620162338", c.Search("a", ModSeq(620162338), uid=True)),  # RFC 7162
    (b"A283 FETCH $ (UID FLAGS)", c.Fetch("A283", SAVED, (FetchAttr("UID"), FetchAttr("FLAGS")))),
    (
        b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])",  # RFC 9051 §6.4.5
        c.Fetch(
            "A654",
            S("2:4"),
            (FetchAttr("FLAGS"), BodySection(Section((), "HEADER.FIELDS", ("DATE", "FROM")))),
        ),
    ),
    (b"a FETCH 1:* ALL", c.Fetch("a", S("1:*"), ALL)),
    (
        b"A999 UID FETCH 4827313:4828442 FLAGS",
        c.Fetch("A999", S("4827313:4828442"), (FetchAttr("FLAGS"),), uid=True),
    ),
    (
        b"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)",  # RFC 7162 §3.2.6
        c.Fetch("s100", S("300:500"), (FetchAttr("FLAGS"),), uid=True, changedsince=12345, vanished=True),
    ),
    (
        b"a FETCH 1 (BINARY.PEEK[1]<0.10>)",
        c.Fetch("a", S("1"), (BinarySection((1,), peek=True, partial=(0, 10)),)),
    ),
    (
        b"A003 STORE 2:4 +FLAGS (\\Deleted)",  # RFC 9051 §6.4.6
        c.Store("A003", S("2:4"), "add", ("\\Deleted",)),
    ),
    (
        b"a STORE 1 FLAGS.SILENT \\seen $Junk",
        c.Store("a", S("1"), "replace", ("\\Seen", "$Junk"), silent=True),
    ),
    (b"a STORE 1 -FLAGS ()", c.Store("a", S("1"), "remove", ())),
    (
        b"a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)",  # RFC 7162 §3.1.3
        c.Store("a103", S("6,4,8"), "add", ("\\Deleted",), silent=True, uid=True, unchangedsince=12121230045),
    ),
    (b"A003 COPY 2:4 MEETING", c.Copy("A003", S("2:4"), "MEETING")),
    (b"a UID MOVE 42:69 foo", c.Move("a", S("42:69"), "foo", uid=True)),  # RFC 6851
    (
        b"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL",  # RFC 5256 §3
        c.Sort(
            "A283",
            (c.SortCriterion("SUBJECT"), c.SortCriterion("DATE", reverse=True)),
            "UTF-8",
            All(),
        ),
    ),
    (
        b'A284 UID SORT (SUBJECT) US-ASCII TEXT "not in mailbox"',
        c.Sort(
            "A284", (c.SortCriterion("SUBJECT"),), "US-ASCII", Contains("TEXT", "not in mailbox"), uid=True
        ),
    ),
    (
        b"A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000",  # RFC 5256 §3
        c.Thread("A283", "ORDEREDSUBJECT", "UTF-8", DateKey("INTERNAL", "SINCE", dt.date(2000, 3, 5))),
    ),
    (
        b'A284 THREAD REFERENCES US-ASCII TEXT "gewp"',
        c.Thread("A284", "REFERENCES", "US-ASCII", Contains("TEXT", "gewp")),
    ),
    (b"x UID SEARCH 1:5 UNSEEN", c.Search("x", And((SeqSet(S("1:5")), Not(HasFlag("\\Seen")))), uid=True)),
]


@pytest.mark.parametrize(("data", "command"), EXAMPLES, ids=[e[0][:40].decode("latin-1") for e in EXAMPLES])
def test_rfc_examples(data: bytes, command: c.Command) -> None:
    assert parse_command(data) == command
    assert parse_command(data + b"\r\n") == command


def frame_one_byte_at_a_time(data: bytes) -> list[bytes]:
    framer = Framer()
    out: list[bytes] = []
    for i in range(len(data)):
        framer.feed(data[i : i + 1])
        while (event := framer.next_event()) is not None:
            if isinstance(event, CommandReceived):
                out.append(event.data)
    return out


@pytest.mark.parametrize(("data", "command"), EXAMPLES, ids=[e[0][:40].decode("latin-1") for e in EXAMPLES])
def test_split_one_byte_at_a_time_parses_identically(data: bytes, command: c.Command) -> None:
    framed = frame_one_byte_at_a_time(data + b"\r\n")
    assert len(framed) == 1
    assert parse_command(framed[0]) == command


def test_whole_session_split_anywhere_parses_identically() -> None:
    stream = b"".join(d + b"\r\n" for d, _ in EXAMPLES)
    expected = [cmd for _, cmd in EXAMPLES]
    assert [parse_command(f) for f in frame_one_byte_at_a_time(stream)] == expected
    framer = Framer()
    framer.feed(stream)
    got = []
    while (event := framer.next_event()) is not None:
        if isinstance(event, CommandReceived):
            got.append(parse_command(event.data))
        else:
            assert isinstance(event, LiteralAnnounced)
    assert got == expected


# --- mailbox names ---------------------------------------------------------------------------------


def test_mailbox_names_are_decoded_from_modified_utf7_rfc3501_5_1_3() -> None:
    assert parse_command(b"a SELECT &V4NXPpCuTvY-") == c.Select("a", "垃圾邮件")
    assert parse_command(b'a CREATE "~peter/mail/&U,BTFw-/&ZeVnLIqe-"') == c.Create(
        "a", "~peter/mail/台北/日本語"
    )


def test_invalid_modified_utf7_is_bad() -> None:
    with pytest.raises(WireError) as info:
        parse_command(b"a SELECT &Jjo!")
    assert info.value.tag == "a"
    assert info.value.command == "SELECT"


def test_utf8_mailbox_names_in_utf8_accept_mode_rfc6855_3() -> None:
    assert parse_command('a SELECT "收件箱/&项目"'.encode(), utf8=True) == c.Select("a", "收件箱/&项目")


def test_8bit_mailbox_name_without_utf8_mode_is_taken_as_utf8() -> None:
    assert parse_command('a SELECT "已发送"'.encode()) == c.Select("a", "已发送")


def test_list_pattern_wildcards_survive_utf7_decoding() -> None:
    assert parse_command(b'a LIST "" &ZeVnLIqe-/*') == c.List("a", "", ("日本語/*",))


def test_login_repr_hides_password() -> None:
    assert "SESAME" not in repr(parse_command(b"a LOGIN SMITH SESAME"))


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "tag", "command"),
    [
        (b"a1 FROBNICATE", "a1", "FROBNICATE"),
        (b"a1 UID NOOP", "a1", "UID NOOP"),
        (b"a1 NOOP extra", "a1", "NOOP"),
        (b"a1 SELECT", "a1", "SELECT"),
        (b"a1 SELECT INBOX (FOO)", "a1", "SELECT"),  # RFC 4466 §2.1: unknown select-param is BAD
        (b"a1 SELECT INBOX ()", "a1", "SELECT"),
        (b"a1 SELECT INBOX (QRESYNC (1 2 1:*))", "a1", "SELECT"),  # RFC 7162: no "*" in known-uids
        (b"a1 SELECT INBOX (QRESYNC (0 2))", "a1", "SELECT"),
        (b'a1 LIST (RECURSIVEMATCH) "" *', "a1", "LIST"),  # RFC 5258 §3
        (b'a1 LIST (BOGUS) "" *', "a1", "LIST"),
        (b'a1 LIST "" * RETURN (BOGUS)', "a1", "LIST"),
        (b"a1 STATUS INBOX ()", "a1", "STATUS"),
        (b"a1 STATUS INBOX (FOO)", "a1", "STATUS"),
        (b"a1 APPEND INBOX", "a1", "APPEND"),
        (b"a1 APPEND INBOX (\\Seen)", "a1", "APPEND"),
        (b'a1 APPEND INBOX "31-Feb-2020 00:00:00 +0000" {1}\r\nx', "a1", "APPEND"),
        (b"a1 APPEND INBOX {3}\r\na\x00b", "a1", "APPEND"),  # NUL needs literal8
        (b"a1 FETCH 1 (FLAGS) (VANISHED)", "a1", "FETCH"),  # RFC 7162 §3.2.6
        (b"a1 UID FETCH 1 (FLAGS) (VANISHED)", "a1", "UID FETCH"),
        (b"a1 FETCH 0 FLAGS", "a1", "FETCH"),
        (b"a1 FETCH 1", "a1", "FETCH"),
        (b"a1 STORE 1 FLAGS \\*", "a1", "STORE"),
        (b"a1 STORE 1 XFLAGS (\\Seen)", "a1", "STORE"),
        (b"a1 SEARCH", "a1", "SEARCH"),
        (b"a1 SEARCH RETURN (BOGUS) ALL", "a1", "SEARCH"),
        (b"a1 SORT (BOGUS) UTF-8 ALL", "a1", "SORT"),
        (b"a1 SORT (DATE) ALL", "a1", "SORT"),
        (b"a1 THREAD BOGUS UTF-8 ALL", "a1", "THREAD"),
        (b"a1 COMPRESS GZIP", "a1", "COMPRESS"),
        (b"a1 AUTHENTICATE PLAIN ***", "a1", "AUTHENTICATE"),
        (b"a1 AUTHENTICATE PLAIN abc", "a1", "AUTHENTICATE"),
        (b"a1 CREATE x (USE (\\Bogus))", "a1", "CREATE"),
        (b"a1 ENABLE", "a1", "ENABLE"),
        (b"a1  NOOP", "a1", None),
        (b"a1 LOGIN \xff\xfe pw", "a1", "LOGIN"),
        (b'a1 ID ("a")', "a1", "ID"),
    ],
)
def test_errors_carry_tag_and_command(data: bytes, tag: str, command: str | None) -> None:
    with pytest.raises(WireError) as info:
        parse_command(data)
    assert info.value.tag == tag
    assert info.value.command == command
    assert info.value.status == "BAD"


@pytest.mark.parametrize("data", [b"", b"\r\n", b"+ NOOP", b"(x) NOOP", b" NOOP"])
def test_unreadable_tag_gives_untagged_error(data: bytes) -> None:
    with pytest.raises(WireError) as info:
        parse_command(data)
    assert info.value.tag is None


def test_bad_charset_answers_no_with_tag() -> None:
    with pytest.raises(WireError) as info:
        parse_command(b"A1 SEARCH CHARSET KOI8-R TEXT x")
    err = info.value
    assert (err.tag, err.command, err.status) == ("A1", "SEARCH", "NO")
    assert err.response_code == codes.ResponseCode.badcharset(["UTF-8", "US-ASCII"])


def test_deeply_nested_search_is_limited_not_recursion_error() -> None:
    with pytest.raises(WireError) as info:
        parse_command(b"a SEARCH " + b"(" * 10_000 + b"ALL" + b")" * 10_000)
    assert info.value.response_code == codes.LIMIT
    assert info.value.tag == "a"


# --- lines that are not commands ----------------------------------------------------------------------


def test_idle_done_rfc2177() -> None:
    parse_idle_done(b"DONE")
    parse_idle_done(b"done\r\n")
    with pytest.raises(WireError):
        parse_idle_done(b"a2 NOOP")


def test_sasl_responses_rfc9051_6_2_2() -> None:
    assert parse_sasl_response(b"dGVzdA==") == b"test"
    assert parse_sasl_response(b"") == b""
    assert parse_sasl_response(b"*") is None
    with pytest.raises(WireError):
        parse_sasl_response(b"not base64!")


# --- fuzz ------------------------------------------------------------------------------------------------


def parse_or_wire_error(data: bytes, utf8: bool = False) -> None:
    with contextlib.suppress(WireError):
        parse_command(data, utf8=utf8)


@settings(max_examples=examples(300))
@given(st.binary(max_size=300), st.booleans())
def test_fuzz_binary_raises_only_wire_error(data: bytes, utf8: bool) -> None:
    parse_or_wire_error(data, utf8)


_NAMES = sorted(
    {d.split(b" ")[1] for d, _ in EXAMPLES} | {b"UID FETCH", b"UID STORE", b"UID SORT", b"UID THREAD"}
)
_ARGS = st.sampled_from(
    [b" ", b"(", b")", b"INBOX", b'"x"', b"{3}\r\nabc", b"~{1}\r\n\x00", b"1:*", b"$", b"NIL", b"\\Seen",
     b"FLAGS", b"+FLAGS.SILENT", b"(UNCHANGEDSINCE 5)", b"(CHANGEDSINCE 1 VANISHED)", b"RETURN (", b"CHARSET",
     b"UTF-8", b"BODY.PEEK[HEADER.FIELDS (From)]<0.5>", b"QRESYNC", b"CONDSTORE", b"USE", b"STATUS",
     b"&ZeVnLIqe-", b"=", b'" 7-Feb-1994 21:52:25 -0800"', b"UTF8 (", b"OR", b"NOT", b"12", b"REVERSE",
     b"DATE", b"MODSEQ", b"\r\n"]
)  # fmt: skip


@settings(max_examples=examples(500))
@given(st.sampled_from(_NAMES), st.lists(_ARGS, max_size=20), st.booleans())
def test_fuzz_structured_commands_raise_only_wire_error(name: bytes, args: list[bytes], utf8: bool) -> None:
    parse_or_wire_error(b"t1 " + name + b" " + b"".join(args), utf8)


@given(st.sampled_from(EXAMPLES), st.integers(min_value=0), st.binary(min_size=1, max_size=3))
def test_fuzz_mutated_examples_raise_only_wire_error(
    example: tuple[bytes, c.Command], pos: int, junk: bytes
) -> None:
    data = example[0]
    i = pos % (len(data) + 1)
    parse_or_wire_error(data[:i] + junk + data[i + 1 :])


@settings(max_examples=examples(300))
@given(
    st.lists(st.one_of(st.sampled_from([d for d, _ in EXAMPLES]), st.binary(max_size=40)), max_size=6),
    st.integers(min_value=1, max_value=17),
)
def test_fuzz_framer_then_parser_raise_only_wire_error(pieces: list[bytes], chunk: int) -> None:
    """Whatever a client sends, framing plus parsing yields commands or WireErrors, and terminates."""
    stream = b"\r\n".join(pieces) + b"\r\n"
    framer = Framer()
    budget = 4 * len(stream) + 20
    for i in range(0, len(stream), chunk):
        framer.feed(stream[i : i + chunk])
        while True:
            budget -= 1
            assert budget > 0
            try:
                event = framer.next_event()
            except WireError:
                continue
            if event is None:
                break
            if isinstance(event, CommandReceived):
                parse_or_wire_error(event.data)
