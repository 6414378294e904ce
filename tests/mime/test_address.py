"""Address lists (RFC 5322 §3.4), addr-spec checks (RFC 5321 §4.1.2, RFC 6531), IDN domains."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yunmail.errors import AddressInvalid, DomainInvalid, LocalPartInvalid
from yunmail.mime import (
    Address,
    Group,
    check_local_part,
    domain_to_unicode,
    is_valid_address,
    normalize_address,
    normalize_domain,
    parse_address,
    parse_address_list,
)
from yunmail.mime.address import RawGroupEnd, RawGroupStart, RawMailbox, parse_raw_address_list


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # RFC 5322 Appendix A.1.1 / A.1.2 style examples
        (
            '"Joe Q. Public" <john.q.public@example.com>',
            (Address("Joe Q. Public", "john.q.public", "example.com"),),
        ),
        (
            "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
            (
                Address("Mary Smith", "mary", "x.test"),
                Address("", "jdoe", "example.org"),
                Address("Who?", "one", "y.test"),
            ),
        ),
        (
            '<boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>',
            (Address("", "boss", "nil.test"), Address('Giant; "Big" Box', "sysservices", "example.net")),
        ),
        (
            "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
            (
                Group(
                    "A Group",
                    (
                        Address("Ed Jones", "c", "a.test"),
                        Address("", "joe", "where.test"),
                        Address("John", "jdoe", "one.test"),
                    ),
                ),
            ),
        ),
        ("Undisclosed recipients:;", (Group("Undisclosed recipients", ()),)),
        # RFC 5322 Appendix A.5: comments and white space
        (
            "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
            (Address("Pete", "pete", "silly.test"),),
        ),
        ("jdoe@example.org (John Doe)", (Address("John Doe", "jdoe", "example.org"),)),
        # RFC 2047 names, also inside quotes as Chinese mailers write them
        ("=?UTF-8?B?5byg5LiJ?= <zhang@example.cn>", (Address("张三", "zhang", "example.cn"),)),
        ('"=?gb2312?B?1cXI/Q==?=" <z@x.cn>', (Address("张三", "z", "x.cn"),)),
        ("张三 <张三@例子.中国>", (Address("张三", "张三", "例子.中国"),)),
        ("", ()),
        (",, ,", ()),
        ("a@b c@d", (Address("", "a", "b"), Address("", "c", "d"))),
        ("x@[192.0.2.1]", (Address("", "x", "[192.0.2.1]"),)),
        ("Team: a@x.org", (Group("Team", (Address("", "a", "x.org"),)),)),  # unterminated group
    ],
)
def test_parse_address_list(text: str, expected: tuple[Address | Group, ...]) -> None:
    assert parse_address_list(text) == expected


def test_raw_parse_keeps_encoded_words_and_routes() -> None:
    assert parse_raw_address_list("=?UTF-8?B?5byg5LiJ?= <@a.example,@b.example:z@x.cn>, G:;") == [
        RawMailbox("=?UTF-8?B?5byg5LiJ?=", "@a.example,@b.example", "z", "x.cn"),
        RawGroupStart("G"),
        RawGroupEnd(),
    ]


@given(st.text(max_size=300))
def test_address_list_parser_never_raises(text: str) -> None:
    parse_address_list(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("例子.测试", "xn--fsqu00a.xn--0zwm56d"),
        ("例子。测试", "xn--fsqu00a.xn--0zwm56d"),  # ideographic full stop (UTS #46 mapping)
        ("  MAIL.例子.中国  ", "mail.xn--fsqu00a.xn--fiqs8s"),
        ("xn--fsqu00a.xn--0zwm56d", "xn--fsqu00a.xn--0zwm56d"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("localhost", "localhost"),
    ],
)
def test_normalize_domain(text: str, expected: str) -> None:
    assert normalize_domain(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".",
        "a..b",
        "-a.com",
        "a-.com",
        "foo_bar.com",
        "a b.com",
        "exa$mple.com",
        "x" * 64 + ".com",
        "1.2.3.4",
        "xn--zz.com",
    ],
)
def test_normalize_domain_rejects(text: str) -> None:
    with pytest.raises(DomainInvalid) as caught:
        normalize_domain(text)
    assert caught.value.params == {"domain": text}


def test_normalize_domain_rejects_too_long() -> None:
    with pytest.raises(DomainInvalid):
        normalize_domain(".".join(["a" * 60] * 5))


def test_domain_to_unicode() -> None:
    assert domain_to_unicode("xn--fsqu00a.xn--0zwm56d") == "例子.测试"
    assert domain_to_unicode("example.com") == "example.com"
    assert domain_to_unicode("xn--zz") == "xn--zz"


@pytest.mark.parametrize("local", ["zhangsan", "zhang.san", "zhang_san-01", "a", "A" * 64, "-x", "x-"])
def test_local_part_rule_accepts(local: str) -> None:
    assert check_local_part(local) == local


@pytest.mark.parametrize("local", ["", ".a", "a.", "a..b", "a" * 65, "张三", "a+b", "a b", "a@b"])
def test_local_part_rule_rejects(local: str) -> None:
    with pytest.raises(LocalPartInvalid):
        check_local_part(local)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("user@Example.COM", "user@example.com"),
        ("User.Name+tag@example.com", "User.Name+tag@example.com"),
        ("张三@例子.中国", "张三@xn--fsqu00a.xn--fiqs8s"),  # RFC 6531 UTF-8 local part
        ('"john doe"@example.com', '"john doe"@example.com'),
        ("x@[192.0.2.1]", "x@[192.0.2.1]"),
        ("x@[IPv6:2001:db8::1]", "x@[IPv6:2001:db8::1]"),
    ],
)
def test_normalize_address(address: str, expected: str) -> None:
    assert normalize_address(address) == expected


@pytest.mark.parametrize(
    "address",
    [
        "",
        "plain",
        "@example.com",
        "user@",
        "a..b@example.com",
        ".a@example.com",
        "a b@example.com",
        "a@b@example.com",
        "user@exa_mple.com",
        "user@[300.1.1.1]",
        "x" * 65 + "@example.com",
        "user@example.com\r\nBcc: evil@x.com",
        '"unterminated@example.com',
    ],
)
def test_normalize_address_rejects(address: str) -> None:
    with pytest.raises(AddressInvalid):
        normalize_address(address)
    assert not is_valid_address(address)


def test_utf8_local_part_needs_smtputf8() -> None:
    assert is_valid_address("张三@example.cn")
    assert not is_valid_address("张三@example.cn", smtputf8=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zhang@例子.中国", Address("", "zhang", "xn--fsqu00a.xn--fiqs8s")),
        ("张三 <zhang@example.cn>", Address("张三", "zhang", "example.cn")),
        ('"Zhang, San" <zhang@example.cn>', Address("Zhang, San", "zhang", "example.cn")),
        ("=?utf-8?B?5byg5LiJ?= <zhang@example.cn>", Address("张三", "zhang", "example.cn")),
    ],
)
def test_parse_address_from_user_input(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    "text", ["Zhang San zhang@example.cn", "<>", "a <b>", "x\r\n <a@b.cn>", "John Doe@example.com"]
)
def test_parse_address_rejects(text: str) -> None:
    with pytest.raises(AddressInvalid):
        parse_address(text)


def test_address_display() -> None:
    assert Address("张三", "zhang", "example.cn").display() == "张三 <zhang@example.cn>"
    assert Address("", "li", "example.cn").display() == "li@example.cn"
    assert Address("", "local", "").addr_spec == "local"
