"""Parsing one complete command (as framed by `tokenizer.Framer`) into a `commands` dataclass.

`parse_command` is total: it returns a command or raises `WireError` carrying the tag and command
name when they could be read, never anything else. Grammar references are RFC 9051 §9 unless
noted. Extension parameters that this server does not implement are answered BAD, as RFC 4466
§2.1 requires for SELECT and RFC 5258 §3 for LIST options.

Leniencies (each deliberate): command names and keywords are case-insensitive; 8-bit UTF-8 is
accepted in quoted strings in every mode (RFC 9051 allows it, IMAP4rev1 clients send it); a
non-synchronising literal is accepted even when only LITERAL- or nothing was advertised (the
framer enforces the size rule). Mailbox-name decoding is described in `arguments`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from yunmail.protocols.imap.wire import arguments as a
from yunmail.protocols.imap.wire import commands as c
from yunmail.protocols.imap.wire import fetch_items, search_keys
from yunmail.protocols.imap.wire.errors import WireError
from yunmail.protocols.imap.wire.sequence_set import SequenceSet
from yunmail.protocols.imap.wire.tokenizer import (
    DEFAULT_MAX_DEPTH,
    MAX_U63,
    Reader,
    command_head,
)

_THREAD_ALGORITHMS: tuple[c.ThreadAlgorithm, ...] = ("ORDEREDSUBJECT", "REFERENCES", "REFS")
_LIST_SELECT = ("SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE")  # RFC 5258, RFC 6154
_LIST_RETURN = ("SUBSCRIBED", "CHILDREN", "SPECIAL-USE", "STATUS")  # RFC 5258, 6154, 5819
_USE_ATTRS = ("\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash")


class _Context:
    """Per-parse settings shared by the command parsers."""

    __slots__ = ("charsets", "r")

    def __init__(self, r: Reader, charsets: tuple[str, ...]) -> None:
        self.r = r
        self.charsets = charsets


def parse_command(
    data: bytes,
    *,
    utf8: bool = False,
    charsets: Iterable[str] = search_keys.DEFAULT_CHARSETS,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> c.Command:
    """Parse one command (trailing CRLF optional). ``utf8``: UTF8=ACCEPT is enabled (RFC 6855)."""
    r = Reader(bytes(data), max_depth=max_depth, utf8=utf8)
    ctx = _Context(r, tuple(charsets))
    try:
        r.tag = r.tag_token()
        r.sp()
        name = r.atom().upper()
        uid = False
        if name == "UID":
            r.sp()
            uid = True
            name = r.atom().upper()
            r.command = f"UID {name}"
            parser = _UID_COMMANDS.get(name)
        else:
            r.command = name
            parser = _COMMANDS.get(name)
        if parser is None:
            raise r.error(f"unknown command {r.command[:40]}")
        command = parser(ctx, r.tag, uid)
        r.end()
        return command
    except WireError as err:
        if r.tag is None:
            tag, name_guess = command_head(bytes(data[:256]))
            raise err.with_context(tag=tag, command=name_guess) from None
        raise err.with_context(tag=r.tag, command=r.command) from None
    except ValueError as err:  # dataclass invariants: the input described something impossible
        raise WireError(str(err), tag=r.tag, command=r.command) from None


def _decoder(ctx: _Context, charset: str | None) -> search_keys.Decoder:
    try:
        return search_keys.charset_decoder(charset, ctx.charsets)
    except WireError as err:
        raise err.with_context(tag=ctx.r.tag, command=ctx.r.command) from None


# --- command parsers: each starts right after the command name ---------------------------------

Parser = Callable[[_Context, str, bool], c.Command]


def _no_args(cls: Callable[[str], c.Command]) -> Parser:
    return lambda ctx, tag, uid: cls(tag)


def _one_mailbox(cls: Callable[[str, str], c.Command]) -> Parser:
    def parse(ctx: _Context, tag: str, uid: bool) -> c.Command:
        ctx.r.sp()
        return cls(tag, a.mailbox(ctx.r))

    return parse


def _authenticate(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    mechanism = r.atom().upper()
    initial: bytes | None = None
    if r.peek() == 0x20:  # RFC 4959 §7: [SP (base64 / "=")]
        r.pos += 1
        initial = a.sasl_payload(r)
    return c.Authenticate(tag, mechanism, initial)


def _login(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    user = r.text(r.astring(), "user name")
    r.sp()
    return c.Login(tag, user, r.text(r.astring(), "password"))


def _enable(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    caps = []
    while True:  # ENABLE 1*(SP capability), RFC 5161 §4
        r.sp()
        caps.append(r.atom().upper())
        if r.peek() != 0x20:
            return c.Enable(tag, tuple(caps))


def _qresync(r: Reader) -> c.QResync:
    # RFC 7162 §3.2.5 / §7: "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
    def body() -> c.QResync:
        r.expect(b"(")
        uidvalidity = r.nz_number()
        r.sp()
        modseq = r.nz_number(high=MAX_U63)
        known: SequenceSet | None = None
        match: tuple[SequenceSet, SequenceSet] | None = None
        if r.peek() == 0x20 and r.data[r.pos + 1 : r.pos + 2] != b"(":
            r.pos += 1
            known = _known_set(r)
        if r.peek() == 0x20:
            r.pos += 1

            def seq_match() -> tuple[SequenceSet, SequenceSet]:
                r.expect(b"(")
                seqs = _known_set(r)
                r.sp()
                uids = _known_set(r)
                r.expect(b")")
                return seqs, uids

            match = r.nested(seq_match)
        r.expect(b")")
        return c.QResync(uidvalidity, modseq, known, match)

    return r.nested(body)


def _known_set(r: Reader) -> SequenceSet:
    value = r.sequence_set(allow_saved=False)
    if value.has_star:
        raise r.error("'*' is not allowed in QRESYNC known UIDs or sequence match data")
    return value


def _select(cls: type[c.Select] | type[c.Examine]) -> Parser:
    def parse(ctx: _Context, tag: str, uid: bool) -> c.Command:
        r = ctx.r
        r.sp()
        name = a.mailbox(r)
        condstore = False
        qresync: c.QResync | None = None
        if r.peek() == 0x20:  # RFC 4466 §2.1 select-params
            r.pos += 1

            def param() -> None:
                nonlocal condstore, qresync
                word = r.atom().upper()
                if word == "CONDSTORE":
                    condstore = True
                elif word == "QRESYNC" and qresync is None:
                    r.sp()
                    qresync = _qresync(r)
                else:
                    raise r.error(f"unsupported SELECT parameter {word[:30]}")

            r.paren_list(param, allow_empty=False)
        return cls(tag, name, condstore, qresync)

    return parse


def _create(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    name = a.mailbox(r)
    uses: list[str] = []
    if r.peek() == 0x20:  # RFC 4466 create-params; RFC 6154 §3 "USE" SP "(" [use-attr ...] ")"
        r.pos += 1

        def param() -> None:
            word = r.atom().upper()
            if word != "USE":
                raise r.error(f"unsupported CREATE parameter {word[:30]}")
            r.sp()
            uses.extend(r.paren_list(lambda: _use_attr(r)))

        r.paren_list(param, allow_empty=False)
    return c.Create(tag, name, tuple(uses))


def _use_attr(r: Reader) -> str:
    r.expect(b"\\")
    word = "\\" + r.atom()
    for known in _USE_ATTRS:
        if known.upper() == word.upper():
            return known
    raise r.error(f"unknown special-use attribute {word[:30]}")


def _rename(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    old = a.mailbox(r)
    r.sp()
    return c.Rename(tag, old, a.mailbox(r))


def _option_atom(r: Reader, known: tuple[str, ...], what: str) -> str:
    word = r.atom().upper()
    if word not in known:
        raise r.error(f"unsupported LIST {what} option {word[:30]}")
    return word


def _list(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    selection: tuple[str, ...] = ()
    extended = False
    if r.peek() == 0x28:  # RFC 5258 §3 list-select-opts
        extended = True
        selection = tuple(r.paren_list(lambda: _option_atom(r, _LIST_SELECT, "selection")))
        if "RECURSIVEMATCH" in selection and all(s in ("RECURSIVEMATCH", "REMOTE") for s in selection):
            raise r.error("RECURSIVEMATCH needs a selection option other than REMOTE")
        r.sp()
    reference = a.mailbox(r)
    r.sp()
    if r.peek() == 0x28:
        extended = True
        patterns = tuple(r.paren_list(lambda: a.mailbox(r, pattern=True), allow_empty=False))
    else:
        patterns = (a.mailbox(r, pattern=True),)
    returns: list[str] = []
    status: tuple[c.StatusItem, ...] = ()
    if r.peek() == 0x20:  # list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
        r.pos += 1
        r.expect(b"RETURN ")
        extended = True

        def option() -> None:
            nonlocal status
            word = _option_atom(r, _LIST_RETURN, "return")
            if word == "STATUS":  # RFC 5819 §2: "STATUS" SP "(" status-att *(SP status-att) ")"
                r.sp()
                status = a.status_items(r)
            returns.append(word)

        r.paren_list(option)
    return c.List(tag, reference, patterns, selection, tuple(returns), status, extended)


def _lsub(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    reference = a.mailbox(r)
    r.sp()
    return c.Lsub(tag, reference, a.mailbox(r, pattern=True))


def _status(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    name = a.mailbox(r)
    r.sp()
    return c.Status(tag, name, a.status_items(r))


def _append(ctx: _Context, tag: str, uid: bool) -> c.Command:
    # RFC 4466 §2.1 / RFC 3502: "APPEND" SP mailbox 1*append-message
    r = ctx.r
    r.sp()
    name = a.mailbox(r)
    messages = []
    while r.peek() == 0x20:
        r.pos += 1
        flags: tuple[str, ...] = ()
        when: dt.datetime | None = None
        if r.peek() == 0x28:
            flags = a.flag_list(r)
            r.sp()
        if r.peek() == 0x22:
            when = a.date_time(r)
            r.sp()
        if r.accept(b"UTF8 ("):  # RFC 6855 §4: "UTF8" SP "(" literal8 ")"
            data, binary = r.literal(allow_binary=True)
            r.expect(b")")
            messages.append(c.AppendMessage(data, flags, when, binary, utf8=True))
            continue
        if r.accept(b"CATENATE ("):
            messages.append(c.AppendMessage(b"", flags, when, catenate=_catenate_parts(r)))
            continue
        data, binary = r.literal(allow_binary=True)
        messages.append(c.AppendMessage(data, flags, when, binary))
    if not messages:
        raise r.error("APPEND needs a message literal")
    return c.Append(tag, name, tuple(messages))


def _catenate_parts(r: Reader) -> tuple[c.CatenatePart, ...]:
    # RFC 4469 §5: "CATENATE" SP "(" cat-part *(SP cat-part) ")"; cat-part = text / url
    # (after "CATENATE (" was read); text = "TEXT" SP literal (literal8 with BINARY, RFC 4469 §4).
    parts: list[c.CatenatePart] = []
    while True:
        if r.accept(b"TEXT "):
            data, _ = r.literal(allow_binary=True)
            parts.append(c.CatenatePart(text=data))
        elif r.accept(b"URL "):
            parts.append(c.CatenatePart(url=r.text(r.astring(), "URL")))
        else:
            raise r.error("expected TEXT or URL in CATENATE")
        if r.accept(b")"):
            return tuple(parts)
        r.sp()


_NOTIFY_FILTERS = (
    "SELECTED-DELAYED",
    "SELECTED",
    "INBOXES",
    "PERSONAL",
    "SUBSCRIBED",
    "SUBTREE",
    "MAILBOXES",
)


def _notify(ctx: _Context, tag: str, uid: bool) -> c.Command:
    # RFC 5465 §8: notify = "NOTIFY" SP (notify-set / notify-none);
    # notify-set = "SET" [SP status-indicator] SP event-groups; status-indicator = "STATUS"
    r = ctx.r
    r.sp()
    if r.accept(b"NONE"):
        return c.Notify(tag, None)
    r.expect(b"SET")
    status = r.accept(b" STATUS")
    groups: list[c.NotifyGroup] = []
    while r.peek() == 0x20:
        r.pos += 1
        groups.append(r.nested(lambda: _notify_group(r)))
    if not groups:
        raise r.error("NOTIFY SET needs an event group")
    return c.Notify(tag, tuple(groups), status)


def _notify_group(r: Reader) -> c.NotifyGroup:
    # event-group = "(" filter-mailboxes SP events ")"
    r.expect(b"(")
    word = r.atom().upper()
    if word not in _NOTIFY_FILTERS:
        raise r.error(f"unknown NOTIFY filter {word[:30]}")
    mailboxes: tuple[str, ...] = ()
    if word in ("SUBTREE", "MAILBOXES"):
        r.sp()
        if r.peek() == 0x28:
            mailboxes = tuple(r.paren_list(lambda: a.mailbox(r), allow_empty=False))
        else:
            mailboxes = (a.mailbox(r),)
    r.sp()
    events: list[str] = []
    attrs: tuple[str, ...] = ()
    if not r.accept(b"NONE"):
        r.expect(b"(")
        while True:
            events.append(r.atom())
            if events[-1].upper() == "MESSAGENEW" and r.peek_is(b" ("):
                r.pos += 1  # RFC 5465 §5.2: fetch attributes for the FETCH of new messages
                attrs = tuple(i.render().decode("ascii") for i in fetch_items.parse_items(r))
            if r.accept(b")"):
                break
            r.sp()
    r.expect(b")")
    return c.NotifyGroup(word, mailboxes, tuple(events), attrs)


def _id(ctx: _Context, tag: str, uid: bool) -> c.Command:
    # RFC 2971 §4: "ID" SP id-params-list; id-params-list = "(" *(string SP nstring) ")" / nil
    r = ctx.r
    r.sp()
    if r.accept_nil():
        return c.Id(tag, None)
    pairs: list[tuple[str, str | None]] = []

    def body() -> None:
        r.expect(b"(")
        while r.peek() != 0x29:
            if pairs:
                r.sp()
            key = r.text(r.string(), "ID field")
            r.sp()
            value = r.nstring()
            pairs.append((key, None if value is None else r.text(value, "ID value")))
        r.expect(b")")

    r.nested(body)
    return c.Id(tag, tuple(pairs))


def _compress(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    mechanism = r.atom().upper()
    if mechanism != "DEFLATE":  # RFC 4978 §3
        raise r.error(f"unknown compression mechanism {mechanism[:30]}")
    return c.Compress(tag, mechanism)


def _getquota(ctx: _Context, tag: str, uid: bool) -> c.Command:
    ctx.r.sp()
    return c.GetQuota(tag, ctx.r.text(ctx.r.astring(), "quota root"))


def _setquota(ctx: _Context, tag: str, uid: bool) -> c.Command:
    # RFC 9208 §4.1: "SETQUOTA" SP quota-root-name SP "(" [setquota-resource *(SP ...)] ")"
    r = ctx.r
    r.sp()
    root = r.text(r.astring(), "quota root")
    r.sp()

    def resource() -> tuple[str, int]:
        name = r.atom().upper()
        r.sp()
        return name, r.number(high=MAX_U63)

    return c.SetQuota(tag, root, tuple(r.paren_list(resource)))


def _expunge(ctx: _Context, tag: str, uid: bool) -> c.Command:
    if not uid:
        return c.Expunge(tag)
    ctx.r.sp()  # RFC 4315 §2.1: "UID EXPUNGE" SP sequence-set
    return c.Expunge(tag, ctx.r.sequence_set())


def _search(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    returns, partial = a.search_return_options(r)
    r.sp()
    charset: str | None = None
    if r.accept(b"CHARSET "):
        charset = a.charset(r)
        r.sp()
    criteria = search_keys.parse_keys(r, _decoder(ctx, charset))
    return c.Search(tag, criteria, uid, charset, returns, partial)


def _fetch(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    numbers = r.sequence_set()
    r.sp()
    items = fetch_items.parse_items(r)
    changedsince: int | None = None
    vanished = False
    if r.peek() == 0x20:  # RFC 7162 §3.1.4 fetch-modifiers
        r.pos += 1

        def modifier() -> None:
            nonlocal changedsince, vanished
            word = r.atom().upper()
            if word == "CHANGEDSINCE" and changedsince is None:
                r.sp()
                changedsince = r.number(high=MAX_U63)
            elif word == "VANISHED" and not vanished:
                vanished = True
            else:
                raise r.error(f"unsupported FETCH modifier {word[:30]}")

        r.paren_list(modifier, allow_empty=False)
    if vanished and (not uid or changedsince is None):
        # RFC 7162 §3.2.6: VANISHED only with UID FETCH and CHANGEDSINCE, else BAD
        raise r.error("VANISHED requires UID FETCH with CHANGEDSINCE")
    return c.Fetch(tag, numbers, items, uid, changedsince, vanished)


def _store(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    numbers = r.sequence_set()
    r.sp()
    unchangedsince: int | None = None
    if r.peek() == 0x28:  # RFC 7162 §3.1.3 store-modifiers

        def modifier() -> None:
            nonlocal unchangedsince
            word = r.atom().upper()
            if word != "UNCHANGEDSINCE" or unchangedsince is not None:
                raise r.error(f"unsupported STORE modifier {word[:30]}")
            r.sp()
            unchangedsince = r.number(high=MAX_U63)  # mod-sequence-valzer: 0 allowed

        r.paren_list(modifier, allow_empty=False)
        r.sp()
    action: c.StoreAction = "replace"
    if r.accept(b"+"):
        action = "add"
    elif r.accept(b"-"):
        action = "remove"
    r.expect(b"FLAGS")
    silent = r.accept(b".SILENT")
    r.sp()
    if r.peek() == 0x28:
        flags = a.flag_list(r)
    else:  # flag *(SP flag)
        items = [a.flag(r)]
        while r.peek() == 0x20:
            r.pos += 1
            items.append(a.flag(r))
        flags = tuple(items)
    return c.Store(tag, numbers, action, flags, silent, uid, unchangedsince)


def _copy_or_move(cls: type[c.Copy] | type[c.Move]) -> Parser:
    def parse(ctx: _Context, tag: str, uid: bool) -> c.Command:
        r = ctx.r
        r.sp()
        numbers = r.sequence_set()
        r.sp()
        return cls(tag, numbers, a.mailbox(r), uid)

    return parse


def _sort(ctx: _Context, tag: str, uid: bool) -> c.Command:
    # RFC 5256 §5: sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria (RETURN: RFC 5267)
    r = ctx.r
    returns, partial = a.search_return_options(r)
    r.sp()

    def criterion() -> c.SortCriterion:
        reverse = r.accept(b"REVERSE ")
        word = r.atom().upper()
        if word not in c.SORT_KEYS:
            raise r.error(f"unknown sort key {word[:30]}")
        return c.SortCriterion(word, reverse)

    criteria = tuple(r.paren_list(criterion, allow_empty=False))
    r.sp()
    charset = a.charset(r)
    r.sp()
    search = search_keys.parse_keys(r, _decoder(ctx, charset))
    return c.Sort(tag, criteria, charset, search, uid, returns, partial)


def _cancelupdate(ctx: _Context, tag: str, uid: bool) -> c.Command:
    # RFC 5267 §4.2: "CANCELUPDATE" 1*(SP quoted)
    r = ctx.r
    tags: list[str] = []
    while r.peek_is(b" "):
        r.sp()
        tags.append(r.text(r.quoted(), "tag"))
    if not tags:
        raise r.error("CANCELUPDATE needs a tag")
    return c.CancelUpdate(tag, tuple(tags))


def _thread(ctx: _Context, tag: str, uid: bool) -> c.Command:
    r = ctx.r
    r.sp()
    algorithm = r.atom().upper()
    if algorithm not in _THREAD_ALGORITHMS:
        raise r.error(f"unknown THREAD algorithm {algorithm[:30]}")
    r.sp()
    charset = a.charset(r)
    r.sp()
    search = search_keys.parse_keys(r, _decoder(ctx, charset))
    return c.Thread(tag, algorithm, charset, search, uid)


_COMMANDS: dict[str, Parser] = {
    "CAPABILITY": _no_args(c.Capability),
    "NOOP": _no_args(c.Noop),
    "LOGOUT": _no_args(c.Logout),
    "STARTTLS": _no_args(c.StartTLS),
    "AUTHENTICATE": _authenticate,
    "LOGIN": _login,
    "ENABLE": _enable,
    "SELECT": _select(c.Select),
    "EXAMINE": _select(c.Examine),
    "CREATE": _create,
    "DELETE": _one_mailbox(c.Delete),
    "RENAME": _rename,
    "SUBSCRIBE": _one_mailbox(c.Subscribe),
    "UNSUBSCRIBE": _one_mailbox(c.Unsubscribe),
    "LIST": _list,
    "NOTIFY": _notify,
    "LSUB": _lsub,
    "NAMESPACE": _no_args(c.Namespace),
    "STATUS": _status,
    "APPEND": _append,
    "IDLE": _no_args(c.Idle),
    "CHECK": _no_args(c.Check),
    "CLOSE": _no_args(c.Close),
    "UNSELECT": _no_args(c.Unselect),
    "EXPUNGE": _expunge,
    "SEARCH": _search,
    "FETCH": _fetch,
    "STORE": _store,
    "COPY": _copy_or_move(c.Copy),
    "MOVE": _copy_or_move(c.Move),
    "ID": _id,
    "GETQUOTA": _getquota,
    "GETQUOTAROOT": _one_mailbox(c.GetQuotaRoot),
    "SETQUOTA": _setquota,
    "SORT": _sort,
    "THREAD": _thread,
    "CANCELUPDATE": _cancelupdate,
    "COMPRESS": _compress,
}
# RFC 9051 §6.4.9 (+ RFC 4315 UID EXPUNGE, RFC 6851 UID MOVE, RFC 5256 UID SORT/THREAD)
_UID_COMMANDS: dict[str, Parser] = {
    name: _COMMANDS[name]
    for name in ("COPY", "MOVE", "FETCH", "SEARCH", "STORE", "EXPUNGE", "SORT", "THREAD")
}
