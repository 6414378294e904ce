"""The IMAP front door (IMAP4rev1, RFC 3501, and IMAP4rev2, RFC 9051, with extensions).

General layout, bottom up:

* ``wire``         the sans-IO codec: bytes <-> frozen dataclasses, no asyncio;
* ``connection``   one socket as an ``asyncio.Protocol``: reads, writes, STARTTLS, COMPRESS;
* ``capabilities`` what the server advertises per state and transport;
* ``selected``     ``SelectedView``: the selected folder as one session sees it (seq <-> UID,
  pending EXISTS/EXPUNGE/FETCH fed by the mail store's change feed);
* ``render``       ENVELOPE, BODYSTRUCTURE and BODY[section] octets from the ``mime`` parse;
* ``commands``     one handler module per RFC command family;
* ``state``        connection states and the command table;
* ``session``      the read-dispatch-respond loop and the one catalogue-error mapping;
* ``server``       listener specs for ``listen.imap`` / ``listen.imaps`` and session bookkeeping.
"""
