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
from yunmail.protocols.imap.commands import Outcome, ok
from yunmail.protocols.imap.commands.fetch import cached_parse, parse_raw
from yunmail.protocols.imap.commands.search import matching_uids
from yunmail.protocols.imap.wire import commands, responses
from yunmail.protocols.imap.wire.responses import ThreadNode

if TYPE_CHECKING:
    from yunmail.protocols.imap.session import Session

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SUBJ_LEADER = re.compile(r"^(?:\s*(?:re|fwd?)\s*(?:\[[^\]]*\])?\s*:|\s*\[[^\]]*\])", re.IGNORECASE)
_SUBJ_TRAILER = re.compile(r"\s*\(fwd\)\s*$", re.IGNORECASE)


def base_subject(subject: str) -> str:
    """RFC 5256 §2.1 base subject (decoded, case-folded)."""
    text = " ".join(subject.split())
    while True:
        before = text
        text = _SUBJ_TRAILER.sub("", text)
        while True:
            stripped = _SUBJ_LEADER.sub("", text, count=1).strip()
            if stripped == text or not stripped:
                break
            text = stripped
        if text.lower().startswith("[fwd:") and text.endswith("]"):
            text = text[5:-1].strip()
        if text == before:
            return text.casefold()


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
    parsed: ParsedMessage


async def _load(session: Session, uids: Sequence[int]) -> list[_Msg]:
    view = session.view
    assert view is not None
    out: list[_Msg] = []
    for start in range(0, len(uids), 200):
        chunk = list(uids[start : start + 200])
        for info in await session.store.fetch_messages(session.mailbox_id, view.folder_id, chunk):
            parsed = cached_parse(info)
            if parsed is None:
                try:
                    raw = await session.store.read_message(session.mailbox_id, view.folder_id, info.uid)
                except MessageNotFound:
                    continue
                parsed = await parse_raw(raw)
            seq = view.seq_of(info.uid)
            if seq is not None:
                out.append(_Msg(seq, info.uid, _aware(info.internal_date) or _EPOCH, info.size, parsed))
    return out


def _mailbox(addresses: tuple[EnvelopeAddress, ...] | None) -> str:
    for a in addresses or ():
        if a.mailbox is not None and a.host is not None:
            return a.mailbox.casefold()
    return ""


def _display(msg: _Msg, which: str) -> str:
    # RFC 5957 §3: the display name if there is one, else the addr-spec.
    people = msg.parsed.from_ if which == "from" else msg.parsed.to
    if not people:
        return ""
    first = people[0]
    return (first.name or f"{first.local_part}@{first.domain}").casefold()


def _sent(msg: _Msg) -> dt.datetime:
    return _aware(msg.parsed.date) or msg.arrival


def _sort_key(msg: _Msg, key: str) -> Any:
    env = msg.parsed.envelope
    if key == "ARRIVAL":
        return msg.arrival
    if key == "DATE":
        return _sent(msg)
    if key == "SIZE":
        return msg.size
    if key == "SUBJECT":
        return base_subject(msg.parsed.subject)
    if key == "FROM":
        return _mailbox(env.from_)
    if key == "TO":
        return _mailbox(env.to)
    if key == "CC":
        return _mailbox(env.cc)
    if key == "DISPLAYFROM":
        return _display(msg, "from")
    return _display(msg, "to")


async def sort(session: Session, command: commands.Sort) -> Outcome:
    uids, _ = await matching_uids(session, command.search)
    msgs = sorted(await _load(session, uids), key=lambda m: m.seq)
    # Stable sorts from the least significant key; seq order is the final tie-break.
    for criterion in reversed(command.criteria):
        name: str = criterion.key
        msgs.sort(key=lambda m: _sort_key(m, name), reverse=criterion.reverse)
    numbers = tuple(m.uid if command.uid else m.seq for m in msgs)
    session.send(responses.SortData(numbers))
    return ok("SORT completed")


# --- THREAD --------------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Box:
    """A thread container (RFC 5256 §4 REFERENCES step 1): a message or a placeholder."""

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

    def date(self) -> dt.datetime:
        if self.msg is not None:
            return _sent(self.msg)
        return min((c.date() for c in self.children), default=_EPOCH)

    def seq(self) -> int:
        if self.msg is not None:
            return self.msg.seq
        return min((c.seq() for c in self.children), default=0)


def _link(parent: _Box, child: _Box) -> None:
    if child.parent is parent or child is parent or child.is_ancestor_of(parent):
        return
    if child.parent is not None:
        child.parent.children.remove(child)
    child.parent = parent
    parent.children.append(child)


def _references(msgs: Sequence[_Msg]) -> list[_Box]:
    table: dict[str, _Box] = {}
    unnamed: list[_Box] = []  # no Message-ID, or a duplicate one: a container of its own
    for msg in msgs:
        own_id = msg.parsed.message_id
        box = table.get(own_id) if own_id else None
        if box is None or box.msg is not None:
            box = _Box()
            if own_id and own_id not in table:
                table[own_id] = box
            else:
                unnamed.append(box)
        box.msg = msg
        refs = list(msg.parsed.references) or ([msg.parsed.in_reply_to] if msg.parsed.in_reply_to else [])
        previous: _Box | None = None
        for ref in refs:
            ref_box = table.setdefault(ref, _Box())
            if previous is not None and ref_box.parent is None:
                _link(previous, ref_box)
            previous = ref_box
        if previous is not None and previous is not box and not box.is_ancestor_of(previous):
            _link(previous, box)
        elif box.parent is not None and previous is None:
            box.parent.children.remove(box)
            box.parent = None
    roots = [b for b in (*table.values(), *unnamed) if b.parent is None]
    return _prune(roots)


def _prune(boxes: list[_Box]) -> list[_Box]:
    """RFC 5256 REFERENCES step 4: drop empty placeholders, promote the children of others."""
    out: list[_Box] = []
    for box in boxes:
        box.children = _prune(box.children)
        for child in box.children:
            child.parent = box
        if box.msg is None:
            if not box.children:
                continue
            if box.parent is not None or len(box.children) == 1:
                out.extend(box.children)
                continue
        out.append(box)
    return out


def _node(box: _Box, uid: bool) -> ThreadNode:
    children = sorted(box.children, key=lambda b: (b.date(), b.seq()))
    number = None if box.msg is None else (box.msg.uid if uid else box.msg.seq)
    return ThreadNode(number, tuple(_node(c, uid) for c in children))


async def thread(session: Session, command: commands.Thread) -> Outcome:
    uids, _ = await matching_uids(session, command.search)
    msgs = sorted(await _load(session, uids), key=lambda m: m.seq)
    if command.algorithm == "ORDEREDSUBJECT":
        groups: dict[str, list[_Msg]] = {}
        for msg in sorted(msgs, key=lambda m: (_sent(m), m.seq)):
            groups.setdefault(base_subject(msg.parsed.subject), []).append(msg)
        threads = [
            ThreadNode(
                group[0].uid if command.uid else group[0].seq,
                tuple(ThreadNode(m.uid if command.uid else m.seq) for m in group[1:]),
            )
            for group in groups.values()
        ]
    else:
        roots = sorted(_references(msgs), key=lambda b: (b.date(), b.seq()))
        threads = [_node(root, command.uid) for root in roots]
    session.send(responses.ThreadData(tuple(threads)))
    return ok("THREAD completed")
