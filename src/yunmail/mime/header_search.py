"""Header field values as IMAP SEARCH compares them (RFC 3501 §6.4.4, RFC 9051 §6.4.4).

Values are unfolded and RFC 2047-decoded. Address fields are rewritten into one normal form, as
Dovecot does, so that a search finds display names, comments standing in for a display name,
addresses written with comments or spaces inside (``<a (x)@ b.org>`` -> ``a@b.org``) and group
names: ``Team: carol@example.net, Dave <dave@example.net>;``. Matching is a case-insensitive
substring test on `str.casefold` text (an empty needle matches any present field).
"""

from __future__ import annotations

from yunmail.mime.address import Address, Group, parse_address_list
from yunmail.mime.encoded_words import decode_bytes, decode_header_bytes
from yunmail.mime.headers import iter_header_fields
from yunmail.mime.structure import AddressList

ADDRESS_FIELDS = frozenset({"from", "to", "cc", "bcc", "sender", "reply-to", "resent-from", "resent-to"})


def _address(item: Address) -> str:
    return item.display()


def normal_address_list(raw: bytes) -> str:
    """``name <local@domain>`` items joined by ``, ``; groups as ``name: members;``."""
    items = parse_address_list(decode_bytes(raw).replace("\x00", " "))
    out: list[str] = []
    for item in items:
        if isinstance(item, Group):
            out.append(f"{item.name}: " + ", ".join(_address(m) for m in item.members) + ";")
        else:
            out.append(_address(item))
    return ", ".join(out)


def searchable_value(name: str, raw: bytes) -> str:
    """The case-folded text SEARCH matches for one field (``name`` lower-case, ``raw`` unfolded)."""
    if name in ADDRESS_FIELDS:
        text = normal_address_list(raw)
        if not text.strip():
            # Nothing parsable (``undisclosed-recipients:;`` parses as an empty group): keep the text.
            text = decode_header_bytes(raw)
    else:
        text = decode_header_bytes(raw)
    return " ".join(text.replace("\x00", " ").split()).casefold()


def searchable_fields(header: bytes) -> list[tuple[str, str]]:
    """``(lower-case name, searchable value)`` for every field of a header block, in order."""
    return [
        (field.name.strip().lower(), searchable_value(field.name.strip().lower(), field.value))
        for field in iter_header_fields(header)
    ]


def _raw_decoded(text: str | None) -> str:
    return decode_header_bytes(text.encode("utf-8", "surrogateescape")) if text else ""


def address_column(envelope: AddressList, flat: str) -> str:
    """What the store keeps for FROM/TO/CC search: ``flat`` (the members' display list) unless the
    field has RFC 5322 §3.4 groups, whose names SEARCH must find too (``Team: a@x, b@y;``)."""
    if not envelope or all(a.host is not None or a.mailbox is None for a in envelope):
        return flat
    out: list[str] = []
    pieces: list[str] = []
    for a in envelope:
        if a.mailbox is not None and a.host is None:  # group start: (None, None, name, None)
            pieces.append(f"{_raw_decoded(a.mailbox)}: ")
        elif a.mailbox is None:  # group end
            pieces.append(";")
            out.append("".join(pieces))
            pieces = []
        else:
            name = " ".join(_raw_decoded(a.name).split())
            spec = f"{_raw_decoded(a.mailbox)}@{_raw_decoded(a.host)}"
            member = f"{name} <{spec}>" if name else spec
            if pieces and not pieces[-1].endswith(": "):
                pieces.append(", ")
            pieces.append(member)
            if not any(p.endswith(": ") for p in pieces):
                out.append("".join(pieces))
                pieces = []
    if pieces:
        out.append("".join(pieces))
    return ", ".join(out)
