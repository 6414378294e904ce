"""Tenant isolation over the whole REST API (issue 7), generated from ``/api/openapi.json`` at test time.

Enterprise B gets one object of every kind; then enterprise A's administrator calls EVERY route that
takes an id, with every method, using B's ids: each call must answer 404, exactly like an id that
does not exist (never 200, 403 or 409, which would confirm that B's object exists). Routes whose
request body names another object (``member_id``, ``domain_id``...) are called with B's ids too.
List routes never show B's rows (every B object carries the marker ``zzbeta``), and B's own view of
its data is unchanged after the attack. A member's webmail session gets 401/403 on every API route,
and no credentials get 401 (except the routes listed in ``PUBLIC``, which carry their own credential).

Because the routes come from the OpenAPI document, routes added later are covered automatically.
``ID_TABLE`` maps each id parameter name to B's objects; a route whose parameter is missing from the
table fails the test until the table says which of B's objects that parameter names.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import pytest_asyncio

from support.server import RunningServer
from support.web import ACTOR, WebTenant, admin_client, base_url, portal_client, web_member, web_tenant
from web.api.org_tenant import operator_client
from yunmail.directory import NewMember

pytestmark = pytest.mark.asyncio(loop_scope="module")

MARKER = "zzbeta"
API = "/api/v1/"
# Operator-only routes: an administrator (of any enterprise) is refused before any id is looked at.
OPERATOR_ONLY = frozenset({"/api/v1/enterprises", "/api/v1/enterprises/{enterprise_id}"})
# Routes whose body names another object but that legitimately answer 200 to a foreign id.
BODY_REF_EXCEPTIONS = {
    ("POST", "/api/v1/mailboxes/batch"): "one result per member: MEMBER_NOT_FOUND, nothing opened",
}
# Routes that need no session: something else in the request is the credential.
PUBLIC = {
    (
        "POST",
        "/api/v1/invitations/accept",
    ): "the invitee is not logged in yet; the link's token proves who it is",
}
UNSAFE = ("post", "put", "patch", "delete")


@dataclass(frozen=True, slots=True)
class Foreign:
    """Enterprise B's objects, one of each kind; every name and address carries ``MARKER``."""

    tenant: WebTenant
    token_secret: str
    department_id: int
    member_id: int
    mailbox_id: int
    recycled_mailbox_id: int
    shared_mailbox_id: int
    group_id: int
    group_address: str
    alias_id: int
    spare_domain_id: int
    invitation_id: int
    token_id: int


# Path (or query/body) parameter name -> B's objects it can name; each route is called with each.
ID_TABLE: dict[str, Callable[[Foreign], tuple[int | str, ...]]] = {
    "enterprise_id": lambda b: (b.tenant.enterprise.id,),
    "department_id": lambda b: (b.department_id,),
    "member_id": lambda b: (b.member_id,),
    "mailbox_id": lambda b: (b.mailbox_id, b.recycled_mailbox_id, b.shared_mailbox_id),
    "group_id": lambda b: (b.group_id,),
    "address": lambda b: (b.group_address,),
    "alias_id": lambda b: (b.alias_id,),
    "domain_id": lambda b: (b.tenant.domain.id, b.spare_domain_id),
    "invitation_id": lambda b: (b.invitation_id,),
    "administrator_id": lambda b: (b.tenant.admin.admin_id or 0,),
    "token_id": lambda b: (b.token_id,),
}


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    operation: Mapping[str, Any]

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True, slots=True)
class World:
    server: RunningServer
    document: Mapping[str, Any]
    attacker: WebTenant
    attacker_token: str
    member_token: str
    foreign: Foreign

    def routes(self) -> Iterator[Route]:
        for path, operations in self.document["paths"].items():
            if not path.startswith(API):
                continue
            for method, operation in operations.items():
                if method in ("get", *UNSAFE):
                    yield Route(method, path, operation)


async def _foreign(server: RunningServer) -> Foreign:
    services = server.services
    b = await web_tenant(server, org_id=MARKER)
    eid = b.enterprise.id
    directory = services.directory
    department = await directory.departments.create(eid, f"{MARKER} Department", ACTOR)
    member = await directory.members.add(
        eid,
        NewMember(name=f"{MARKER} Member", account=f"{MARKER}1", contact_email=f"{MARKER}1@contact.test"),
        ACTOR,
    )
    leaver = await directory.members.add(
        eid,
        NewMember(name=f"{MARKER} Leaver", account=f"{MARKER}2", contact_email=f"{MARKER}2@contact.test"),
        ACTOR,
    )
    mailbox = await directory.mailboxes.open(eid, member.id, b.domain.id, ACTOR, local_part=f"{MARKER}")
    recycled = await directory.mailboxes.open(eid, leaver.id, b.domain.id, ACTOR, local_part=f"{MARKER}old")
    await directory.mailboxes.close(eid, recycled.id, ACTOR)
    shared = await directory.shared_mailboxes.create(
        eid, b.domain.id, f"{MARKER}shared", f"{MARKER} Shared", ACTOR, member_ids=[member.id]
    )
    group_address = f"{MARKER}@partner.test"
    group = await directory.groups.create(
        eid,
        b.domain.id,
        f"{MARKER}group",
        f"{MARKER} Group",
        ACTOR,
        member_ids=[member.id],
        addresses=[group_address],
    )
    alias = await directory.aliases.add(eid, mailbox.id, b.domain.id, f"{MARKER}alias", ACTOR)
    spare = await services.domains.add(eid, f"{MARKER}-spare.test", ACTOR)
    invitation = await directory.invitations.invite(
        eid, f"{MARKER} Invitee", None, f"{MARKER}@invitee.test", ACTOR
    )
    assert b.admin.admin_id is not None
    token, secret = await services.auth.api_tokens.create(eid, b.admin.admin_id, f"{MARKER} token")
    return Foreign(
        tenant=b,
        token_secret=secret,
        department_id=department.id,
        member_id=member.id,
        mailbox_id=mailbox.id,
        recycled_mailbox_id=recycled.id,
        shared_mailbox_id=shared.mailbox.id,
        group_id=group.id,
        group_address=group_address,
        alias_id=alias.id,
        spare_domain_id=spare.id,
        invitation_id=invitation.invitation.id,
        token_id=token.id,
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(org_server: RunningServer) -> World:
    attacker = await web_tenant(org_server)
    assert attacker.admin.admin_id is not None
    _, attacker_token = await org_server.services.auth.api_tokens.create(
        attacker.enterprise.id, attacker.admin.admin_id, "attacker"
    )
    _, _, member_token = await web_member(org_server, attacker)
    foreign = await _foreign(org_server)
    async with httpx.AsyncClient(base_url=base_url(org_server)) as client:
        document = (await client.get("/api/openapi.json")).json()
    return World(org_server, document, attacker, attacker_token, member_token, foreign)


# --- requests built from the OpenAPI document --------------------------------------------------------


def _resolve(schema: Mapping[str, Any], document: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


# Plausible values for string fields that carry neither an example nor an enum in the schema.
KNOWN_STRINGS = {"role": "member", "staff_type": "regular", "mode": "full", "status": "active"}


def _sample_string(name: str, schema: Mapping[str, Any]) -> str:
    key = name.lower()
    if key in KNOWN_STRINGS:
        text = KNOWN_STRINGS[key]
    elif schema.get("format") == "email" or any(w in key for w in ("email", "address", "login")):
        text = "someone@example.org"
    elif "password" in key:
        text = "Secret-2026x"
    elif "phone" in key:
        text = "13800138000"
    elif "date" in key:
        text = "2026-01-01"
    elif key in ("domain", "zone", "server"):
        text = "example.org"
    else:
        text = "Sample"
    minimum, maximum = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10_000))
    return (text + "x" * max(0, minimum - len(text)))[:maximum]


def sample(schema: Mapping[str, Any], document: Mapping[str, Any], foreign: Foreign, name: str = "") -> Any:
    """A valid-looking value for ``schema``; id fields get B's ids (``ID_TABLE``)."""
    schema = _resolve(schema, document)
    if name in ID_TABLE:
        return ID_TABLE[name](foreign)[0]
    for key in ("examples", "example", "default", "enum", "const"):
        if key in schema and schema[key] is not None:
            value = schema[key]
            return value[0] if key in ("examples", "enum") else value
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [b for b in schema[key] if _resolve(b, document).get("type") != "null"]
            return sample(branches[0], document, foreign, name) if branches else None
    if "allOf" in schema:
        return sample(schema["allOf"][0], document, foreign, name)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: sample(value, document, foreign, key) for key, value in properties.items()}
    if kind == "array":
        singular = name[:-1] if name.endswith("_ids") else name
        item = sample(schema.get("items", {}), document, foreign, singular)
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        return _sample_string(name, schema)
    return None


def json_body(route: Route, document: Mapping[str, Any], foreign: Foreign) -> tuple[bool, Any]:
    """(whether the route takes a JSON body, a sample of it)."""
    content = route.operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return False, None
    return True, sample(content["application/json"]["schema"], document, foreign)


def mentions_ids(value: Any) -> bool:
    """Does a sampled body carry an id parameter (so it names one of B's objects)?"""
    if isinstance(value, dict):
        return any(
            k in ID_TABLE or k.removesuffix("s") in ID_TABLE or mentions_ids(v) for k, v in value.items()
        )
    return False


def calls(route: Route, world: World) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (url, request kwargs) combination of B's ids for the route's parameters."""
    names = route.path_params
    missing = [n for n in names if n not in ID_TABLE]
    assert not missing, f"{route}: add {missing} to ID_TABLE (which of B's objects does it name?)"
    query: dict[str, Any] = {}
    for parameter in route.operation.get("parameters", []):
        if parameter["in"] == "query" and parameter.get("required"):
            query[parameter["name"]] = sample(
                parameter["schema"], world.document, world.foreign, parameter["name"]
            )
    has_body, body = json_body(route, world.document, world.foreign)
    for values in itertools.product(*(ID_TABLE[n](world.foreign) for n in names)):
        url = route.path
        for name, value in zip(names, values, strict=True):
            url = url.replace("{" + name + "}", quote(str(value), safe=""))
        kwargs: dict[str, Any] = {"params": query}
        if has_body:
            kwargs["json"] = body
        yield url, kwargs


@dataclass
class Attacker:
    """A's administrator, by console cookie or by API token."""

    world: World
    how: str

    def client(self) -> Any:
        if self.how == "cookie":
            return admin_client(self.world.server, self.world.attacker)
        return _bearer(self.world.server, self.world.attacker_token)


def _bearer(server: RunningServer, secret: str) -> Any:
    return httpx.AsyncClient(base_url=base_url(server), headers={"authorization": f"Bearer {secret}"})


async def _snapshot(world: World) -> dict[str, tuple[int, str]]:
    """What B's administrator sees on every GET route (lists and each of B's objects)."""
    seen: dict[str, tuple[int, str]] = {}
    async with _bearer(world.server, world.foreign.token_secret) as client:
        for route in world.routes():
            if route.method != "get" or route.path in OPERATOR_ONLY or route.path.endswith("/template"):
                continue
            for url, kwargs in calls(route, world) if route.path_params else [(route.path, {})]:
                response = await client.get(url, **kwargs)
                seen[url + str(kwargs)] = (response.status_code, response.text)
    return seen


# --- the tests ------------------------------------------------------------------------------------------


async def test_every_id_parameter_of_the_api_is_in_the_table(world: World) -> None:
    unknown = {
        f"{route}: {name}" for route in world.routes() for name in route.path_params if name not in ID_TABLE
    }

    assert not unknown, f"add these parameters to ID_TABLE: {sorted(unknown)}"


async def test_b_can_read_each_of_its_objects_so_the_ids_are_real(world: World) -> None:
    async with _bearer(world.server, world.foreign.token_secret) as client:
        statuses = {}
        for route in world.routes():
            if route.method == "get" and route.path_params and route.path not in OPERATOR_ONLY:
                statuses[str(route)] = {
                    (await client.get(url, **kw)).status_code for url, kw in calls(route, world)
                }

    unreadable = {route: codes for route, codes in statuses.items() if 200 not in codes}
    assert statuses
    assert not unreadable


@pytest.mark.parametrize("how", ["cookie", "bearer"])
async def test_every_route_answers_not_found_to_another_enterprises_ids(world: World, how: str) -> None:
    before = await _snapshot(world)
    wrong: list[str] = []
    async with Attacker(world, how).client() as client:
        for route in world.routes():
            if not route.path_params:
                continue
            expected = (401, 403) if route.path in OPERATOR_ONLY else (404,)
            for url, kwargs in calls(route, world):
                response = await client.request(route.method.upper(), url, **kwargs)
                if response.status_code not in expected or MARKER in response.text:
                    wrong.append(f"{route} {url}: {response.status_code} {response.text[:160]}")
    after = await _snapshot(world)

    assert not wrong, "\n".join(wrong)
    assert after == before


async def test_bodies_naming_another_enterprises_objects_are_not_found(world: World) -> None:
    before = await _snapshot(world)
    wrong: list[str] = []
    checked: list[str] = []
    async with admin_client(world.server, world.attacker) as client:
        for route in world.routes():
            has_body, body = json_body(route, world.document, world.foreign)
            if route.path_params or not has_body or not mentions_ids(body) or route.path in OPERATOR_ONLY:
                continue
            checked.append(str(route))
            response = await client.request(route.method.upper(), route.path, json=body)
            exception = BODY_REF_EXCEPTIONS.get((route.method.upper(), route.path))
            if exception is not None:
                results = response.json().get("results", [])
                if response.status_code != 200 or any(r["ok"] for r in results) or MARKER in response.text:
                    wrong.append(f"{route} ({exception}): {response.status_code} {response.text[:200]}")
            elif response.status_code != 404 or MARKER in response.text:
                wrong.append(f"{route} {body}: {response.status_code} {response.text[:200]}")
    after = await _snapshot(world)

    assert "POST /api/v1/mailboxes" in checked
    assert not wrong, "\n".join(wrong)
    assert after == before


async def test_list_routes_never_show_another_enterprises_rows(world: World) -> None:
    leaks: list[str] = []
    listed = 0
    async with admin_client(world.server, world.attacker) as client:
        for route in world.routes():
            if route.method != "get" or route.path_params:
                continue
            filters = {
                p["name"]: ID_TABLE[p["name"]](world.foreign)[0]
                for p in route.operation.get("parameters", [])
                if p["in"] == "query" and p["name"] in ID_TABLE
            }
            for params in ({}, filters) if filters else ({},):
                response = await client.get(route.path, params=params)
                listed += response.status_code == 200
                if response.status_code >= 500 or MARKER in response.text:
                    leaks.append(f"{route} {params}: {response.status_code} {response.text[:200]}")
        own = (await client.get("/api/v1/mailboxes")).json()

    assert not leaks, "\n".join(leaks)
    assert listed >= 10
    assert own["total"] == 1  # A's own rows are there: the marker check is not vacuous


async def test_a_members_webmail_session_cannot_use_the_api(world: World) -> None:
    token = world.member_token
    wrong: list[str] = []
    async with (
        portal_client(world.server, "webmail", token) as webmail_cookie,
        portal_client(world.server, "admin", token) as as_admin_cookie,
        _bearer(world.server, token) as as_bearer,
    ):
        for route in world.routes():
            if (route.method.upper(), route.path) in PUBLIC:
                continue
            url, kwargs = next(calls(route, world)) if route.path_params else (route.path, {})
            for client in (webmail_cookie, as_admin_cookie, as_bearer):
                response = await client.request(route.method.upper(), url, **kwargs)
                if response.status_code not in (401, 403):
                    wrong.append(f"{route}: {response.status_code} {response.text[:160]}")

    assert not wrong, "\n".join(wrong)


async def test_without_credentials_every_route_answers_401(world: World) -> None:
    wrong: list[str] = []
    async with httpx.AsyncClient(base_url=base_url(world.server)) as client:
        for route in world.routes():
            if (route.method.upper(), route.path) in PUBLIC:
                continue
            url, kwargs = next(calls(route, world)) if route.path_params else (route.path, {})
            response = await client.request(route.method.upper(), url, **kwargs)
            if response.status_code != 401:
                wrong.append(f"{route}: {response.status_code} {response.text[:160]}")

    assert not wrong, "\n".join(wrong)


async def test_the_operator_sees_any_enterprise_but_an_administrator_does_not(world: World) -> None:
    b = world.foreign.tenant.enterprise.id
    async with operator_client(world.server) as operator, admin_client(world.server, world.attacker) as admin:
        as_operator = await operator.get(f"/api/v1/enterprises/{b}")
        as_admin = await admin.get(f"/api/v1/enterprises/{b}")

    assert (as_operator.status_code, as_operator.json()["org_id"]) == (200, MARKER)
    assert as_admin.status_code in (401, 403)
