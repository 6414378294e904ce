"""Charsets and RFC 2047 encoded words: turning untrusted header and body bytes into text, best effort.

Invariants:

* Nothing here raises on bad input. Unknown or hostile charset labels fall back to the chain
  utf-8 -> gb18030 -> latin-1 (latin-1 never fails), so every byte string decodes to *some* text.
* Only text codecs are used: ``bytes.decode`` refuses bytes-to-bytes codecs (``zlib``, ``base64``),
  and codecs that are slow or meaningless for mail (``idna``, ``punycode``, ``unicode_escape``)
  are refused here explicitly, so a charset label cannot trigger decompression or quadratic work.
* Decoded text never contains lone surrogates (UTF-7 and UTF-16 can produce them); they become
  U+FFFD so the result is always valid Unicode and safe for JSON and SQL text columns.
"""

from __future__ import annotations

import binascii
import codecs
import re

__all__ = [
    "codec_for",
    "decode_bytes",
    "decode_encoded_words",
    "decode_header_bytes",
    "decode_rfc2231_value",
    "raw_text",
    "replace_surrogates",
]

# Labels seen in the wild mapped to the codec that decodes them best. GB2312 and GBK mail is
# routinely mislabelled; GB18030 is a strict superset of both, so always decode with it.
_ALIASES: dict[str, str | None] = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "chinese": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "windows-874": "cp874",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": None,
    "unknown": None,
    "unknown-8bit": None,
    "x-user-defined": None,
    "default": None,
    "us-ascii": None,  # mail labelled us-ascii that carries 8-bit bytes is usually utf-8 or gbk
    "ascii": None,
}

# Codecs that are text codecs to Python but never legitimate mail charsets, or that cost
# super-linear time on hostile input.
_REFUSED = frozenset(
    {
        "idna",
        "punycode",
        "unicode_escape",
        "raw_unicode_escape",
        "undefined",
        "mbcs",
        "oem",
        "palmos",
    }
)

_SURROGATES = re.compile("[\ud800-\udfff]")

# RFC 2047 §2: encoded-word = "=?" charset "?" encoding "?" encoded-text "?="; RFC 2231 §5
# allows "charset*language". Encoded text contains no "?" and no white space.
_ENCODED_WORD = re.compile(r"=\?([^?\s*]{1,64})(?:\*[^?\s]{0,64})?\?([bBqQ])\?([^?\s]*)\?=")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")
_WSP = frozenset(" \t\r\n")


def codec_for(charset: str | None) -> str | None:
    """Return the Python codec name for a MIME charset label, or None when unknown or unusable."""
    if not charset:
        return None
    label = charset.strip().strip('"').lower()
    if not label or len(label) > 64 or not label.isascii():
        return None
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if info.name.replace("-", "_") in _REFUSED or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def replace_surrogates(text: str) -> str:
    """Replace lone surrogates (from UTF-7/UTF-16 or surrogateescape) with U+FFFD."""
    if _SURROGATES.search(text) is None:
        return text
    return _SURROGATES.sub("\ufffd", text)


def _fallback(data: bytes) -> str:
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode body or header bytes as text: declared charset first, then utf-8, gb18030, latin-1.

    A declared charset that fails strictly is retried through the fallback chain; only when that
    chain finds nothing better (it always ends in latin-1) is the declared charset used with
    replacement characters.
    """
    if not data:
        return ""
    if data.isascii():
        return data.decode("ascii")
    codec = codec_for(charset)
    if codec is None or codec == "ascii":
        return _fallback(data)
    try:
        return replace_surrogates(data.decode(codec))
    except UnicodeDecodeError:
        pass
    for other in ("utf-8", "gb18030"):
        if other == codec:
            continue
        try:
            return data.decode(other)
        except UnicodeDecodeError:
            continue
    return replace_surrogates(data.decode(codec, "replace"))


def raw_text(data: bytes) -> str:
    """Bytes -> str keeping every byte recoverable: UTF-8 with surrogateescape; NUL -> U+FFFD.

    Used for raw header values that IMAP must return as they were (ENVELOPE, BODYSTRUCTURE):
    ``value.encode("utf-8", "surrogateescape")`` gives the original bytes back (except NUL,
    which Dovecot also replaces with U+FFFD).
    """
    text = data.decode("utf-8", "surrogateescape")
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


def decode_header_bytes(data: bytes) -> str:
    """Decode a raw (unfolded) header value: 8-bit text best effort, then RFC 2047 words."""
    return decode_encoded_words(_fallback(data) if not data.isascii() else data.decode("ascii"))


def _word_bytes(encoding: str, text: str) -> bytes:
    raw = text.encode("ascii", "ignore")
    if encoding in "bB":
        # RFC 2047 §4.1: base64. Be lenient about junk and missing padding.
        clean = _B64_JUNK.sub(b"", raw.split(b"=", 1)[0])
        if len(clean) % 4 == 1:
            clean = clean[:-1]
        clean += b"=" * (-len(clean) % 4)
        try:
            return binascii.a2b_base64(clean)
        except binascii.Error:
            return b""
    # RFC 2047 §4.2: Q encoding; "_" is always 0x20.
    raw = raw.replace(b"_", b" ")
    return _QP_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_encoded_words(text: str) -> str:
    """Decode RFC 2047 encoded words anywhere in ``text``; other text is kept as is.

    RFC 2047 §6.2: white space between adjacent encoded words is dropped. Adjacent words in the
    same charset are joined *before* decoding, because many mailers split a multi-byte GB2312/
    UTF-8 character across two words.
    """
    if "=?" not in text:
        return replace_surrogates(text)
    out: list[str] = []
    pending_charset: str | None = None
    pending: list[bytes] = []
    pos = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset))
            pending.clear()
        pending_charset = None

    for match in _ENCODED_WORD.finditer(text):
        between = text[pos : match.start()]
        pos = match.end()
        charset = match.group(1).lower()
        chunk = _word_bytes(match.group(2), match.group(3))
        if pending and (between == "" or all(ch in _WSP for ch in between)):
            if charset == pending_charset:
                pending.append(chunk)
                continue
            flush()
        else:
            flush()
            out.append(between)
        pending_charset = charset
        pending.append(chunk)
    flush()
    out.append(text[pos:])
    return replace_surrogates("".join(out))


def decode_rfc2231_value(value: str) -> str:
    """Decode an RFC 2231 §4 extended value ``charset'language'%XX..`` to text."""
    parts = value.split("'", 2)
    if len(parts) != 3:
        return value
    charset, _language, encoded = parts
    raw = encoded.encode("utf-8", "surrogateescape")
    data = _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    return decode_bytes(data, charset or None)
