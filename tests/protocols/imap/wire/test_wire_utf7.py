"""Modified UTF-7 mailbox names (RFC 3501 §5.1.3): examples, strictness, round trips."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yunmail.protocols.imap.wire import utf7


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語"),  # RFC 3501 §5.1.3
        ("&Jjo-!", "☺!"),  # RFC 3501 §5.1.3: the correct form of "&Jjo!"
        ("&U,BTF2XlZyyKng-", "台北日本語"),  # RFC 3501 §5.1.3: merged form
        ("&-", "&"),
        ("Tom &- Jerry", "Tom & Jerry"),
        ("INBOX", "INBOX"),
        ("&V4NXPpCuTvY-", "垃圾邮件"),
        ("&2D3eAA-", "\U0001f600"),  # astral character as a surrogate pair
        ("", ""),
    ],
)
def test_examples(encoded: str, decoded: str) -> None:
    assert utf7.decode(encoded) == decoded
    assert utf7.encode(decoded) == encoded


@pytest.mark.parametrize(
    "bad",
    [
        "&Jjo!",  # RFC 3501 §5.1.3: no shift back to US-ASCII
        "&U,BTFw-&ZeVnLIqe-",  # RFC 3501 §5.1.3: superfluous shift
        "&AGE-",  # printable ASCII "a" must represent itself
        "&",
        "&Jjo",
        "&J-",  # truncated BASE64 run
        "&Jjp-",  # non-zero pad bits
        "&AA-",  # odd number of UTF-16 bytes
        "&2D0-",  # unpaired high surrogate
        "&3gA-",  # unpaired low surrogate
        "&U/BTFw-",  # "/" is not in the modified BASE64 alphabet
        "caf\u00e9",  # 8-bit must be shifted
        "a\tb",  # control characters must be shifted
    ],
)
def test_non_canonical_input_is_rejected(bad: str) -> None:
    with pytest.raises(utf7.Utf7Error):
        utf7.decode(bad)


def test_bytes_input_with_8bit_is_rejected() -> None:
    with pytest.raises(utf7.Utf7Error):
        utf7.decode("日本".encode())


@given(st.text(max_size=60))
def test_round_trip_any_unicode(name: str) -> None:
    encoded = utf7.encode(name)
    assert all(0x20 <= ord(c) <= 0x7E for c in encoded)
    assert utf7.decode(encoded) == name
    assert utf7.decode(encoded.encode("ascii")) == name


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=20))
def test_round_trip_chinese(name: str) -> None:
    assert utf7.decode(utf7.encode(name)) == name


@given(st.text(alphabet=st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF), max_size=10))
def test_round_trip_astral(name: str) -> None:
    assert utf7.decode(utf7.encode(name)) == name


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40))
def test_accepted_input_is_canonical(text: str) -> None:
    """Strictness: whatever decodes re-encodes to exactly the same text."""
    try:
        decoded = utf7.decode(text)
    except utf7.Utf7Error:
        return
    assert utf7.encode(decoded) == text


@given(st.binary(max_size=60))
def test_fuzz_decode_raises_only_utf7_error(data: bytes) -> None:
    with contextlib.suppress(utf7.Utf7Error):
        utf7.decode(data)
