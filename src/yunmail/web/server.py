"""The HTTP listener: uvicorn's HTTP/1.1 protocol plugged into ``net.Listeners`` (caps, TLS, drain).

We do not run ``uvicorn.Server``: the runtime owns the sockets (one accept loop, per-IP caps,
overload handling, orderly drain) for every protocol, and HTTP is no exception. uvicorn supplies
only the per-connection protocol object; ASGI lifespan is off because the runtime builds and closes
the services itself.
"""

from __future__ import annotations

import asyncio

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from yunmail.net import ListenerSpec, ServerTls

KEEP_ALIVE_SECONDS = 15
MAX_INCOMPLETE_EVENT_BYTES = 64 * 1024  # request line + headers


class HttpServer:
    """Builds HTTP (and HTTPS) listener specs for one ASGI app."""

    def __init__(self, app: FastAPI) -> None:
        self.config = uvicorn.Config(
            app,
            lifespan="off",
            log_config=None,
            access_log=False,
            proxy_headers=False,
            server_header=False,
            date_header=True,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            h11_max_incomplete_event_size=MAX_INCOMPLETE_EVENT_BYTES,
        )
        self.config.load()
        self.state = ServerState()

    def protocol(self) -> asyncio.BaseProtocol:
        return H11Protocol(config=self.config, server_state=self.state, app_state={})

    def specs(
        self, http: tuple[str, ...], https: tuple[str, ...], tls: ServerTls | None
    ) -> list[ListenerSpec]:
        specs = []
        if http:
            specs.append(ListenerSpec("http", http, protocol_factory=self.protocol))
        if https and tls is not None:
            specs.append(ListenerSpec("https", https, protocol_factory=self.protocol, tls=tls))
        return specs

    def close_idle(self) -> None:
        """Ask every connection to finish its current response and close (shutdown step 1)."""
        for connection in list(self.state.connections):
            connection.shutdown()
