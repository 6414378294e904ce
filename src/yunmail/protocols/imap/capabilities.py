"""The capability list the server advertises, per connection state and transport (RFC 9051 §6.1.1).

Before login the list says how the client may log in: ``STARTTLS`` while the connection is plain and
TLS is configured, ``LOGINDISABLED`` (and no ``AUTH=`` mechanism) while plaintext login is refused
(RFC 9051 §6.2.3; trusted networks are exempt, like Dovecot's ``login_trusted_networks``). After
login it lists every extension the command modules implement. ``COMPRESS=DEFLATE`` disappears once
compression is active (RFC 4978 §3).
"""

from __future__ import annotations

# Extensions available once authenticated, in the order clients usually see them.
_AUTHENTICATED = (
    "IMAP4rev1",
    "IMAP4rev2",
    "LITERAL+",
    "SASL-IR",
    "ID",
    "ENABLE",
    "IDLE",
    "NAMESPACE",
    "UNSELECT",
    "UIDPLUS",
    "MOVE",
    "CHILDREN",
    "SPECIAL-USE",
    "LIST-EXTENDED",
    "LIST-STATUS",
    "CONDSTORE",
    "QRESYNC",
    "ESEARCH",
    "SEARCHRES",
    "SORT",
    "SORT=DISPLAY",
    "ESORT",
    "CONTEXT=SEARCH",
    "CONTEXT=SORT",
    "PARTIAL",
    "THREAD=ORDEREDSUBJECT",
    "THREAD=REFERENCES",
    "QUOTA",
    "QUOTA=RES-STORAGE",
    "BINARY",
    "MULTIAPPEND",
    "CATENATE",
    "NOTIFY",
    "UTF8=ACCEPT",
    "STATUS=SIZE",
)

# Capabilities a client may switch on with ENABLE (RFC 5161); QRESYNC implies CONDSTORE.
ENABLEABLE = ("CONDSTORE", "QRESYNC", "UTF8=ACCEPT", "IMAP4REV2")


def capabilities(
    *,
    authenticated: bool,
    tls_active: bool,
    starttls_available: bool,
    plaintext_login_allowed: bool,
    compressed: bool,
    append_limit: int,
) -> tuple[str, ...]:
    """The capability atoms for ``* CAPABILITY`` and ``[CAPABILITY ...]``."""
    if authenticated:
        caps = [*_AUTHENTICATED, f"APPENDLIMIT={append_limit}"]
        if not compressed:
            caps.append("COMPRESS=DEFLATE")
        return tuple(caps)
    caps = ["IMAP4rev1", "IMAP4rev2", "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE"]
    if starttls_available and not tls_active:
        caps.append("STARTTLS")
    if tls_active or plaintext_login_allowed:
        caps.append("AUTH=PLAIN")
    else:
        caps.append("LOGINDISABLED")
    return tuple(caps)
