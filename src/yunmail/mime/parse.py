"""Message bytes to structure: one pass over the raw bytes giving parts, offsets and envelopes.

Implementation notes (the invariants this module guards):

* **Raw bytes are the truth.** Nothing is re-serialised; every answer an IMAP server gives is a
  slice of the input (``structure.Part`` documents the offsets).
* **Dovecot-compatible structure.** Boundaries follow RFC 2046 §5.1.1 as Dovecot implements
  them, because the IMAP server is tested against Dovecot: a delimiter line is "--" + a boundary
  of any enclosing multipart as a *prefix* (the longest, innermost on ties, wins); the CR LF
  before a delimiter belongs to the delimiter; a delimiter of an outer multipart closes every
  part inside it; a multipart's own boundary becomes active at the end of its header; a header
  block cut short by a delimiter loses its last line break to that delimiter; a part without
  Content-Type is text/plain, or message/rfc822 inside multipart/digest (RFC 2046 §5.1.5);
  Content-* fields count only in MIME entities (a MIME-Version or Content-Type field, or any
  body part of a multipart); boundaries are cut to 80 octets.
* **Bounded work, no recursion.** The parser is a loop over states with explicit stacks. Every
  search moves forward (header scans stop at their own header's end; body scans continue from
  where the previous one stopped), so time is linear in the message size times the (capped)
  number of active boundaries. Limits, with Dovecot's defaults and semantics so that hostile
  mail gets the same structure as from Dovecot: parts nest fewer than :data:`MAX_DEPTH` levels
  (a container that would nest deeper is kept as an opaque leaf: max_nested_mime_parts); a
  message has at most :data:`MAX_PARTS` parts (the part that reaches the limit takes the rest of
  the message as its body: max_total_mime_parts). Interpreted header fields are capped per part
  and in total. Hitting a limit sets ``ParsedMessage.truncated``.
* **Never raises on input.** Empty input, missing boundaries, LF-only line ends, NUL and 8-bit
  bytes in headers all give a best-effort structure.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from yunmail.mime.address import (
    Address,
    RawGroupEnd,
    RawGroupStart,
    flatten_addresses,
    parse_address_list,
    parse_raw_address_list,
)
from yunmail.mime.encoded_words import decode_bytes, decode_header_bytes, raw_text
from yunmail.mime.extract import summarize
from yunmail.mime.headers import (
    ContentType,
    interesting_fields,
    parse_content_disposition,
    parse_content_language,
    parse_content_transfer_encoding,
    parse_content_type,
)
from yunmail.mime.structure import AddressList, Envelope, EnvelopeAddress, ParsedMessage, Part

__all__ = [
    "MAX_DEPTH",
    "MAX_PARTS",
    "canonicalize_line_endings",
    "parse_message",
]

MAX_DEPTH = 100  # Dovecot message_parser max_nested_mime_parts default
MAX_PARTS = 10_000  # Dovecot max_total_mime_parts default
MAX_FIELDS_PER_PART = 1_000
MAX_FIELDS_TOTAL = 200_000
BOUNDARY_MAX = 80  # RFC 2046 §5.1.1 allows 70; Dovecot keeps 80
_BOUNDARY_FIND_MAX = BOUNDARY_MAX + 4

_HEADER, _BODY, _EOF = 0, 1, 2
_LEAF, _MULTI, _RFC822 = 0, 1, 2
_BARE_LF = re.compile(rb"(?<!\r)\n")
_MSG_ID = re.compile(r"<([^<>]*)>")
_TEXT_PLAIN = ContentType("text", "plain", (), True)
_MESSAGE_RFC822 = ContentType("message", "rfc822", (), True)


class _Node:
    """Mutable part under construction."""

    __slots__ = (
        "body_end",
        "boundary",
        "children",
        "content",
        "ctype",
        "depth",
        "embedded",
        "fields",
        "header_end",
        "header_start",
        "kind",
        "mime_child",
        "opaque",
        "parent",
        "part",
        "section",
    )

    def __init__(self, parent: _Node | None, start: int, mime_child: bool) -> None:
        self.parent = parent
        self.depth: int = 0 if parent is None else parent.depth + 1
        self.mime_child = mime_child
        self.header_start = start
        self.header_end = start
        self.body_end = -1
        self.children: list[_Node] = []
        self.embedded: _Node | None = None
        self.fields: list[tuple[str, bytes]] = []
        self.content: dict[str, bytes] = {}
        self.ctype = _TEXT_PLAIN
        self.kind = _LEAF
        self.boundary: bytes | None = None
        self.opaque = False
        self.section: tuple[int, ...] = ()
        self.part: Part | None = None


class _Bound:
    __slots__ = ("node", "token")

    def __init__(self, token: bytes, node: _Node) -> None:
        self.token = token
        self.node = node


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.n = len(data)
        self.bounds: list[_Bound] = []
        self.count = 0
        self.fields_left = MAX_FIELDS_TOTAL
        self.limits: set[str] = set()
        self._patterns: dict[tuple[bool, tuple[bytes, ...]], re.Pattern[bytes]] = {}

    # --- main loop --------------------------------------------------------------------------

    def run(self) -> _Node:
        root = self._new(None, 0, mime_child=False)
        node, pos, state = root, 0, _HEADER
        while state != _EOF:
            if state == _HEADER:
                node, pos, state = self._header(node, pos)
            else:
                hit = self._find_delimiter(pos)
                if hit is None:
                    break
                node, pos, state = self._delimiter(node, *hit)
        cur: _Node | None = node
        while cur is not None:  # everything still open ends at end of input
            if cur.body_end < 0:
                cur.body_end = self.n
            cur = cur.parent
        return root

    def _new(self, parent: _Node | None, start: int, mime_child: bool) -> _Node:
        self.count += 1
        return _Node(parent, start, mime_child)

    # --- headers ----------------------------------------------------------------------------

    def _header(self, node: _Node, pos: int) -> tuple[_Node, int, int]:
        data, n = self.data, self.n
        blank_start, blank_end, cut = self._scan_header(pos)
        if cut is not None:
            line, bound = cut
            end = line
            if line > pos:
                end -= 2 if line - 2 >= pos and data[line - 2] == 0x0D else 1
            self._interpret(node, pos, end)
            node.header_end = end
            return self._delimiter(self._cut_container(node), line, end, bound)
        self._interpret(node, pos, blank_start)
        if self.count >= MAX_PARTS:
            # The last part allowed takes the rest of the message as one blob.
            self.limits.add("parts")
            node.opaque = node.kind != _LEAF
            self.bounds.clear()
            node.header_end = blank_end
            return node, blank_end, _BODY
        if node.kind == _MULTI and node.boundary is not None:
            if node.depth + 1 >= MAX_DEPTH:
                node.opaque = True
                self.limits.add("depth")
            else:
                self.bounds.append(_Bound(node.boundary, node))
        # RFC 2046 §5.1.1: the CRLF before a delimiter is part of it, so a delimiter right
        # after the empty line takes that line; the header then ends before it.
        if blank_end < n and self.bounds and data.startswith(b"--", blank_end):
            after = self._match(blank_end)
            if after is not None and after.node is not node:
                node.header_end = blank_start
                return self._delimiter(self._cut_container(node), blank_end, blank_start, after)
        node.header_end = blank_end
        if node.kind == _RFC822 and self._may_nest(node):
            child = self._new(node, blank_end, mime_child=False)
            node.embedded = child
            return child, blank_end, _HEADER
        return node, blank_end, _BODY

    def _scan_header(self, pos: int) -> tuple[int, int, tuple[int, _Bound] | None]:
        """Find where the header at ``pos`` ends: (empty line start, body start, cut-by-delimiter)."""
        data, n = self.data, self.n
        if pos >= n:
            return n, n, None
        if data[pos] == 0x0A:
            return pos, pos + 1, None
        if data[pos] == 0x0D and data.startswith(b"\n", pos + 1):
            return pos, pos + 2, None
        if self.bounds and data.startswith(b"--", pos):
            bound = self._match(pos)
            if bound is not None:
                return pos, pos, (pos, bound)
        stop = self._pattern(header=True)
        search = pos
        while True:
            found = stop.search(data, search)
            if found is None:
                return n, n, None
            nl = found.start()
            if data[nl + 1] == 0x2D:
                bound = self._match(nl + 1)
                if bound is not None:
                    return nl + 1, nl + 1, (nl + 1, bound)
                search = nl + 1
                continue
            return nl + 1, found.end(), None

    def _interpret(self, node: _Node, start: int, end: int) -> None:
        """Read the interpreted fields of a header block and decide the part's type."""
        fields: list[tuple[str, bytes]] = []
        if end > start and self.fields_left > 0:
            limit = min(MAX_FIELDS_PER_PART, self.fields_left)
            fields, cut = interesting_fields(self.data[start:end], limit)
            self.fields_left -= len(fields)
            if cut or self.fields_left <= 0:
                self.limits.add("header_fields")
        first: dict[str, bytes] = {}
        for name, value in fields:
            first.setdefault(name, value)
        if node.parent is None or node.parent.kind == _RFC822:
            node.fields = fields
        is_mime = node.mime_child or "content-type" in first or "mime-version" in first
        ctype = parse_content_type(first["content-type"]) if is_mime and "content-type" in first else None
        if ctype is None or not ctype.type:
            parent = node.parent
            in_digest = (
                node.mime_child
                and parent is not None
                and parent.kind == _MULTI
                and parent.ctype.subtype == "digest"
            )
            ctype = _MESSAGE_RFC822 if in_digest else _TEXT_PLAIN
        node.ctype = ctype
        node.content = {k: v for k, v in first.items() if k.startswith("content-")} if is_mime else {}
        if ctype.type == "multipart" and ctype.has_slash:
            node.kind = _MULTI
            for key, param in ctype.params:
                if key == "boundary":
                    token = param.encode("utf-8", "surrogateescape")[:BOUNDARY_MAX]
                    node.boundary = None if b"\n" in token else token
                    break
        elif ctype.type == "message" and ctype.subtype == "rfc822":
            node.kind = _RFC822

    def _may_nest(self, node: _Node) -> bool:
        if node.depth + 1 >= MAX_DEPTH:
            self.limits.add("depth")
        elif self.count >= MAX_PARTS:
            self.limits.add("parts")
        else:
            return True
        node.opaque = True
        return False

    def _cut_container(self, node: _Node) -> _Node:
        """A message/rfc822 whose header was cut by a delimiter still gets an (empty) message."""
        if node.kind != _RFC822 or not self._may_nest(node):
            return node
        child = self._new(node, node.header_end, mime_child=False)
        node.embedded = child
        self._interpret(child, child.header_start, child.header_start)
        return child

    # --- boundaries -------------------------------------------------------------------------

    def _match(self, line: int) -> _Bound | None:
        """The boundary a line starting with "--" at ``line`` delimits, Dovecot style.

        The line may continue after the boundary (RFC 2046 §5.1.1 only requires a prefix); the
        longest boundary wins, the innermost on ties. "--foo--" is either boundary "foo" closed
        or boundary "foo--" continued, so an exact fit of either form ends the search.
        """
        data = self.data
        start = line + 2
        lf = data.find(b"\n", start, start + _BOUNDARY_FIND_MAX + 4)
        dashes = False
        if lf >= 0:
            size = lf - start
            if size > 0 and data[lf - 1] == 0x0D:
                size -= 1
            dashes = size > 2 and data[start + size - 2 : start + size] == b"--"
        else:
            size = min(self.n - start, _BOUNDARY_FIND_MAX)
        best: _Bound | None = None
        for bound in reversed(self.bounds):
            length = len(bound.token)
            longer = best is None or len(best.token) < length
            if length <= size and longer and data.startswith(bound.token, start):
                best = bound
                if length == size or (dashes and length == size - 2):
                    break
        return best

    def _pattern(self, header: bool = False) -> re.Pattern[bytes]:
        """Regex finding the next line that may be a delimiter (and, in headers, an empty line)."""
        key = tuple(sorted({bound.token for bound in self.bounds}, key=len, reverse=True))
        cache_key = (header, key)
        pattern = self._patterns.get(cache_key)
        if pattern is None:
            if len(self._patterns) > 256:
                self._patterns.clear()
            if not key:
                delimiter = b""
            elif any(not token for token in key):
                delimiter = b"--"
            else:
                delimiter = b"--(?:" + b"|".join(re.escape(token) for token in key) + b")"
            if header:
                pattern = re.compile(rb"\n(?:\r?\n" + (b"|" + delimiter if delimiter else b"") + b")")
            else:
                pattern = re.compile(rb"\n" + delimiter)
            self._patterns[cache_key] = pattern
        return pattern

    def _find_delimiter(self, pos: int) -> tuple[int, int, _Bound] | None:
        """Next delimiter line at or after ``pos`` (a line start): (line, body end, boundary)."""
        if not self.bounds:
            return None
        data = self.data
        if data.startswith(b"--", pos):
            bound = self._match(pos)
            if bound is not None:
                return pos, pos, bound
        pattern = self._pattern()
        search = pos
        while True:
            found = pattern.search(data, search)
            if found is None:
                return None
            line = found.start() + 1
            bound = self._match(line)
            if bound is not None:
                end = line - 1
                if end - 1 >= pos and data[end - 1] == 0x0D:
                    end -= 1
                return line, end, bound
            search = line

    def _delimiter(self, node: _Node, line: int, end: int, bound: _Bound) -> tuple[_Node, int, int]:
        """Close parts up to the delimiter's multipart; start its next body part or epilogue."""
        target = bound.node
        cur: _Node | None = node
        while cur is not None and cur is not target:
            cur.body_end = end
            cur = cur.parent
        index = next(i for i in range(len(self.bounds) - 1, -1, -1) if self.bounds[i] is bound)
        closing = self.data.startswith(b"--", line + 2 + len(bound.token))
        del self.bounds[index if closing else index + 1 :]
        lf = self.data.find(b"\n", line)
        if lf < 0:
            return target, self.n, _EOF
        if closing:
            return target, lf + 1, _BODY  # epilogue
        if self.count >= MAX_PARTS:
            self.limits.add("parts")
            self.bounds.clear()
            return target, lf + 1, _BODY
        child = self._new(target, lf + 1, mime_child=True)
        target.children.append(child)
        return child, lf + 1, _HEADER

    # --- freezing ---------------------------------------------------------------------------

    def finish(self, root: _Node) -> Part:
        root.section = () if root.kind == _MULTI and not root.opaque else (1,)
        order: list[_Node] = []
        stack = [root]
        while stack:
            node = stack.pop()
            order.append(node)
            if node.embedded is not None:
                inner = node.embedded
                multi = inner.kind == _MULTI and not inner.opaque
                inner.section = node.section if multi else (*node.section, 1)
                stack.append(inner)
            for number, child in enumerate(node.children, 1):
                child.section = (*node.section, number)
            stack.extend(reversed(node.children))
        lines: dict[int, int] = {}
        for node in reversed(order):
            lines[id(node)] = self._lines(node, lines)
            node.part = self._freeze(node, lines[id(node)])
        assert root.part is not None
        return root.part

    def _count(self, start: int, end: int) -> int:
        return self.data.count(b"\n", start, end) if end > start else 0

    def _lines(self, node: _Node, known: dict[int, int]) -> int:
        # Each byte is counted once: containers add up their children's counts.
        inner = node.children if node.embedded is None else [node.embedded]
        if not inner:
            return self._count(node.header_end, node.body_end)
        total, prev = 0, node.header_end
        for child in inner:
            total += self._count(prev, child.header_start) + self._count(child.header_start, child.header_end)
            total += known[id(child)]
            prev = child.body_end
        return total + self._count(prev, node.body_end)

    def _freeze(self, node: _Node, lines: int) -> Part:
        ctype = node.ctype
        content = node.content
        disposition, disposition_params = (
            parse_content_disposition(content["content-disposition"])
            if "content-disposition" in content
            else (None, ())
        )
        encoding = content.get("content-transfer-encoding")
        language = content.get("content-language")
        embedded = node.embedded
        return Part(
            section=node.section,
            content_type=ctype.type,
            content_subtype=ctype.subtype,
            params=ctype.params,
            content_id=_raw(content.get("content-id")),
            description=_raw(content.get("content-description")),
            encoding=parse_content_transfer_encoding(encoding) if encoding is not None else None,
            disposition=disposition,
            disposition_params=disposition_params,
            language=parse_content_language(language) if language is not None else (),
            location=_raw(content.get("content-location")),
            md5=_raw(content.get("content-md5")),
            header_start=node.header_start,
            header_end=node.header_end,
            body_end=node.body_end,
            lines=lines,
            children=tuple(child.part for child in node.children if child.part is not None),
            envelope=envelope_from_fields(embedded.fields) if embedded is not None else None,
            message=embedded.part if embedded is not None else None,
            opaque=node.opaque,
        )


def _raw(value: bytes | None) -> str | None:
    return raw_text(value) if value is not None else None


def _envelope_addresses(value: bytes) -> AddressList:
    out: list[EnvelopeAddress] = []
    for item in parse_raw_address_list(raw_text(value)):
        if isinstance(item, RawGroupStart):
            out.append(EnvelopeAddress(None, None, item.name, None))
        elif isinstance(item, RawGroupEnd):
            out.append(EnvelopeAddress(None, None, None, None))
        else:
            # Dovecot fills missing pieces so clients always get a usable structure.
            out.append(
                EnvelopeAddress(
                    item.name or None,
                    item.route,
                    item.local_part if item.local_part is not None else "MISSING_MAILBOX",
                    item.domain if item.domain is not None else "MISSING_DOMAIN",
                )
            )
    return tuple(out) or None


def envelope_from_fields(fields: list[tuple[str, bytes]]) -> Envelope:
    """RFC 3501 §7.4.2 ENVELOPE of a header; a repeated field's last value counts (as Dovecot)."""
    last: dict[str, bytes] = {}
    for name, value in fields:
        last[name] = value

    def text(name: str) -> str | None:
        return _raw(last.get(name))

    def addresses(name: str) -> AddressList:
        value = last.get(name)
        return _envelope_addresses(value) if value is not None else None

    sender = addresses("from")
    return Envelope(
        date=text("date"),
        subject=text("subject"),
        from_=sender,
        sender=addresses("sender") or sender,
        reply_to=addresses("reply-to") or sender,
        to=addresses("to"),
        cc=addresses("cc"),
        bcc=addresses("bcc"),
        in_reply_to=text("in-reply-to"),
        message_id=text("message-id"),
    )


def _msg_ids(value: bytes | None) -> tuple[str, ...]:
    # RFC 5322 §3.6.4 msg-id = "<" id-left "@" id-right ">"; tolerate missing brackets.
    if value is None:
        return ()
    text = raw_text(value[:16384]).replace("\ufffd", "")
    ids = [found.strip() for found in _MSG_ID.findall(text) if found.strip()]
    if not ids and text.strip() and " " not in text.strip():
        ids = [text.strip()]
    return tuple(dict.fromkeys(ids))[:500]


def _date(value: bytes | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = parsedate_to_datetime(raw_text(value[:256]).strip())
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _addresses(value: bytes | None) -> tuple[Address, ...]:
    if value is None:
        return ()
    # 8-bit text is decoded first; encoded words only after tokenizing (RFC 2047 §5: they may
    # hide specials such as "," or "<" that must not split the list).
    text = decode_bytes(value[:65536]).replace("\x00", "\ufffd")
    return flatten_addresses(parse_address_list(text))


def canonicalize_line_endings(data: bytes) -> bytes:
    """Turn bare LF into CR LF (RFC 5322 §2.1), leaving existing CR LF alone.

    Store messages in this form: IMAP sizes and offsets are then what clients expect (Dovecot
    reports sizes as if lines ended in CR LF).
    """
    return _BARE_LF.sub(b"\r\n", data) if b"\n" in data else data


def parse_message(data: bytes, *, with_text: bool = True) -> ParsedMessage:
    """Parse raw message bytes. Never raises on bad input; see the module notes for limits.

    With ``with_text=False`` the preview and search text are left empty (structure only).
    """
    parser = _Parser(data)
    root_node = parser.run()
    root = parser.finish(root_node)
    first: dict[str, bytes] = {}
    for name, value in root_node.fields:
        first.setdefault(name, value)
    summary = summarize(data, root, with_text=with_text)
    limits = set(parser.limits) | set(summary.limits)
    subject = first.get("subject")
    in_reply_to = _msg_ids(first.get("in-reply-to"))
    message_ids = _msg_ids(first.get("message-id"))
    return ParsedMessage(
        size=len(data),
        root=root,
        envelope=envelope_from_fields(root_node.fields),
        part_count=parser.count,
        subject=_one_line(decode_header_bytes(subject[:16384])) if subject is not None else "",
        from_=_addresses(first.get("from")),
        sender=_addresses(first.get("sender")),
        reply_to=_addresses(first.get("reply-to")),
        to=_addresses(first.get("to")),
        cc=_addresses(first.get("cc")),
        bcc=_addresses(first.get("bcc")),
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=_msg_ids(first.get("references")),
        date=_date(first.get("date")),
        preview=summary.preview,
        search_text=summary.search_text,
        attachments=summary.attachments,
        truncated=bool(limits),
        limits_hit=tuple(sorted(limits)),
    )


def _one_line(text: str) -> str:
    return " ".join(text.replace("\x00", " ").split())[:2000]
