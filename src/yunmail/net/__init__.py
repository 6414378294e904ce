"""The network edge shared by every protocol server: listeners, TLS and connection limits.

Nothing here knows a protocol. Protocol servers hand ``Listeners`` a ``ListenerSpec`` with a stream
handler or a protocol factory and get connections that are already capped, TLS-wrapped (implicit
TLS listeners) and drained on shutdown.
"""

from yunmail.net.limits import NetLimits
from yunmail.net.listeners import (
    BoundAddress,
    ConnectionCaps,
    Listeners,
    ListenerSpec,
    ProtocolFactory,
    StreamHandler,
    bind_listening,
    format_address,
)
from yunmail.net.tls import ServerTls, build_server_context, client_context, generate_self_signed

__all__ = [
    "BoundAddress",
    "ConnectionCaps",
    "ListenerSpec",
    "Listeners",
    "NetLimits",
    "ProtocolFactory",
    "ServerTls",
    "StreamHandler",
    "bind_listening",
    "build_server_context",
    "client_context",
    "format_address",
    "generate_self_signed",
]
