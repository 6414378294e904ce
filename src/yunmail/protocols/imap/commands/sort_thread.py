"""SORT (RFC 5256 §3, RFC 5957 DISPLAY) and THREAD=ORDEREDSUBJECT / THREAD=REFERENCES (RFC 5256 §4).

Sort and thread keys come from the cached parse (envelope, references, dates), falling back to
parsing the message when the cache is empty. Ties are broken by sequence number (RFC 5256 §3).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from yunmail.errors import MessageNotFound
from yunmail.mime import EnvelopeAddress, ParsedMessage
from yunmail.mime.encoded_words import decode_header_bytes
from yunmail.protocols.imap.commands import Outcome, ok
from yunmail.protocols.imap.commands.fetch import cached_parse, parse_raw
from yunmail.protocols.imap.commands.search import answer, matching_uids
from yunmail.protocols.imap.wire import commands, responses
from yunmail.protocols.imap.wire.responses import ThreadNode

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# RFC 5256 §5: subj-blob = "[" *BLOBCHAR "]" *WSP
#              subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
_BLOB = r"\[[^\[\]]*\][ \t]*"
_REFWD = re.compile(rf"^(?:{_BLOB})*(?:re|fwd?)[ \t]*(?:{_BLOB})?:", re.IGNORECASE)
_LEADING_BLOB = re.compile(rf"^{_BLOB}")
_TRAILER = re.compile(r"(?:\(fwd\)|[ \t])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Subject:
    base: str  # the RFC 5256 base subject
    key: str  # what SORT/THREAD compare: upper-cased like i;unicode-casemap (RFC 5051)
    reply: bool  # a reply/forward decoration was removed (RFC 5256 §3 REFERENCES step 5)


def extract_subject(subject: str) -> Subject:
    """RFC 5256 §2.1 base subject extraction, step by step (``subject`` already RFC 2047-decoded)."""
    text = re.sub(r"[ \t\r\n]+", " ", subject)  # step 1: white space runs become one space
    reply = False
    while True:
        # Step 2: trailing "(fwd)" and white space, repeatedly.
        while (m := _TRAILER.search(text)) is not None:
            reply = reply or m.group().lower() == "(fwd)"
            text = text[: m.start()]
        # Steps 3-5: leaders (blobs + re/fw/fwd ":", or white space) and lone leading blobs.
        while True:
            before = text
            m = _REFWD.match(text)
            if m is not None:
                text, reply = text[m.end() :], True
            elif text[:1] in (" ", "\t"):
                text = text.lstrip(" \t")
            m = _LEADING_BLOB.match(text)
            if m is not None and text[m.end() :].strip():
                text = text[m.end() :]
            if text == before:
                break
        # Step 6: "[fwd: ... ]" wrapping the rest, then again from step 2.
        if text[:5].lower() == "[fwd:" and text.endswith("]"):
            text, reply = text[5:-1], True
            continue
        return Subject(text, text.upper(), reply)


def base_subject(subject: str) -> str:
    """RFC 5256 §2.1 base subject in the form SORT compares."""
    return extract_subject(subject).key


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@dataclass(slots=True)
class _Msg:
    seq: int
    uid: int
    arrival: dt.datetime
    size: int
    subject: str  # decoded (the store's column)
    sent: dt.datetime | None  # the Date: header (the store's column)
    parsed: ParsedMessage | None  # only loaded for keys that need the envelope or references
    base: Subject | None = None  # computed on first use

    @property
    def full(self) -> ParsedMessage:
        assert self.parsed is not None, "loaded without the parse"
        return self.parsed

    def subject_key(self) -> Subject:
        if self.base is None:
            self.base = extract_subject(self.subject)
        return self.base


async def _load(session: Session, uids: Sequence[int], *, parse: bool) -> list[_Msg]:
    """The messages' sort and thread data; ``parse`` also decodes the cached parse (envelope,
    references), which costs more than the columns."""
    view = session.view
    assert view is not None
    out: list[_Msg] = []
    for start in range(0, len(uids), 200):
        chunk = list(uids[start : start + 200])
        for info in await session.store.fetch_messages(session.mailbox_id, view.folder_id, chunk):
            seq = view.seq_of(info.uid)
            if seq is None:
                continue
            parsed = cached_parse(info) if parse else None
            if parse and parsed is None:
                try:
                    raw = await session.store.read_message(session.mailbox_id, view.folder_id, info.uid)
                except MessageNotFound:
                    continue
                parsed = await parse_raw(raw)
            arrival = _aware(info.internal_date) or _EPOCH
            out.append(_Msg(seq, info.uid, arrival, info.size, info.subject, _aware(info.sent_date), parsed))
    return out


_COLUMN_KEYS = frozenset({"ARRIVAL", "DATE", "SIZE", "SUBJECT"})  # sortable without the parse


def _decoded(text: str | None) -> str:
    if not text:
        return ""
    return decode_header_bytes(text.encode("utf-8", "surrogateescape"))


def _first(addresses: tuple[EnvelopeAddress, ...] | None) -> EnvelopeAddress | None:
    # The envelope's first entry; a group's start entry (its name as mailbox) counts, as in Dovecot.
    for a in addresses or ():
        if a.mailbox is not None:
            return a
    return None


def _mailbox(addresses: tuple[EnvelopeAddress, ...] | None) -> str:
    """RFC 5256 §3 FROM/TO/CC: the addr-mailbox (local part) of the first address."""
    first = _first(addresses)
    return _decoded(first.mailbox).upper() if first is not None else ""


def _display(addresses: tuple[EnvelopeAddress, ...] | None) -> str:
    """RFC 5957 §3 DISPLAYFROM/DISPLAYTO: the decoded display name, else the addr-spec."""
    first = _first(addresses)
    if first is None:
        return ""
    name = _decoded(first.name).strip()
    if name:
        return name.upper()
    spec = first.mailbox if first.host is None else f"{first.mailbox}@{first.host}"
    return _decoded(spec).upper()


def _sent(msg: _Msg) -> dt.datetime:
    # RFC 5256 §3 DATE: the Date: header, or the internal date when it cannot be parsed.
    return msg.sent or msg.arrival


def _sort_key(msg: _Msg, key: str) -> Any:
    if key == "ARRIVAL":
        return msg.arrival
    if key == "DATE":
        return _sent(msg)
    if key == "SIZE":
        return msg.size
    if key == "SUBJECT":
        return msg.subject_key().key
    env = msg.full.envelope
    if key == "FROM":
        return _mailbox(env.from_)
    if key == "TO":
        return _mailbox(env.to)
    if key == "CC":
        return _mailbox(env.cc)
    if key == "DISPLAYFROM":
        return _display(env.from_)
    return _display(env.to)


async def _sorted(session: Session, command: commands.Sort) -> tuple[list[_Msg], bool]:
    uids, modseq_used = await matching_uids(session, command.search)
    parse = any(c.key not in _COLUMN_KEYS for c in command.criteria)
    msgs = sorted(await _load(session, uids, parse=parse), key=lambda m: m.seq)
    # Stable sorts from the least significant key; REVERSE keeps ties in sequence order.
    for criterion in reversed(command.criteria):
        name: str = criterion.key
        msgs.sort(key=lambda m: _sort_key(m, name), reverse=criterion.reverse)
    return msgs, modseq_used


async def sorted_messages(session: Session, command: commands.Sort) -> list[_Msg]:
    """The messages ``command`` selects, in its order (RFC 5256 §3; ties by sequence number)."""
    return (await _sorted(session, command))[0]


async def sort(session: Session, command: commands.Sort) -> Outcome:
    """SORT, with ESORT/CONTEXT=SORT result options (RFC 5267 §3-4) and PARTIAL (RFC 9394)."""
    msgs, modseq_used = await _sorted(session, command)
    uids = [m.uid for m in msgs]
    await answer(session, command, uids, modseq_used=modseq_used)
    return ok("SORT completed")


# --- THREAD --------------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Box:
    """A thread container (RFC 5256 §3 REFERENCES step 1): a message or a placeholder."""

    msg: _Msg | None = None
    parent: _Box | None = None
    children: list[_Box] = field(default_factory=list)

    def is_ancestor_of(self, other: _Box) -> bool:
        node: _Box | None = other
        while node is not None:
            if node is self:
                return True
            node = node.parent
        return False

    def first(self) -> _Msg | None:
        """The message that stands for this container: its own, else its first child's."""
        if self.msg is not None:
            return self.msg
        return self.children[0].first() if self.children else None

    def order(self) -> tuple[dt.datetime, int]:
        msg = self.first()
        return (_sent(msg), msg.seq) if msg is not None else (_EPOCH, 0)


def _unlink(child: _Box) -> None:
    if child.parent is not None:
        child.parent.children.remove(child)
        child.parent = None


def _link(parent: _Box, child: _Box) -> None:
    _unlink(child)
    child.parent = parent
    parent.children.append(child)


def _references(msgs: Sequence[_Msg]) -> list[_Box]:
    """RFC 5256 §3 REFERENCES steps 1-3: containers linked by References/In-Reply-To, pruned roots."""
    table: dict[str, _Box] = {}
    unnamed: list[_Box] = []  # no Message-ID, or a duplicate one: a container of its own
    for msg in msgs:
        own_id = msg.full.message_id
        box = table.get(own_id) if own_id else None
        if box is None or box.msg is not None:
            box = _Box()
            if own_id and own_id not in table:
                table[own_id] = box
            else:
                unnamed.append(box)
        box.msg = msg
        parsed = msg.full
        refs = list(parsed.references) or ([parsed.in_reply_to] if parsed.in_reply_to else [])
        previous: _Box | None = None
        for ref in refs:
            ref_box = table.setdefault(ref, _Box())
            # Step 1A: link each reference to the one before it, unless already linked or a loop.
            if (
                previous is not None
                and ref_box.parent is None
                and ref_box is not previous
                and not ref_box.is_ancestor_of(previous)
            ):
                _link(previous, ref_box)
            previous = ref_box
        # Step 1B: the last reference is the parent (an old link gives way), unless that is a loop.
        if previous is not None and previous is not box and not box.is_ancestor_of(previous):
            _link(previous, box)
        elif previous is None:
            _unlink(box)
    roots = [b for b in (*table.values(), *unnamed) if b.parent is None]
    return _prune(roots, top=True)


def _prune(boxes: list[_Box], *, top: bool) -> list[_Box]:
    """Step 3: drop empty placeholders; a placeholder gives way to its children, except at the
    top where it stays when it holds several (they would otherwise become separate threads)."""
    out: list[_Box] = []
    for box in boxes:
        box.children = _prune(box.children, top=False)
        for child in box.children:
            child.parent = box
        if box.msg is None:
            if not box.children:
                continue
            if not top or len(box.children) == 1:
                for child in box.children:
                    child.parent = box.parent
                out.extend(box.children)
                continue
        out.append(box)
    return out


def _sort_siblings(boxes: list[_Box]) -> None:
    """Step 6 (and 4): siblings by sent date, then sequence; deepest levels first."""
    for box in boxes:
        _sort_siblings(box.children)
    boxes.sort(key=lambda b: b.order())


def _group_by_subject(roots: list[_Box]) -> list[_Box]:
    """Step 5: roots that share a base subject become one thread."""

    def subject(box: _Box) -> Subject | None:
        msg = box.first()
        found = msg.subject_key() if msg is not None else None
        return found if found is not None and found.key else None

    table: dict[str, _Box] = {}
    for box in roots:  # 5A-5C
        subj = subject(box)
        if subj is None:
            continue
        old = table.get(subj.key)
        if (
            old is None
            or (box.msg is None and old.msg is not None)
            or (old.msg is not None and box.msg is not None and _is_reply(old) and not subj.reply)
        ):
            table[subj.key] = box
    out: list[_Box] = []
    for box in roots:  # 5D-5E
        subj = subject(box)
        old = table.get(subj.key) if subj is not None else None
        if subj is None or old is None or old is box:
            out.append(box)
            continue
        if old.msg is None and box.msg is None:
            for child in list(box.children):
                _link(old, child)
        elif old.msg is None or (subj.reply and not _is_reply(old)):
            _link(old, box)
        else:
            dummy = _Box()
            index = out.index(old) if old in out else None
            _link(dummy, old)
            _link(dummy, box)
            table[subj.key] = dummy
            if index is not None:
                out[index] = dummy
            else:
                out.append(dummy)
    return out


def _is_reply(box: _Box) -> bool:
    return box.msg is not None and box.msg.subject_key().reply


def _node(box: _Box, uid: bool) -> ThreadNode:
    number = None if box.msg is None else (box.msg.uid if uid else box.msg.seq)
    return ThreadNode(number, tuple(_node(c, uid) for c in box.children))


def _ordered_subject(msgs: Sequence[_Msg], uid: bool) -> list[ThreadNode]:
    """RFC 5256 §3 ORDEREDSUBJECT: by base subject, then sent date; each group one flat thread."""
    groups: dict[str, list[_Msg]] = {}
    for msg in sorted(msgs, key=lambda m: (m.subject_key().key, _sent(m), m.seq)):
        groups.setdefault(msg.subject_key().key, []).append(msg)
    threads = sorted(groups.values(), key=lambda g: (_sent(g[0]), g[0].seq))
    return [
        ThreadNode(
            group[0].uid if uid else group[0].seq,
            tuple(ThreadNode(m.uid if uid else m.seq) for m in group[1:]),
        )
        for group in threads
    ]


async def thread(session: Session, command: commands.Thread) -> Outcome:
    uids, _ = await matching_uids(session, command.search)
    parse = command.algorithm != "ORDEREDSUBJECT"  # REFERENCES needs Message-ID and References
    msgs = sorted(await _load(session, uids, parse=parse), key=lambda m: m.seq)
    if command.algorithm == "ORDEREDSUBJECT":
        threads = _ordered_subject(msgs, command.uid)
    else:
        roots = _references(msgs)
        _sort_siblings(roots)
        roots = _group_by_subject(roots)
        _sort_siblings(roots)
        threads = [_node(root, command.uid) for root in roots]
    session.send(responses.ThreadData(tuple(threads)))
    return ok("THREAD completed")
