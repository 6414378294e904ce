"""The OpenAPI document says what the API answers: no 422 anywhere, 400 ``INVALID_INPUT`` instead, and
``{code, message}`` on every documented 4xx (``web.openapi``).

The document does not depend on the database, so one server (SQLite) serves the whole module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from support.databases import sqlite_copy
from support.server import running_server
from support.web import base_url

pytestmark = pytest.mark.asyncio(loop_scope="module")

METHODS = ("get", "put", "post", "delete", "patch")
ERROR_REF = "#/components/schemas/ErrorOut"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def document(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> dict[str, Any]:
    data_dir = tmp_path_factory.mktemp("openapi")
    database_url = sqlite_copy(sqlite_template, data_dir)
    async with (
        running_server(data_dir / "server", database_url) as server,
        httpx.AsyncClient(base_url=base_url(server)) as client,
    ):
        response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


async def test_no_operation_documents_422(document: dict[str, Any]) -> None:
    documented = [name for name, op in operations(document) if "422" in op["responses"]]
    schemas = document["components"]["schemas"]

    assert documented == []
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas


async def test_every_operation_documents_its_4xx_with_the_code_and_message_schema(
    document: dict[str, Any],
) -> None:
    without_errors, other_schema = [], []
    for name, op in operations(document):
        errors = {s: r for s, r in op["responses"].items() if s.startswith("4")}
        if not errors:
            without_errors.append(name)
        for status, response in errors.items():
            if response.get("content", {}).get("application/json", {}).get("schema") != {"$ref": ERROR_REF}:
                other_schema.append(f"{name} {status}")
    error_schema = document["components"]["schemas"]["ErrorOut"]

    assert len(list(operations(document))) > 50  # the whole API, not an empty document
    assert (without_errors, other_schema) == ([], [])
    assert set(error_schema["required"]) == {"code", "message"}
    assert {k: v["type"] for k, v in error_schema["properties"].items()} == {
        "code": "string",
        "message": "string",
    }


async def test_operations_taking_input_document_400_invalid_input(document: dict[str, Any]) -> None:
    taking_input = [
        (name, op) for name, op in operations(document) if op.get("parameters") or op.get("requestBody")
    ]
    missing = [
        name
        for name, op in taking_input
        if "`INVALID_INPUT`" not in op["responses"].get("400", {}).get("description", "")
    ]

    assert taking_input and missing == []


async def test_a_route_documented_400_keeps_its_own_codes_next_to_invalid_input(
    document: dict[str, Any],
) -> None:
    invite = document["paths"]["/api/v1/invitations"]["post"]["responses"]["400"]["description"]

    assert "`INVITATION_EMAIL_REQUIRED`" in invite and "`INVALID_INPUT`" in invite
