"""Mail flow: outbound delivery, and the bounces that come back from it.

So far this package holds the bounce classifier (`classify`, `classify_local`: a remote reply or a
local failure -> `BounceCause` with plain-language words in English and Chinese) and the reader of
incoming bounces (`parse_dsn`).
"""

from yunmail.delivery.bounce_causes import BounceCauseId
from yunmail.delivery.bounces import BounceCause, LocalFailure, classify, classify_local
from yunmail.delivery.dsn_parse import Dsn, DsnFormat, DsnRecipient, parse_dsn

__all__ = [
    "BounceCause",
    "BounceCauseId",
    "Dsn",
    "DsnFormat",
    "DsnRecipient",
    "LocalFailure",
    "classify",
    "classify_local",
    "parse_dsn",
]
