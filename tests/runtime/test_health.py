"""The stand-in HTTP endpoint: ``GET /healthz`` on the ``http`` listener until the web app replaces it."""

from __future__ import annotations

import asyncio

import httpx

from support.server import RunningServer


async def _get(server: RunningServer, path: str, method: str = "GET") -> httpx.Response:
    host, port = server.address("http")
    async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as client:
        return await client.request(method, path)


async def test_health_endpoint_answers_ok_with_json(server: RunningServer) -> None:
    response = await _get(server, "/healthz")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "version": "0.1.0",
        "backend": server.services.backend,
    }


async def test_health_endpoint_answers_head_without_a_body(server: RunningServer) -> None:
    response = await _get(server, "/healthz", method="HEAD")

    assert (response.status_code, response.content) == (200, b"")


async def test_unknown_path_is_not_found(server: RunningServer) -> None:
    response = await _get(server, "/admin")

    assert response.status_code == 404


async def test_post_to_health_is_method_not_allowed(server: RunningServer) -> None:
    response = await _get(server, "/healthz", method="POST")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


async def test_garbage_request_line_is_a_bad_request(server: RunningServer) -> None:
    host, port = server.address("http")
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"HELLO\r\n\r\n")

    status_line = await reader.readline()
    writer.close()

    assert status_line == b"HTTP/1.1 400 Bad Request\r\n"
