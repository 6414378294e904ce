"""Response codes, the bracketed ``[CODE args]`` part of a status response (RFC 9051 §7.1).

A `ResponseCode` is an atom plus its arguments already in wire syntax. Codes without arguments are
module constants (``TRYCREATE``, ``ALERT``, ...); codes with arguments have factory methods that
validate and render them (``ResponseCode.copyuid(...)``). Sources: RFC 9051 §7.1 (base set),
RFC 5530 (``LIMIT``, ``OVERQUOTA``, ``INUSE``, ...), RFC 4315 (``APPENDUID``/``COPYUID``),
RFC 7162 (``HIGHESTMODSEQ``, ``NOMODSEQ``, ``MODIFIED``, ``CLOSED``), RFC 7888/4469 (``TOOBIG``),
RFC 4978 (``COMPRESSIONACTIVE``), RFC 6154 (``USEATTR``), RFC 8474 (``MAILBOXID``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: sequence_set raises WireError, which needs this module
    from yunmail.protocols.imap.wire.sequence_set import SequenceSet

_ATOM = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*\Z")
_FORBIDDEN_IN_ARGS = re.compile(r"[\]\r\n\x00]")
_FLAG = re.compile(r"\\?[!#$&'+\-.0-9:;<=>?@A-Z\[^_`a-z|}~]+\Z|\\\*\Z")
_MAX_U32 = 0xFFFFFFFF
_MAX_U63 = (1 << 63) - 1


def _number(value: int, *, low: int = 0, high: int = _MAX_U63) -> str:
    if not low <= value <= high:
        raise ValueError(f"{value} is outside {low}..{high}")
    return str(value)


def _flags(flags: Iterable[str]) -> str:
    items = list(flags)
    for flag in items:
        if not _FLAG.match(flag):
            raise ValueError(f"not a flag: {flag!r}")
    return "(" + " ".join(items) + ")"


@dataclass(frozen=True, slots=True)
class ResponseCode:
    """``[name args]``: ``name`` is an atom, ``args`` is wire text without ``]``, CR or LF."""

    name: str
    args: str = ""

    def __post_init__(self) -> None:
        if not _ATOM.match(self.name):
            raise ValueError(f"not a response-code atom: {self.name!r}")
        if _FORBIDDEN_IN_ARGS.search(self.args):
            raise ValueError("response-code arguments cannot contain ']', CR, LF or NUL")

    def render(self) -> bytes:
        """The bracketed code, e.g. ``b"[UIDNEXT 42]"``."""
        body = self.name if not self.args else f"{self.name} {self.args}"
        return b"[" + body.encode("utf-8") + b"]"

    # --- codes with arguments ----------------------------------------------------------------

    @classmethod
    def uidnext(cls, uid: int) -> ResponseCode:
        """RFC 9051 §7.1: ``[UIDNEXT n]`` in the SELECT/EXAMINE response."""
        return cls("UIDNEXT", _number(uid, low=1, high=_MAX_U32))

    @classmethod
    def uidvalidity(cls, value: int) -> ResponseCode:
        """RFC 9051 §7.1: ``[UIDVALIDITY n]``."""
        return cls("UIDVALIDITY", _number(value, low=1, high=_MAX_U32))

    @classmethod
    def unseen(cls, seq: int) -> ResponseCode:
        """RFC 3501 §7.1: ``[UNSEEN n]`` (IMAP4rev1 only; rev2 dropped it)."""
        return cls("UNSEEN", _number(seq, low=1, high=_MAX_U32))

    @classmethod
    def highestmodseq(cls, modseq: int) -> ResponseCode:
        """RFC 7162 §3.1.2.1: ``[HIGHESTMODSEQ n]``."""
        return cls("HIGHESTMODSEQ", _number(modseq, low=1))

    @classmethod
    def appenduid(cls, uidvalidity: int, uids: int | SequenceSet) -> ResponseCode:
        """RFC 4315 §3 (and RFC 3502 for MULTIAPPEND ranges): ``[APPENDUID v uid-set]``."""
        rendered = _number(uids, low=1, high=_MAX_U32) if isinstance(uids, int) else uids.render()
        return cls("APPENDUID", f"{_number(uidvalidity, low=1, high=_MAX_U32)} {rendered}")

    @classmethod
    def badurl(cls, url: str) -> ResponseCode:
        """RFC 4469 §5: ``[BADURL url]``; the URL as an atom or quoted string (``]`` and controls dropped)."""
        clean = "".join(ch for ch in url if ch.isprintable() and ch.isascii() and ch not in ']"\\')[:200]
        return cls("BADURL", clean if clean and " " not in clean else f'"{clean}"')

    @classmethod
    def copyuid(cls, uidvalidity: int, source: SequenceSet, destination: SequenceSet) -> ResponseCode:
        """RFC 4315 §3: ``[COPYUID v source-uids destination-uids]`` (COPY and MOVE)."""
        v = _number(uidvalidity, low=1, high=_MAX_U32)
        return cls("COPYUID", f"{v} {source.render()} {destination.render()}")

    @classmethod
    def permanentflags(cls, flags: Iterable[str]) -> ResponseCode:
        """RFC 9051 §7.1: ``[PERMANENTFLAGS (\\Seen \\*)]``."""
        return cls("PERMANENTFLAGS", _flags(flags))

    @classmethod
    def capability(cls, capabilities: Iterable[str]) -> ResponseCode:
        """RFC 9051 §7.1: ``[CAPABILITY IMAP4rev2 ...]`` in a greeting or after login."""
        caps = list(capabilities)
        for cap in caps:
            if not re.fullmatch(r"[!#$&'+\-.0-9:;<=>?@A-Z\[^_`a-z|}~]+", cap):
                raise ValueError(f"not a capability atom: {cap!r}")
        return cls("CAPABILITY", " ".join(caps))

    @classmethod
    def modified(cls, numbers: SequenceSet) -> ResponseCode:
        """RFC 7162 §3.1.3: ``[MODIFIED set]``: STORE ... UNCHANGEDSINCE failed for these."""
        return cls("MODIFIED", numbers.render())

    @classmethod
    def badcharset(cls, charsets: Iterable[str] = ()) -> ResponseCode:
        """RFC 9051 §7.1: ``[BADCHARSET (UTF-8 ...)]`` listing the charsets we support."""
        names = list(charsets)
        for name in names:
            if not re.fullmatch(r"[A-Za-z0-9_.:\-]+", name):
                raise ValueError(f"not a charset atom: {name!r}")
        return cls("BADCHARSET", f"({' '.join(names)})" if names else "")

    @classmethod
    def mailboxid(cls, objectid: str) -> ResponseCode:
        """RFC 8474 §4.1: ``[MAILBOXID (id)]`` after CREATE/SELECT."""
        if not re.fullmatch(r"[A-Za-z0-9_\-]{1,255}", objectid):
            raise ValueError(f"not an objectid: {objectid!r}")
        return cls("MAILBOXID", f"({objectid})")


# --- codes without arguments -------------------------------------------------------------------
ALERT = ResponseCode("ALERT")  # RFC 9051 §7.1
PARSE = ResponseCode("PARSE")
READ_ONLY = ResponseCode("READ-ONLY")
READ_WRITE = ResponseCode("READ-WRITE")
TRYCREATE = ResponseCode("TRYCREATE")
UIDNOTSTICKY = ResponseCode("UIDNOTSTICKY")  # RFC 4315 §3
CLOSED = ResponseCode("CLOSED")  # RFC 7162 §3.2.11 / RFC 9051 §7.1
NOMODSEQ = ResponseCode("NOMODSEQ")  # RFC 7162 §3.1.2.2
UNAVAILABLE = ResponseCode("UNAVAILABLE")  # RFC 5530 §3 (and the rest of this block)
AUTHENTICATIONFAILED = ResponseCode("AUTHENTICATIONFAILED")
AUTHORIZATIONFAILED = ResponseCode("AUTHORIZATIONFAILED")
EXPIRED = ResponseCode("EXPIRED")
PRIVACYREQUIRED = ResponseCode("PRIVACYREQUIRED")
CONTACTADMIN = ResponseCode("CONTACTADMIN")
NOPERM = ResponseCode("NOPERM")
INUSE = ResponseCode("INUSE")
EXPUNGEISSUED = ResponseCode("EXPUNGEISSUED")
CORRUPTION = ResponseCode("CORRUPTION")
SERVERBUG = ResponseCode("SERVERBUG")
CLIENTBUG = ResponseCode("CLIENTBUG")
CANNOT = ResponseCode("CANNOT")
LIMIT = ResponseCode("LIMIT")
OVERQUOTA = ResponseCode("OVERQUOTA")
ALREADYEXISTS = ResponseCode("ALREADYEXISTS")
NONEXISTENT = ResponseCode("NONEXISTENT")
HASCHILDREN = ResponseCode("HASCHILDREN")  # RFC 9051 §7.1
TOOBIG = ResponseCode("TOOBIG")  # RFC 7888 §4, RFC 4469 §5
COMPRESSIONACTIVE = ResponseCode("COMPRESSIONACTIVE")  # RFC 4978 §3
USEATTR = ResponseCode("USEATTR")  # RFC 6154 §3
UNKNOWN_CTE = ResponseCode("UNKNOWN-CTE")  # RFC 3516 §4.3 / RFC 9051 §7.1
