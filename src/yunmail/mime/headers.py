"""Header fields of raw messages: locating fields, unfolding values, and MIME parameter syntax.

Everything here reads bytes and never re-serialises them (the raw message is the truth; see
CVE-2024-6923 for what goes wrong when a library folds or re-encodes untrusted headers).

Field syntax follows RFC 5322 §2.2 with the tolerance of Dovecot's header parser, so that the
IMAP server built on these offsets answers like Dovecot does:

* a line starting with SP/HTAB continues the previous field (RFC 5322 §2.2.3);
* a line without ":" is a field whose whole line is its name;
* white space before ":" is not part of the name; all white space after ":" on the first line is
  skipped (unless the first line is only white space: then one character is skipped);
* unfolding removes CR and LF at the folds and keeps the white space that follows them.

MIME parameters follow RFC 2045 §5.1 (token / quoted-string), with comments (RFC 822 §3.4.3)
skipped, and RFC 2231 §3 continuations merged the way Dovecot's rfc2231 parser does:
``name*0=a; name*1=b`` becomes ``name=ab``; if any segment is extended (``name*0*=``) the merged
parameter is ``name*`` with the still percent-encoded ``charset'lang'value``, so an IMAP client
can decode it (RFC 2231 §4). :func:`param_value` gives the fully decoded text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from yunmail.mime.encoded_words import (
    decode_bytes,
    decode_encoded_words,
    decode_rfc2231_value,
    raw_text,
)

__all__ = [
    "ContentType",
    "HeaderField",
    "interesting_fields",
    "iter_header_fields",
    "param_value",
    "parse_content_disposition",
    "parse_content_language",
    "parse_content_transfer_encoding",
    "parse_content_type",
    "unfold",
]

Params = tuple[tuple[str, str], ...]

# Fields the parser interprets; everything else is only located, never read.
_INTERESTING = re.compile(
    rb"^(content-(?:type|transfer-encoding|id|description|disposition|language|location|md5)"
    rb"|mime-version|date|subject|from|sender|reply-to|to|cc|bcc|in-reply-to|message-id|references)"
    rb"[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
_FIELD_END = re.compile(rb"\n(?![ \t])")

# RFC 2045 §5.1 tspecials plus SP; bytes >= 0x80 are accepted in tokens (as Dovecot does).
_TSPECIALS = frozenset('()<>@,;:\\"/[]?= ')
# RFC 5322 §3.2.3 specials (for atoms in Content-Language).
_SPECIALS = frozenset('()<>[]:;@\\,." ')
_LWSP = frozenset(" \t\r\n")
# MIME field values longer than this are cut before the character-level scan (bounded work).
MAX_VALUE = 65_536


@dataclass(frozen=True, slots=True)
class HeaderField:
    """One header field located in a header block: ``block[start:end]`` is its raw bytes."""

    name: str  # as written (latin-1 decoded), without trailing white space
    start: int
    end: int  # after the field's last line terminator
    value: bytes  # unfolded raw value


def unfold(raw: bytes) -> bytes:
    """Unfold a raw field value (the bytes after ':' up to the end of the field)."""
    value = raw
    if value.endswith(b"\n"):
        value = value[:-1]
        if value.endswith(b"\r"):
            value = value[:-1]
    nl = value.find(b"\n")
    first = value if nl < 0 else value[:nl]
    if first.endswith(b"\r"):
        first = first[:-1]
    lead = len(first) - len(first.lstrip(b" \t"))
    if lead == len(first):
        lead = 1 if first[:1] in (b" ", b"\t") else 0
    value = value[lead:]
    if b"\n" in value:
        value = value.replace(b"\r\n", b"").replace(b"\n", b"")
    return value


def interesting_fields(block: bytes, limit: int) -> tuple[list[tuple[str, bytes]], bool]:
    """Return ``(lower-case name, unfolded raw value)`` for the interpreted fields of a header block.

    ``block`` must start at a line start. At most ``limit`` fields are returned; the flag says
    whether the limit cut the list.
    """
    found: list[tuple[str, bytes]] = []
    for match in _INTERESTING.finditer(block):
        if len(found) >= limit:
            return found, True
        end_match = _FIELD_END.search(block, match.end())
        end = len(block) if end_match is None else end_match.start() + 1
        found.append((match.group(1).decode("ascii").lower(), unfold(block[match.end() : end])))
    return found, False


def iter_header_fields(block: bytes) -> Iterator[HeaderField]:
    """Yield every field of a header block with its byte range (for BODY[HEADER.FIELDS ...]).

    The block may include the terminating empty line; it is not reported as a field.
    """
    pos = 0
    size = len(block)
    current: tuple[str, int, int] | None = None  # name, start, value start
    cur_end = 0
    while pos < size:
        nl = block.find(b"\n", pos)
        line_end = size if nl < 0 else nl + 1
        if block[pos] in (0x20, 0x09) and current is not None:
            cur_end = line_end
            pos = line_end
            continue
        if current is not None:
            name, start, vstart = current
            yield HeaderField(name, start, cur_end, unfold(block[vstart:cur_end]))
            current = None
        content_end = line_end - 1 if nl >= 0 else line_end
        if content_end > pos and block[content_end - 1] == 0x0D and nl >= 0:
            content_end -= 1
        if content_end == pos and nl >= 0:
            break  # the empty line that ends the header
        colon = block.find(b":", pos, content_end)
        if colon < 0:
            current = (block[pos:content_end].decode("latin-1"), pos, content_end)
        else:
            current = (block[pos:colon].rstrip(b" \t").decode("latin-1"), pos, colon + 1)
        cur_end = line_end
        pos = line_end
    if current is not None:
        name, start, vstart = current
        yield HeaderField(name, start, cur_end, unfold(block[vstart:cur_end]))


class _Lexer:
    """RFC 822 style scanner over a header value (a str holding raw bytes via surrogateescape)."""

    __slots__ = ("n", "pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.n = len(text)

    def skip_lwsp(self) -> int:
        """Skip white space and comments: 1 = more data, 0 = at end, -1 = unterminated comment."""
        text, n = self.text, self.n
        while self.pos < n:
            ch = text[self.pos]
            if ch in _LWSP:
                self.pos += 1
                continue
            if ch != "(":
                break
            level = 0
            while self.pos < n:
                ch = text[self.pos]
                if ch == "\\":
                    self.pos += 1
                elif ch == "(":
                    level += 1
                elif ch == ")":
                    level -= 1
                    if level == 0:
                        self.pos += 1
                        break
                self.pos += 1
            else:
                return -1
        return 1 if self.pos < n else 0

    def token(self, specials: frozenset[str] = _TSPECIALS) -> tuple[str, int]:
        start = self.pos
        text, n = self.text, self.n
        while self.pos < n:
            ch = text[self.pos]
            if ch in specials or (ord(ch) < 0x20 or ord(ch) == 0x7F):
                break
            self.pos += 1
        return text[start : self.pos], self.skip_lwsp()

    def quoted_string(self) -> tuple[str, int]:
        # RFC 5322 §3.2.4; folding (CR)LF inside is removed, quoted-pairs unescaped.
        text, n = self.text, self.n
        self.pos += 1
        out: list[str] = []
        while self.pos < n:
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                return "".join(out), self.skip_lwsp()
            if ch == "\\":
                self.pos += 1
                if self.pos >= n:
                    return "".join(out), -1
                out.append(text[self.pos])
            elif ch != "\n" and not (ch == "\r" and text.startswith("\n", self.pos + 1)):
                out.append(ch)
            self.pos += 1
        return "".join(out), -1

    def param(self) -> tuple[int, str, str]:
        """RFC 2045 §5.1 ``";" attribute "=" value``: (1 ok / 0 end / -1 broken, name, value)."""
        if self.pos >= self.n:
            return 0, "", ""
        if self.text[self.pos] != ";":
            return -1, "", ""
        self.pos += 1
        if self.skip_lwsp() <= 0:
            return -1, "", ""
        key, ret = self.token()
        if ret <= 0 or self.text[self.pos] != "=":
            return -1, "", ""
        self.pos += 1
        ret = self.skip_lwsp()
        value = ""
        if ret > 0:
            ch = self.text[self.pos]
            if ch == '"':
                value, ret = self.quoted_string()
            elif ch == "=":
                # broken mailers write name==?utf-8?b?...?= unquoted; take up to ; or space
                start = self.pos
                while self.pos < self.n and self.text[self.pos] not in "; \t\r\n":
                    self.pos += 1
                value = self.text[start : self.pos]
            else:
                value, ret = self.token()
        return (-1 if ret < 0 else 1), key.lower(), value

    def params(self) -> Params:
        plain: list[tuple[str, str]] = []
        split: list[tuple[str, int, bool, str]] = []  # base name, index, extended, value
        while True:
            ret, key, value = self.param()
            if ret == 0:
                break
            if ret < 0:
                if self.pos >= self.n:
                    break
                self.pos += 1
                continue
            star = key.find("*")
            if star < 0:
                plain.append((key, value))
                continue
            # RFC 2231 §3/§4: name*, name*N, name*N* (Dovecot treats name* as index 0)
            rest = key[star + 1 :]
            digits = len(rest) - len(rest.lstrip("0123456789"))
            index = int(rest[:digits]) if 0 < digits <= 9 else (0 if digits == 0 else 10**9)
            tail = rest[digits:]
            if rest == "" or tail == "*":
                split.append((key[:star], index, True, value))
            elif tail == "":
                split.append((key[:star], index, False, value))
            else:
                plain.append((key, value))
        return tuple(plain) + _merge_rfc2231(split)


def _merge_rfc2231(split: list[tuple[str, int, bool, str]]) -> Params:
    # RFC 2231 §3: parameter continuations; merged per name, in name order (as Dovecot does).
    if not split:
        return ()
    split.sort(key=lambda item: (item[0], item[1]))
    merged: list[tuple[str, str]] = []
    i = 0
    while i < len(split):
        j = i
        while j < len(split) and split[j][0] == split[i][0]:
            j += 1
        group = split[i:j]
        complete = all(item[1] == k for k, item in enumerate(group))
        extended = any(item[2] for item in group)
        if not complete:
            for name, index, ext, value in group:
                merged.append((f"{name}*{index}*" if ext else f"{name}*{index}", value))
        else:
            pieces = ["''"] if extended and not group[0][2] else []
            for _name, _index, ext, value in group:
                pieces.append(value.replace("%", "%25") if extended and not ext else value)
            merged.append((group[0][0] + ("*" if extended else ""), "".join(pieces)))
        i = j
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class ContentType:
    """A parsed Content-Type (RFC 2045 §5): lower-case type/subtype, ordered parameters."""

    type: str
    subtype: str
    params: Params
    has_slash: bool


def parse_content_type(value: bytes) -> ContentType:
    lex = _Lexer(raw_text(value[:MAX_VALUE]))
    if lex.skip_lwsp() <= 0:
        return ContentType("", "", (), False)
    main, ret = lex.token()
    if ret <= 0 or lex.text[lex.pos] != "/":
        return ContentType(main.lower(), "", (), False)
    lex.pos += 1
    if lex.skip_lwsp() <= 0:
        return ContentType(main.lower(), "", (), True)
    sub, ret = lex.token()
    params = lex.params() if ret >= 0 else ()
    return ContentType(main.lower(), sub.lower(), params, True)


def parse_content_disposition(value: bytes) -> tuple[str | None, Params]:
    """RFC 2183: disposition type (lower case) and parameters; None when unparseable."""
    lex = _Lexer(raw_text(value[:MAX_VALUE]))
    lex.skip_lwsp()
    disposition, ret = lex.token()
    if ret < 0:
        return None, ()
    return disposition.lower(), lex.params()


def parse_content_transfer_encoding(value: bytes) -> str | None:
    """RFC 2045 §6.1 mechanism as a lower-case token; None when absent or not a single token."""
    lex = _Lexer(raw_text(value[:MAX_VALUE]))
    lex.skip_lwsp()
    mechanism, ret = lex.token()
    if ret != 0 or not mechanism:
        return None
    return mechanism.lower()


def parse_content_language(value: bytes) -> tuple[str, ...]:
    """RFC 3282 §2: comma-separated language tags (atoms)."""
    lex = _Lexer(raw_text(value[:MAX_VALUE]))
    lex.skip_lwsp()
    tags: list[str] = []
    while lex.pos < lex.n:
        tag, ret = lex.token(_SPECIALS)
        if not tag or ret < 0:
            break
        tags.append(tag)
        if lex.pos >= lex.n or lex.text[lex.pos] != ",":
            break
        lex.pos += 1
        lex.skip_lwsp()
    return tuple(tags)


def param_value(params: Params, name: str) -> str | None:
    """Fully decoded value of parameter ``name``: RFC 2231 extended or RFC 2047 in quotes.

    Raw 8-bit values (common for Chinese file names) are decoded utf-8 -> gb18030 -> latin-1.
    """
    wanted = name.lower()
    for key, value in params:
        if key == wanted + "*":
            return decode_rfc2231_value(value)
    for key, value in params:
        if key == wanted:
            return decode_encoded_words(_decode_raw(value))
    return None


def _decode_raw(value: str) -> str:
    if value.isascii():
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"))
