"""Modified UTF-7 for mailbox names (RFC 3501 §5.1.3), with a strict decoder.

Printable US-ASCII (0x20-0x7E) stands for itself, except ``&`` which is written ``&-``. Every
other character run is shifted: ``&`` + modified BASE64 (``,`` instead of ``/``, no ``=``
padding) of its UTF-16BE form + ``-``. The decoder rejects everything the encoder would never
produce, so ``encode(decode(x)) == x`` for every accepted ``x``:

* bytes outside 0x20-0x7E, an unterminated shift, characters outside the BASE64 alphabet;
* BASE64 whose length or trailing pad bits are not canonical, odd UTF-16 byte counts, unpaired
  surrogates;
* printable ASCII inside a shift ("MUST NOT be used to represent any printing US-ASCII
  character which can represent itself"), and two adjacent shifts (the encoder merges runs).

IMAP4rev2 (RFC 9051 §5.1) and UTF8=ACCEPT (RFC 6855 §3) use UTF-8 instead; the session decides
which applies.
"""

from __future__ import annotations

import base64
import binascii
import re

_B64_RUN = re.compile(r"[A-Za-z0-9+,]*")


class Utf7Error(ValueError):
    """The text is not canonical modified UTF-7."""


def _is_direct(code: int) -> bool:
    return 0x20 <= code <= 0x7E


def _shift(run: list[str]) -> str:
    raw = "".join(run).encode("utf-16-be", "surrogatepass")
    return "&" + base64.b64encode(raw).rstrip(b"=").replace(b"/", b",").decode("ascii") + "-"


def encode(name: str) -> str:
    """Encode a Unicode mailbox name as modified UTF-7 (ASCII text)."""
    out: list[str] = []
    run: list[str] = []
    for ch in name:
        if _is_direct(ord(ch)):
            if run:
                out.append(_shift(run))
                run = []
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    if run:
        out.append(_shift(run))
    return "".join(out)


def encode_bytes(name: str) -> bytes:
    """`encode` as ASCII bytes."""
    return encode(name).encode("ascii")


def decode(data: str | bytes) -> str:
    """Decode modified UTF-7 strictly; raise `Utf7Error` on anything non-canonical."""
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            text = bytes(data).decode("ascii")
        except UnicodeDecodeError:
            raise Utf7Error("8-bit byte in a modified UTF-7 name") from None
    else:
        text = data
    out: list[str] = []
    i = 0
    n = len(text)
    after_shift = False
    while i < n:
        ch = text[i]
        if not _is_direct(ord(ch)):
            raise Utf7Error(f"character {ch!r} must be shifted")
        if ch != "&":
            out.append(ch)
            i += 1
            after_shift = False
            continue
        m = _B64_RUN.match(text, i + 1)
        end = m.end() if m else i + 1
        if end >= n or text[end] != "-":
            raise Utf7Error("unterminated or invalid shift sequence")
        b64 = text[i + 1 : end]
        i = end + 1
        if not b64:
            out.append("&")
            after_shift = False
            continue
        if after_shift:
            raise Utf7Error("adjacent shift sequences must be merged")
        out.append(_decode_run(b64))
        after_shift = True
    return "".join(out)


def _decode_run(b64: str) -> str:
    if len(b64) % 4 == 1:
        raise Utf7Error("truncated BASE64 run")
    padded = b64.replace(",", "/") + "=" * (-len(b64) % 4)
    try:
        raw = base64.b64decode(padded, validate=True)
    except binascii.Error:
        raise Utf7Error("invalid BASE64 run") from None
    # canonical form: re-encoding must give the same text (non-zero pad bits are rejected)
    if base64.b64encode(raw).rstrip(b"=").replace(b"/", b",").decode("ascii") != b64:
        raise Utf7Error("non-canonical BASE64 run")
    if len(raw) % 2:
        raise Utf7Error("odd number of UTF-16 bytes")
    try:
        chars = raw.decode("utf-16-be")
    except UnicodeDecodeError:
        raise Utf7Error("unpaired UTF-16 surrogate") from None
    if any(_is_direct(ord(c)) for c in chars):
        raise Utf7Error("printable ASCII must not be shifted")
    return chars
