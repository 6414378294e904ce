"""The POP3 front door (RFC 1939 with CAPA/RESP-CODES RFC 2449, STLS RFC 2595, SASL RFC 5034).

``wire`` is the sans-IO codec (lines in, replies out, no asyncio); ``session`` runs one connection
through AUTHORIZATION, TRANSACTION and UPDATE; ``commands`` holds the command handlers; ``server``
builds the ``listen.pop3`` (STLS) and ``listen.pop3s`` (implicit TLS) listener specs.
"""
