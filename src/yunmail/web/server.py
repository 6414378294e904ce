"""The HTTP listener: uvicorn's HTTP/1.1 protocol plugged into ``net.Listeners`` (caps, TLS, drain).

We do not run ``uvicorn.Server``: the runtime owns the sockets (one accept loop, per-IP caps,
overload handling, orderly drain) for every protocol, and HTTP is no exception. uvicorn supplies
only the per-connection protocol object; ASGI lifespan is off because the runtime builds and closes
the services itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from yunmail.net import ListenerSpec, ServerTls

KEEP_ALIVE_SECONDS = 15
MAX_INCOMPLETE_EVENT_BYTES = 64 * 1024  # request line + headers


class LazyApp:
    """An ASGI app built on its first request.

    Building the FastAPI app (routes, dependency analysis, response models) takes most of a second;
    a process that never receives an HTTP request (a mail-only node, most protocol tests) never pays.
    """

    def __init__(self, factory: Callable[[], FastAPI]) -> None:
        self._factory = factory
        self._app: FastAPI | None = None

    @property
    def app(self) -> FastAPI:
        if self._app is None:
            self._app = self._factory()
        return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class HttpServer:
    """Builds HTTP (and HTTPS) listener specs for one ASGI app (built on first use)."""

    def __init__(self, app_factory: Callable[[], FastAPI]) -> None:
        self.app = LazyApp(app_factory)
        self.config = uvicorn.Config(
            self.app,
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
