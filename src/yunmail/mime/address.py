"""E-mail address syntax: address lists in headers, addr-spec checks, IDN domains, local-part rules.

Two kinds of input meet here:

* **header text** from received mail (RFC 5322 §3.4 address lists with groups, comments, quoted
  names, RFC 2047 encoded names). :func:`parse_address_list` is tolerant and never raises; it
  keeps going past junk the way mail clients do. :func:`parse_raw_address_list` gives the same
  structure without decoding, for the IMAP ENVELOPE (RFC 3501 §7.4.2).
* **user input** (admin forms, API, SMTP paths). :func:`normalize_address`, :func:`parse_address`,
  :func:`normalize_domain` and :func:`check_local_part` are strict and raise the catalogue errors.

Domains are compared and stored as lower-case A-labels (IDNA 2008 with UTS #46 mapping, via
``idna``); :func:`domain_to_unicode` gives the U-label form for display. Local parts may be UTF-8
(RFC 6531 §3.3, SMTPUTF8), so ``张三@例子.中国`` is a valid mail address; Yunmail's own mailbox
names follow the stricter :func:`check_local_part` rule.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

import idna

from yunmail.errors import AddressInvalid, DomainInvalid, LocalPartInvalid
from yunmail.mime.encoded_words import decode_encoded_words

__all__ = [
    "Address",
    "Group",
    "RawGroupEnd",
    "RawGroupStart",
    "RawMailbox",
    "check_local_part",
    "domain_to_unicode",
    "flatten_addresses",
    "format_addresses",
    "is_valid_address",
    "normalize_address",
    "normalize_domain",
    "parse_address",
    "parse_address_list",
    "parse_raw_address_list",
]

_MAX_INPUT = 64 * 1024  # header text beyond this is not examined
_MAX_ITEMS = 2000  # addresses per header
_LOCAL_RULE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
# RFC 5322 §3.2.3 atext (ASCII part); RFC 6531 §3.3 adds any non-ASCII UTF-8.
_ATEXT_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")
_LDH_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_STRUCTURAL = frozenset('<>:;@,"([')


@dataclass(frozen=True, slots=True)
class Address:
    """One decoded mailbox: display name (may be empty), local part and domain (may be empty)."""

    name: str
    local_part: str
    domain: str

    @property
    def addr_spec(self) -> str:
        return f"{self.local_part}@{self.domain}" if self.domain else self.local_part

    def display(self) -> str:
        """Human form for lists and search: ``张三 <zhang@example.cn>`` or the bare address."""
        return f"{self.name} <{self.addr_spec}>" if self.name else self.addr_spec


@dataclass(frozen=True, slots=True)
class Group:
    """RFC 5322 §3.4 group: ``name: member, member;`` (members may be empty)."""

    name: str
    members: tuple[Address, ...]


@dataclass(frozen=True, slots=True)
class RawMailbox:
    """A mailbox as written (undecoded), the parts IMAP ENVELOPE needs."""

    name: str | None
    route: str | None
    local_part: str | None
    domain: str | None


@dataclass(frozen=True, slots=True)
class RawGroupStart:
    name: str


@dataclass(frozen=True, slots=True)
class RawGroupEnd:
    pass


RawItem = RawMailbox | RawGroupStart | RawGroupEnd


# --- tokenizer (RFC 5322 §3.2) ----------------------------------------------------------------

_ATOM, _QUOTED, _COMMENT, _LITERAL = "atom", "qs", "comment", "literal"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # _ATOM/_QUOTED/_COMMENT/_LITERAL or a single special character
    text: str
    space_before: bool


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    space = False
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            space = True
            i += 1
            continue
        if ch == '"' or ch == "[":
            close = '"' if ch == '"' else "]"
            out: list[str] = ["["] if ch == "[" else []
            i += 1
            while i < n and text[i] != close:
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                if text[i] not in "\r\n":
                    out.append(text[i])
                i += 1
            i += 1
            if ch == "[":
                out.append("]")
            tokens.append(_Token(_QUOTED if ch == '"' else _LITERAL, "".join(out), space))
        elif ch == "(":
            # RFC 5322 §3.2.2: comments nest; an unterminated comment runs to the end.
            level, start, out = 0, i + 1, []
            while i < n:
                c = text[i]
                if c == "\\" and i + 1 < n:
                    out.append(text[i + 1])
                    i += 2
                    continue
                if c == "(":
                    level += 1
                    if level > 1:
                        out.append(c)
                elif c == ")":
                    level -= 1
                    if level == 0:
                        break
                    out.append(c)
                elif i >= start:
                    out.append(c)
                i += 1
            i += 1
            tokens.append(_Token(_COMMENT, "".join(out).strip(), space))
        elif ch in "<>:;@,":
            tokens.append(_Token(ch, ch, space))
            i += 1
        elif ch == ")":
            i += 1  # stray close paren: ignore
            continue
        else:
            start = i
            while i < n and text[i] not in " \t\r\n" and text[i] not in _STRUCTURAL and text[i] != ")":
                i += 1
            tokens.append(_Token(_ATOM, text[start:i], space))
        space = False
    return tokens


def _phrase(words: list[_Token]) -> str:
    out: list[str] = []
    for tok in words:
        if out and tok.space_before:
            out.append(" ")
        out.append(tok.text)
    return "".join(out)


def _joined(words: list[_Token]) -> str:
    return "".join(tok.text for tok in words)


def parse_raw_address_list(text: str) -> list[RawItem]:
    """Parse an address-list header value (RFC 5322 §3.4) without decoding anything."""
    tokens = _tokenize(text[:_MAX_INPUT])
    items: list[RawItem] = []
    i, count = 0, len(tokens)
    in_group = False
    while i < count and len(items) < _MAX_ITEMS:
        tok = tokens[i]
        if tok.kind == ",":
            i += 1
            continue
        if tok.kind == ";":
            if in_group:
                items.append(RawGroupEnd())
                in_group = False
            i += 1
            continue
        words: list[_Token] = []
        comment: str | None = None
        while i < count and tokens[i].kind not in ("<", ":", "@", ",", ";", ">"):
            if tokens[i].kind == _COMMENT:
                comment = tokens[i].text or comment
            else:
                words.append(tokens[i])
            i += 1
        stop = tokens[i].kind if i < count else ""
        if stop == ":" and not in_group:
            items.append(RawGroupStart(_phrase(words)))
            in_group = True
            i += 1
            continue
        if stop in (":", ">"):
            i += 1  # junk
            if not words:
                continue
            stop = ""
        if stop == "<":
            i, mailbox = _angle_addr(tokens, i + 1, _phrase(words) or None, comment)
        elif stop == "@":
            i, domain, trailing = _domain(tokens, i + 1)
            mailbox = RawMailbox(trailing or comment, None, _joined(words) or None, domain)
        else:
            if not words:
                continue
            mailbox = RawMailbox(comment, None, _joined(words), None)
        if mailbox.local_part is not None or mailbox.domain is not None or mailbox.name is not None:
            items.append(mailbox)
    if in_group:
        items.append(RawGroupEnd())
    return items


def _domain(tokens: list[_Token], i: int) -> tuple[int, str | None, str | None]:
    """Parse a domain after '@'; returns (next index, domain, last comment seen)."""
    parts: list[str] = []
    comment: str | None = None
    count = len(tokens)
    while i < count:
        tok = tokens[i]
        if tok.kind == _COMMENT:
            comment = tok.text or comment
        elif tok.kind in (_ATOM, _LITERAL) and (
            not parts or not tok.space_before or parts[-1].endswith(".") or tok.text.startswith(".")
        ):
            parts.append(tok.text)
        else:
            break
        i += 1
    return i, ("".join(parts) or None), comment


def _angle_addr(
    tokens: list[_Token], i: int, name: str | None, comment: str | None
) -> tuple[int, RawMailbox]:
    # RFC 5322 §3.4 angle-addr, with the obsolete route of RFC 5322 §4.4 (obs-route).
    count = len(tokens)
    route: list[str] = []
    while i < count and tokens[i].kind in ("@", ","):
        if tokens[i].kind == ",":
            route.append(",")
            i += 1
            continue
        i, dom, _ = _domain(tokens, i + 1)
        route.append("@" + (dom or ""))
    if route:
        if i < count and tokens[i].kind == ":":
            i += 1
        else:  # not a route after all: "<@foo>" — keep going as best we can
            route = []
    local: list[_Token] = []
    while i < count and tokens[i].kind in (_ATOM, _QUOTED, _COMMENT):
        if tokens[i].kind != _COMMENT:
            local.append(tokens[i])
        i += 1
    domain: str | None = None
    if i < count and tokens[i].kind == "@":
        i, domain, _ = _domain(tokens, i + 1)
    while i < count and tokens[i].kind not in (">", ",", ";"):
        i += 1
    if i < count and tokens[i].kind == ">":
        i += 1
    while i < count and tokens[i].kind == _COMMENT:
        comment = comment or tokens[i].text
        i += 1
    return i, RawMailbox(name or comment, "".join(route) or None, _joined(local) or None, domain)


def parse_address_list(text: str) -> tuple[Address | Group, ...]:
    """Tolerantly parse and decode an address-list header value; never raises.

    Display names are RFC 2047 decoded (also inside quotes, which many mailers produce).
    """
    result: list[Address | Group] = []
    group_name: str | None = None
    members: list[Address] = []
    for item in parse_raw_address_list(text):
        if isinstance(item, RawGroupStart):
            group_name, members = decode_encoded_words(item.name), []
        elif isinstance(item, RawGroupEnd):
            result.append(Group(group_name or "", tuple(members)))
            group_name = None
        else:
            address = Address(
                decode_encoded_words(item.name) if item.name else "",
                item.local_part or "",
                item.domain or "",
            )
            if group_name is not None:
                members.append(address)
            else:
                result.append(address)
    return tuple(result)


def flatten_addresses(items: tuple[Address | Group, ...]) -> tuple[Address, ...]:
    """All mailboxes of an address list, group members included, in order."""
    out: list[Address] = []
    for item in items:
        if isinstance(item, Group):
            out.extend(item.members)
        else:
            out.append(item)
    return tuple(out)


def format_addresses(addresses: tuple[Address, ...]) -> str:
    """Display string for a list of addresses, e.g. ``张三 <a@x.cn>, b@y.cn``."""
    return ", ".join(address.display() for address in addresses)


# --- strict checks for user input -------------------------------------------------------------


def normalize_domain(text: str) -> str:
    """Lower-case A-label form of a domain; strips one trailing dot. Raises DomainInvalid.

    IDNA 2008 with UTS #46 mapping (so full-width dots and upper case are accepted), then the
    RFC 1035 §2.3.4 limits: labels 1-63 octets of letters/digits/hyphen, total <= 253 octets;
    an all-numeric top-level label is refused (RFC 3696 §2).
    """
    original = text
    candidate = text.strip()
    if candidate.endswith((".", "。", "．", "｡")):  # ideographic full stops too
        candidate = candidate[:-1]
    if not candidate or len(candidate) > 1024:
        raise DomainInvalid(domain=original)
    try:
        if candidate.isascii():
            ascii_domain = candidate.lower()
            for label in ascii_domain.split("."):
                if label.startswith("xn--"):
                    idna.decode(label)
        else:
            ascii_domain = idna.encode(candidate, uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        raise DomainInvalid(domain=original) from None
    labels = ascii_domain.split(".")
    if len(ascii_domain) > 253 or any(_LDH_LABEL.fullmatch(label) is None for label in labels):
        raise DomainInvalid(domain=original)
    if labels[-1].isdigit():
        raise DomainInvalid(domain=original)
    return ascii_domain


def domain_to_unicode(domain: str) -> str:
    """U-label form of a domain for display; returns the input unchanged if it is not valid IDNA."""
    try:
        return idna.decode(domain.rstrip(".").lower())
    except (idna.IDNAError, UnicodeError, ValueError):
        return domain


def check_local_part(local_part: str) -> str:
    """Yunmail mailbox names: 1-64 of A-Z a-z 0-9 - _ . ; no leading/trailing '.', no '..'."""
    if (
        _LOCAL_RULE.fullmatch(local_part) is None
        or local_part.startswith(".")
        or local_part.endswith(".")
        or ".." in local_part
    ):
        raise LocalPartInvalid(local_part=local_part)
    return local_part


def _valid_local(local: str, smtputf8: bool) -> bool:
    # RFC 5321 §4.1.2 Local-part = Dot-string / Quoted-string; RFC 6531 §3.3 adds UTF-8.
    if not local or len(local.encode("utf-8", "surrogatepass")) > 64:
        return False
    if not smtputf8 and not local.isascii():
        return False
    if local.startswith('"'):
        if len(local) < 2 or not local.endswith('"'):
            return False
        body, i = local[1:-1], 0
        while i < len(body):
            ch = body[i]
            if ch == "\\":
                if i + 1 >= len(body) or not (0x20 <= ord(body[i + 1]) <= 0x7E):
                    return False
                i += 2
                continue
            if ch == '"' or (ord(ch) < 0x80 and not (0x20 <= ord(ch) <= 0x7E)):
                return False
            i += 1
        return True
    for atom in local.split("."):
        if not atom:
            return False
        for ch in atom:
            if ch not in _ATEXT_ASCII and (ord(ch) < 0x80 or ch.isspace() or not ch.isprintable()):
                return False
    return True


def _address_literal(domain: str) -> str | None:
    # RFC 5321 §4.1.3: [IPv4] or [IPv6:...]
    inner = domain[1:-1]
    try:
        if inner.lower().startswith("ipv6:"):
            return f"[IPv6:{ipaddress.IPv6Address(inner[5:]).compressed}]"
        return f"[{ipaddress.IPv4Address(inner)}]"
    except ValueError:
        return None


def normalize_address(address: str, *, smtputf8: bool = True) -> str:
    """Check an addr-spec (``local@domain``) and return it with the domain as A-label.

    The local part is kept as written (it is case-sensitive per RFC 5321 §2.4). Raises
    AddressInvalid. With ``smtputf8=False`` a non-ASCII local part is refused.
    """
    text = address.strip()
    at = text.rfind("@")
    if at <= 0 or at == len(text) - 1 or any(ch in text for ch in "\r\n\x00"):
        raise AddressInvalid(address=address)
    local, domain = text[:at], text[at + 1 :]
    if not _valid_local(local, smtputf8):
        raise AddressInvalid(address=address)
    if domain.startswith("[") and domain.endswith("]"):
        literal = _address_literal(domain)
        if literal is None:
            raise AddressInvalid(address=address)
        domain = literal
    else:
        try:
            domain = normalize_domain(domain)
        except DomainInvalid:
            raise AddressInvalid(address=address) from None
    result = f"{local}@{domain}"
    if len(result.encode("utf-8", "surrogatepass")) > 254:
        raise AddressInvalid(address=address)
    return result


def is_valid_address(address: str, *, smtputf8: bool = True) -> bool:
    try:
        normalize_address(address, smtputf8=smtputf8)
    except AddressInvalid:
        return False
    return True


def parse_address(text: str, *, smtputf8: bool = True) -> Address:
    """Parse one mailbox typed by a user (``Name <a@b>`` or ``a@b``); strict. Raises AddressInvalid.

    The display name may be quoted; RFC 2047 words in it are decoded.
    """
    if any(ch in text for ch in "\r\n\x00"):
        raise AddressInvalid(address=text)
    stripped = text.strip()
    name = ""
    spec = stripped
    if stripped.endswith(">") and "<" in stripped:
        lt = stripped.rindex("<")
        name, spec = stripped[:lt].strip(), stripped[lt + 1 : -1].strip()
        if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
            name = re.sub(r"\\(.)", r"\1", name[1:-1])
        if any(ch in name for ch in "\r\n\x00<>"):
            raise AddressInvalid(address=text)
        name = decode_encoded_words(name)
    normalized = normalize_address(spec, smtputf8=smtputf8)
    local_part, _, domain = normalized.rpartition("@")
    return Address(name, local_part, domain)
