"""The HTTP front door: health, listeners (HTTP and HTTPS), host routing, language and security headers."""

from __future__ import annotations

import asyncio

import httpx

from support.server import RunningServer
from support.web import admin_client, web_tenant

ACTOR = "test:web"


async def _get(
    server: RunningServer, path: str, *, method: str = "GET", host: str | None = None, **headers: str
) -> httpx.Response:
    address, port = server.address("http")
    if host is not None:
        headers["host"] = host
    async with httpx.AsyncClient(base_url=f"http://{address}:{port}") as client:
        return await client.request(method, path, headers=headers)


async def test_health_endpoint_answers_ok_with_json(server: RunningServer) -> None:
    response = await _get(server, "/healthz")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "version": "0.1.0",
        "backend": server.services.backend,
    }


async def test_health_endpoint_answers_head_without_a_body(server: RunningServer) -> None:
    response = await _get(server, "/healthz", method="HEAD")

    assert (response.status_code, response.content) == (200, b"")


async def test_post_to_health_is_method_not_allowed(server: RunningServer) -> None:
    response = await _get(server, "/healthz", method="POST")

    assert response.status_code == 405


async def test_garbage_request_line_is_a_bad_request(server: RunningServer) -> None:
    host, port = server.address("http")
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"HELLO\r\n\r\n")

    status_line = await reader.readline()
    writer.close()

    assert status_line.startswith(b"HTTP/1.1 400 ")


async def test_https_listener_serves_the_same_app(server: RunningServer) -> None:
    host, port = server.address("https")
    async with httpx.AsyncClient(base_url=f"https://{host}:{port}", verify=server.client_tls()) as client:
        response = await client.get("/healthz", headers={"host": server.settings.hostname})

    assert response.status_code == 200
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_unknown_api_path_answers_json_not_found(server: RunningServer) -> None:
    response = await _get(server, "/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


async def test_pages_carry_a_content_security_policy_without_inline_scripts(server: RunningServer) -> None:
    response = await _get(server, "/no-such-page")

    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_an_unknown_host_is_misdirected(server: RunningServer) -> None:
    response = await _get(server, "/", host="www.elsewhere.test")

    assert response.status_code == 421


async def test_the_platform_hostname_serves_the_consoles(server: RunningServer) -> None:
    response = await _get(server, "/api/openapi.json", host=server.settings.hostname)

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Yunmail API"


async def test_mail_host_of_a_verified_domain_never_serves_the_admin_console(server: RunningServer) -> None:
    enterprise = await server.services.directory.enterprises.create("Acme", "acme", ACTOR)
    await server.services.domains.add(enterprise.id, "acme.test", ACTOR, trust=True)

    console = await _get(server, "/api/openapi.json", host="mail.acme.test")
    admin = await _get(server, "/admin/login", host="mail.acme.test")
    health = await _get(server, "/healthz", host="mail.acme.test")

    assert (console.status_code, admin.status_code, health.status_code) == (404, 404, 200)


async def test_mail_host_of_a_pending_domain_is_misdirected(server: RunningServer) -> None:
    enterprise = await server.services.directory.enterprises.create("Acme", "acme", ACTOR)
    await server.services.domains.add(enterprise.id, "acme.test", ACTOR, trust=False)

    response = await _get(server, "/", host="mail.acme.test")

    assert response.status_code == 421


async def test_error_pages_follow_accept_language(server: RunningServer) -> None:
    chinese = await _get(server, "/", host="www.elsewhere.test", **{"accept-language": "zh-CN,zh;q=0.9"})
    english = await _get(server, "/", host="www.elsewhere.test", **{"accept-language": "en-GB,en;q=0.8"})

    assert '<html lang="zh-CN">' in chinese.text
    assert '<html lang="en">' in english.text


async def test_language_switch_sets_a_cookie_and_returns_to_the_page(server: RunningServer) -> None:
    address, port = server.address("http")
    async with httpx.AsyncClient(base_url=f"http://{address}:{port}") as client:
        response = await client.post("/lang", data={"lang": "en", "next": "/admin/login"})

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"
    assert "ym_lang=en" in response.headers["set-cookie"]


async def test_language_switch_never_redirects_off_site(server: RunningServer) -> None:
    address, port = server.address("http")
    async with httpx.AsyncClient(base_url=f"http://{address}:{port}") as client:
        response = await client.post("/lang", data={"lang": "en", "next": "//evil.test/"})

    assert response.headers["location"] == "/"


async def test_ids_beyond_64_bits_are_invalid_input(server: RunningServer) -> None:
    in_path = await _get(server, "/api/v1/members/18446744073709551616")
    in_query = await _get(server, "/api/v1/members?offset=451764213230567476428800")

    assert (in_path.status_code, in_path.json()["code"]) == (400, "INVALID_INPUT")
    assert (in_query.status_code, in_query.json()["code"]) == (400, "INVALID_INPUT")


async def test_nul_characters_are_refused_before_any_route(server: RunningServer) -> None:
    address, port = server.address("http")
    async with httpx.AsyncClient(base_url=f"http://{address}:{port}") as client:
        in_json = await client.post("/api/v1/tokens", json={"label": "\u0000@"})
        in_query = await client.get("/api/v1/members", params={"q": "a\u0000b"})

    assert (in_json.status_code, in_json.json()["code"]) == (400, "INVALID_INPUT")
    assert (in_query.status_code, in_query.json()["code"]) == (400, "INVALID_INPUT")


async def test_ordinary_numbers_pass_the_guard(server: RunningServer) -> None:
    response = await _get(server, "/api/v1/members/123")

    assert response.status_code == 401  # reached the route: it needs a login


async def test_json_bodies_still_reach_the_route_after_the_guard_read_them(server: RunningServer) -> None:
    tenant = await web_tenant(server)
    async with admin_client(server, tenant) as client:
        response = await client.post("/api/v1/tokens", json={"label": "deploy script"})

    assert response.status_code == 201
    assert response.json()["token"]["label"] == "deploy script"
