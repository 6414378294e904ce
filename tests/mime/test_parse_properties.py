"""Properties: the parser never raises, offsets are consistent, generated trees come back exactly,
and the JSON cache form round-trips to an equal object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from support.budgets import examples
from yunmail.mime import ParsedMessage, Part, parse_message

from .samples import ALTERNATIVE, DIGEST, FORWARDED, MIXED, SIMPLE

FRAGMENTS = [
    b"\r\n",
    b"\n",
    b"--a\r\n",
    b"--a--\r\n",
    b"--ab\r\n",
    b"--\r\n",
    b"Content-Type: multipart/mixed; boundary=a\r\n",
    b'Content-Type: multipart/alternative; boundary="ab"\r\n',
    b"Content-Type: multipart/digest; boundary=a\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Type: text/html; charset=gb2312\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Disposition: attachment; filename*=utf-8''%E4%B8%AD\r\n",
    b"MIME-Version: 1.0\r\n",
    b"Subject: =?utf-8?B?5Lit5paH?=\r\n",
    b'From: "x" <a@b>, Group: c@d;\r\n',
    b" folded continuation\r\n",
    b"5Lit5paH\r\n",
    b"<p>hi &amp; <b>bye</b>\r\n",
    b"=E4=B8=AD=\r\n",
    b"\x00\xff\xfe",
    b"\xd6\xd0\xce\xc4",
]


def check_invariants(raw: bytes, parsed: ParsedMessage) -> None:
    assert parsed.size == len(raw)
    assert parsed.root.header_start == 0
    assert parsed.root.body_end == len(raw)
    count = 0
    for part in parsed.root.walk():
        count += 1
        assert 0 <= part.header_start <= part.header_end <= part.body_end <= len(raw)
        assert part.lines == raw.count(b"\n", part.header_end, part.body_end)
        previous = part.header_end
        for number, child in enumerate(part.children, 1):
            assert child.section == (*part.section, number)
            assert previous <= child.header_start
            assert child.body_end <= part.body_end
            previous = child.body_end
        if part.message is not None:
            assert part.message.header_start == part.header_end
            assert part.message.body_end == part.body_end
    assert count == parsed.part_count
    text = parsed.to_json()
    text.encode("utf-8")  # no lone surrogates
    assert "\\u0000" not in text and "\x00" not in text
    assert ParsedMessage.from_json(text) == parsed


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    check_invariants(raw, parse_message(raw))


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60).map(b"".join))
def test_mime_like_soup_never_raises(raw: bytes) -> None:
    check_invariants(raw, parse_message(raw))


def test_samples_round_trip_through_json() -> None:
    for raw in (SIMPLE, ALTERNATIVE, MIXED, FORWARDED, DIGEST):
        parsed = parse_message(raw)
        check_invariants(raw, parsed)
        assert ParsedMessage.from_dict(json.loads(json.dumps(parsed.to_dict()))) == parsed


# --- generated well-formed messages ------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    ctype: str
    body: bytes


@dataclass(frozen=True)
class Multi:
    subtype: str
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Message:
    subject: str
    inner: Node


Node = Leaf | Multi | Message

BODY_LINES = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=20).filter(
        lambda line: not line.startswith("-")
    ),
    max_size=4,
).map(lambda lines: "\r\n".join(lines).encode("utf-8"))

LEAVES = st.builds(
    Leaf, st.sampled_from(["text/plain", "text/html", "application/octet-stream", "image/png"]), BODY_LINES
)

NODES: st.SearchStrategy[Node] = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.builds(
            Multi,
            st.sampled_from(["mixed", "alternative", "related"]),
            st.lists(inner, min_size=1, max_size=4).map(tuple),
        ),
        st.builds(Message, st.text(alphabet="abcdefgh 中文", max_size=12).map(str.strip), inner),
    ),
    max_leaves=12,
)


class Writer:
    """Serialises a generated tree, recording where each node's header and body went."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.counter = 0

    def write(self, node: Node, headers: bytes = b"") -> None:
        if isinstance(node, Leaf):
            self.out += headers + f"Content-Type: {node.ctype}\r\n\r\n".encode() + node.body
        elif isinstance(node, Message):
            self.out += headers + b"Content-Type: message/rfc822\r\n\r\n"
            subject = node.subject.encode("utf-8")
            self.write(node.inner, b"Subject: " + subject + b"\r\nMIME-Version: 1.0\r\n")
        else:
            self.counter += 1
            boundary = f"=_b{self.counter}_=".encode()
            self.out += (
                headers
                + b"Content-Type: multipart/"
                + node.subtype.encode()
                + b'; boundary="'
                + boundary
                + b'"\r\n\r\n'
            )
            for child in node.children:
                self.out += b"--" + boundary + b"\r\n"
                self.write(child)
                self.out += b"\r\n"
            self.out += b"--" + boundary + b"--"


def compare(raw: bytes, node: Node, part: Part) -> None:
    if isinstance(node, Leaf):
        assert part.mime_type == node.ctype
        assert raw[part.header_end : part.body_end] == node.body
    elif isinstance(node, Message):
        assert part.mime_type == "message/rfc822"
        assert part.message is not None and part.envelope is not None
        assert part.envelope.subject is not None
        assert part.envelope.subject == node.subject
        compare(raw, node.inner, part.message)
    else:
        assert part.mime_type == f"multipart/{node.subtype}"
        assert len(part.children) == len(node.children)
        for child_node, child_part in zip(node.children, part.children, strict=True):
            compare(raw, child_node, child_part)


@settings(max_examples=examples(200), deadline=None)
@given(NODES)
def test_generated_messages_parse_back_to_their_tree(tree: Node) -> None:
    writer = Writer()
    writer.write(tree, b"From: gen@example.com\r\nMIME-Version: 1.0\r\n")
    raw = bytes(writer.out)
    parsed = parse_message(raw)
    compare(raw, tree, parsed.root)
    check_invariants(raw, parsed)
