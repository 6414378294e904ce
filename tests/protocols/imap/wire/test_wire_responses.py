"""Response rendering (RFC 9051 §7 and extensions): byte-exact RFC examples and value choice."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yunmail.protocols.imap.wire import codes
from yunmail.protocols.imap.wire import responses as r
from yunmail.protocols.imap.wire.codes import ResponseCode
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.fetch_items import BodySection, Section
from yunmail.protocols.imap.wire.sequence_set import SequenceSet
from yunmail.protocols.imap.wire.tokenizer import Reader
from yunmail.protocols.imap.wire.values import (
    LiteralValue,
    Raw,
    RawAtom,
    RenderValue,
    render_mailbox,
    render_string,
    render_value,
)

S = SequenceSet.parse
PDT = dt.timezone(-dt.timedelta(hours=7))

EXAMPLES: list[tuple[r.Response, bytes]] = [
    # RFC 9051 §7.1 status responses and codes
    (r.Tagged("A142", "OK", "SELECT completed", codes.READ_WRITE), b"A142 OK [READ-WRITE] SELECT completed"),
    (r.Tagged("A003", "NO", "COPY failed", codes.TRYCREATE), b"A003 NO [TRYCREATE] COPY failed"),
    (
        r.Untagged("OK", "Predicted next UID", ResponseCode.uidnext(4392)),
        b"* OK [UIDNEXT 4392] Predicted next UID",
    ),
    (
        r.Untagged("OK", "UIDs valid", ResponseCode.uidvalidity(3857529045)),
        b"* OK [UIDVALIDITY 3857529045] UIDs valid",
    ),
    (
        r.Untagged("OK", "Limited", ResponseCode.permanentflags(["\\Deleted", "\\Seen", "\\*"])),
        b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited",
    ),
    (
        r.Untagged("OK", "Ready", ResponseCode.capability(["IMAP4rev2", "STARTTLS", "AUTH=PLAIN"])),
        b"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=PLAIN] Ready",
    ),
    (r.Untagged("BYE", "Autologout; idle for too long"), b"* BYE Autologout; idle for too long"),
    (r.Untagged("PREAUTH", "Welcome"), b"* PREAUTH Welcome"),
    (
        r.Tagged("A003", "OK", "APPEND completed", ResponseCode.appenduid(38505, 3955)),  # RFC 4315 §3
        b"A003 OK [APPENDUID 38505 3955] APPEND completed",
    ),
    (
        r.Tagged("A004", "OK", "Done", ResponseCode.copyuid(38505, S("304,319:320"), S("3956:3958"))),
        b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done",
    ),
    (
        r.Untagged("OK", "Highest", ResponseCode.highestmodseq(715194045007)),  # RFC 7162 §3.1.2.1
        b"* OK [HIGHESTMODSEQ 715194045007] Highest",
    ),
    (r.Untagged("OK", "Sorry, no modseq", codes.NOMODSEQ), b"* OK [NOMODSEQ] Sorry, no modseq"),
    (
        r.Tagged("d105", "OK", "Conditional STORE failed", ResponseCode.modified(S("7,9"))),
        b"d105 OK [MODIFIED 7,9] Conditional STORE failed",
    ),
    (
        r.Untagged("OK", "Previous mailbox is now closed", codes.CLOSED),
        b"* OK [CLOSED] Previous mailbox is now closed",
    ),
    (
        r.Tagged("A1", "NO", "unsupported", ResponseCode.badcharset(["UTF-8", "US-ASCII"])),
        b"A1 NO [BADCHARSET (UTF-8 US-ASCII)] unsupported",
    ),
    (r.Tagged("a", "NO", "Over quota", codes.OVERQUOTA), b"a NO [OVERQUOTA] Over quota"),  # RFC 5530
    (r.Tagged("a", "NO", "Bad login", codes.AUTHENTICATIONFAILED), b"a NO [AUTHENTICATIONFAILED] Bad login"),
    (r.Tagged("a", "NO", "Exists", codes.ALREADYEXISTS), b"a NO [ALREADYEXISTS] Exists"),
    (r.Tagged("a", "BAD", "Too big", codes.TOOBIG), b"a BAD [TOOBIG] Too big"),
    (r.Continuation("Ready for additional command text"), b"+ Ready for additional command text"),
    (r.Continuation(challenge=b""), b"+ "),
    (r.Continuation(challenge=b"\x00abc"), b"+ AGFiYw=="),
    # RFC 9051 §7.3, §7.4
    (r.Exists(23), b"* 23 EXISTS"),
    (r.Recent(5), b"* 5 RECENT"),
    (r.Expunge(44), b"* 44 EXPUNGE"),
    (
        r.Vanished(S("41,43:116,118,120:211,214:540"), earlier=True),
        b"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540",
    ),
    (r.Vanished(S("405,407,410,425")), b"* VANISHED 405,407,410,425"),  # RFC 7162 §3.2.10
    (
        r.Flags(("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft")),
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
    ),
    (
        r.Fetch(
            12,
            (
                ("FLAGS", r.flags_value(["\\Seen"])),
                ("INTERNALDATE", r.format_date_time(dt.datetime(1996, 7, 17, 2, 44, 25, tzinfo=PDT))),
                ("RFC822.SIZE", 4286),
                ("UID", 4827313),
                ("MODSEQ", (12111230047,)),
            ),
        ),
        b'* 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 UID 4827313 '
        b"MODSEQ (12111230047))",
    ),
    (
        r.Fetch(3, ((BodySection(Section((), "HEADER"), peek=True, partial=(0, 5)), b"Hi\r\n\r\n"),)),
        b"* 3 FETCH (BODY[HEADER]<0> {6}\r\nHi\r\n\r\n)",
    ),
    (r.Fetch(1, (("BINARY[]", LiteralValue(b"\x00", binary=True)),)), b"* 1 FETCH (BINARY[] ~{1}\r\n\x00)"),
    (
        r.Fetch(
            7, (("ENVELOPE", ("Wed, 17 Jul 1996 02:23:25 -0700", "IMAP4rev2 WG mtg summary", None, (), 1)),)
        ),
        b'* 7 FETCH (ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700" "IMAP4rev2 WG mtg summary" NIL () 1))',
    ),
    # RFC 9051 §7.2, §7.3.1
    (r.ListItem("blurdybloop", "/", ("\\HasNoChildren",)), b'* LIST (\\HasNoChildren) "/" "blurdybloop"'),
    (r.ListItem("INBOX", ".", ()), b'* LIST () "." "INBOX"'),
    (r.ListItem("foo", None, ("\\Noselect",)), b'* LIST (\\Noselect) NIL "foo"'),
    (r.ListItem("台北", "/", ("\\Sent",)), b'* LIST (\\Sent) "/" "&U,BTFw-"'),
    (
        r.ListItem("Foo", "/", ("\\HasChildren",), child_info=("SUBSCRIBED",)),  # RFC 5258 §5
        b'* LIST (\\HasChildren) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))',
    ),
    (
        r.ListItem("NewName", "/", (), old_name="OldName"),  # RFC 9051 §7.3.1 OLDNAME
        b'* LIST () "/" "NewName" ("OLDNAME" ("OldName"))',
    ),
    (r.ListItem("Sent", "/", (), kind="LSUB"), b'* LSUB () "/" "Sent"'),
    (
        r.StatusData("blurdybloop", (("MESSAGES", 231), ("UIDNEXT", 44292))),
        b'* STATUS "blurdybloop" (MESSAGES 231 UIDNEXT 44292)',
    ),
    (r.StatusData("x", (("MAILBOXID", (RawAtom("F2212ea87"),)),)), b'* STATUS "x" (MAILBOXID (F2212ea87))'),
    (r.SearchData((2, 84, 882)), b"* SEARCH 2 84 882"),
    (r.SearchData(()), b"* SEARCH"),
    (r.SearchData((2, 5, 6), modseq=917162500), b"* SEARCH 2 5 6 (MODSEQ 917162500)"),  # RFC 7162 §3.1.5
    (r.ESearch("A282", min=2, count=3), b'* ESEARCH (TAG "A282") MIN 2 COUNT 3'),  # RFC 4731 §3.1
    (r.ESearch("A283", uid=True, all=S("2,10:11")), b'* ESEARCH (TAG "A283") UID ALL 2,10:11'),
    (r.ESearch("A284", count=0), b'* ESEARCH (TAG "A284") COUNT 0'),
    (r.SortData((2, 84, 882)), b"* SORT 2 84 882"),  # RFC 5256 §4
    (
        r.ThreadData(  # RFC 5256 §4
            (
                r.ThreadNode(2),
                r.ThreadNode(
                    3,
                    (
                        r.ThreadNode(
                            6,
                            (
                                r.ThreadNode(4, (r.ThreadNode(23),)),
                                r.ThreadNode(44, (r.ThreadNode(7, (r.ThreadNode(96),)),)),
                            ),
                        ),
                    ),
                ),
            )
        ),
        b"* THREAD (2)(3 6 (4 23)(44 7 96))",
    ),
    (r.ThreadData((r.ThreadNode(None, (r.ThreadNode(3), r.ThreadNode(5))),)), b"* THREAD ((3)(5))"),
    (r.ThreadData(()), b"* THREAD"),
    (
        r.CapabilityData(("IMAP4rev2", "STARTTLS", "AUTH=GSSAPI", "LOGINDISABLED")),
        b"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED",
    ),
    (r.Enabled(("CONDSTORE",)), b"* ENABLED CONDSTORE"),  # RFC 5161 §3.2
    (r.Enabled(()), b"* ENABLED"),
    (r.NamespaceData((("", "/"),)), b'* NAMESPACE (("" "/")) NIL NIL'),  # RFC 2342 §5
    (
        r.NamespaceData((("", "/"),), (("~", "/"),), (("#shared/", "/"), ("#public/", "/"))),
        b'* NAMESPACE (("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/"))',
    ),
    (
        r.IdData((("name", "Cyrus"), ("version", "1.5"), ("os", None))),
        b'* ID ("name" "Cyrus" "version" "1.5" "os" NIL)',
    ),
    (r.IdData(None), b"* ID NIL"),  # RFC 2971 §3.2
    (r.Quota("", (("STORAGE", 10, 512),)), b'* QUOTA "" (STORAGE 10 512)'),  # RFC 9208 §5.1
    (r.QuotaRoot("INBOX", ("",)), b'* QUOTAROOT INBOX ""'),  # RFC 9208 §5.2
]


@pytest.mark.parametrize(("response", "wire"), EXAMPLES, ids=[w[:40].decode("latin-1") for _, w in EXAMPLES])
def test_rfc_examples(response: r.Response, wire: bytes) -> None:
    assert r.render(response) == wire + b"\r\n"


# --- value choice --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "utf8", "wire"),
    [
        (b"plain", False, b'"plain"'),
        (b'with "quotes" and \\', False, b'"with \\"quotes\\" and \\\\"'),
        (b"line\r\nbreak", False, b"{11}\r\nline\r\nbreak"),
        ("中文".encode(), False, b"{6}\r\n" + "中文".encode()),  # 8-bit -> literal in IMAP4rev1
        ("中文", True, '"中文"'.encode()),  # UTF8=ACCEPT: UTF-8 may be quoted (RFC 6855 §3)
        (b"\xff\xfe", True, b"{2}\r\n\xff\xfe"),  # not UTF-8: literal even in UTF-8 mode
        (b"nul\x00", False, b"~{4}\r\nnul\x00"),  # NUL only in literal8
        (None, False, b"NIL"),
        (0, False, b"0"),
        ((), False, b"()"),
        ((RawAtom("\\Seen"), Raw(b"X"), 1, None, (b"a",)), False, b'(\\Seen X 1 NIL ("a"))'),
    ],
)
def test_value_renderer_chooses_quoted_or_literal(value: RenderValue, utf8: bool, wire: bytes) -> None:
    assert render_value(value, utf8=utf8) == wire


def test_byte_buffers_render_as_strings() -> None:
    assert render_value(bytearray(b"ab")) == b'"ab"'
    assert render_value(memoryview(b"a\r\n")) == b"{3}\r\na\r\n"


def test_long_strings_become_literals() -> None:
    assert render_string(b"x" * 2000).startswith(b"{2000}\r\n")


def test_mailbox_names_use_utf7_unless_utf8_mode() -> None:
    assert render_mailbox("已发送") == b'"&XfJT0ZAB-"'
    assert render_mailbox("已发送", utf8=True) == '"已发送"'.encode()
    assert render_mailbox("inbox") == b'"INBOX"'
    assert render_mailbox("Tom & Jerry") == b'"Tom &- Jerry"'


def test_resp_text_never_breaks_the_line() -> None:
    wire = r.Tagged("a", "NO", "bad\r\nthing\x00").to_bytes()
    assert wire == b"a NO bad thing\r\n"
    assert r.Tagged("a", "OK", "").to_bytes() == b"a OK completed\r\n"


def test_resp_text_non_ascii_depends_on_mode() -> None:
    assert r.Tagged("a", "NO", "邮箱已满").to_bytes() == b"a NO ????\r\n"
    assert r.Tagged("a", "NO", "邮箱已满").to_bytes(utf8=True) == "a NO 邮箱已满\r\n".encode()


def test_error_response_for_wire_errors() -> None:
    err = WireError("literal too big", tag="a1", response_code=codes.TOOBIG)
    assert r.error_response(err) == b"a1 BAD [TOOBIG] literal too big\r\n"
    assert r.error_response(WireError("no tag")) == b"* BAD no tag\r\n"
    no = WireError("charset", tag="x", status="NO", response_code=ResponseCode.badcharset(["UTF-8"]))
    assert r.error_response(no) == b"x NO [BADCHARSET (UTF-8)] charset\r\n"


def test_format_date_time_pads_day_with_space_rfc9051_9() -> None:
    value = dt.datetime(2002, 7, 1, 22, 23, 45, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert r.format_date_time(value) == " 1-Jul-2002 22:23:45 +0100"
    with pytest.raises(ValueError):
        r.format_date_time(dt.datetime(2002, 7, 1))


@pytest.mark.parametrize(
    "make",
    [
        lambda: ResponseCode("bad code"),
        lambda: ResponseCode("X", "a]b"),
        lambda: ResponseCode.uidnext(0),
        lambda: ResponseCode.permanentflags(["no space"]),
        lambda: r.ListItem("x", "//").to_bytes(),
        lambda: render_value(-1),
        lambda: render_value(True),
        lambda: render_mailbox("a\x00b"),
    ],
)
def test_invalid_render_input_is_a_value_error(make: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        make()  # type: ignore[operator]


@given(st.text(max_size=40).filter(lambda s: "\x00" not in s), st.booleans())
def test_rendered_mailbox_parses_back(name: str, utf8: bool) -> None:
    from yunmail.protocols.imap.wire.arguments import mailbox

    reader = Reader(render_mailbox(name, utf8=utf8), utf8=utf8)
    expected = "INBOX" if name.upper() == "INBOX" else name
    assert mailbox(reader) == expected
    reader.end()


@given(st.text(max_size=80), st.booleans())
def test_status_lines_are_single_lines(text: str, utf8: bool) -> None:
    wire = r.Tagged("t", "OK", text).to_bytes(utf8=utf8)
    assert wire.endswith(b"\r\n")
    assert b"\r" not in wire[:-2]
    assert b"\n" not in wire[:-2]
