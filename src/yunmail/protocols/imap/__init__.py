"""The IMAP front door (IMAP4rev1, RFC 3501, and IMAP4rev2, RFC 9051, with extensions).

``wire`` is the sans-IO codec (bytes <-> frozen dataclasses, no asyncio); the session, state table,
selected-mailbox view and command families build on it and on the services.
"""
