"""The OpenAPI document's error responses, made to say what the API really answers, once for the app.

FastAPI documents a ``422 Validation Error`` (with its own ``HTTPValidationError`` body) on every
operation that takes parameters or a body, but this app never answers 422: ``web.errors`` turns a
request that does not match the schema into ``400 INVALID_INPUT`` with the catalogue's
``{code, message}``. ``install_openapi`` wraps ``app.openapi`` so that the generated document is
post-processed once (then cached as usual): each 422 becomes a 400 listing ``INVALID_INPUT`` (added
to the 400 the route already documents, if any), FastAPI's validation schemas go away, and every 4xx
response carries the ``ErrorOut`` schema, whichever router documented it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from fastapi import FastAPI

ERROR_SCHEMA = "ErrorOut"
_ERROR_REF = f"#/components/schemas/{ERROR_SCHEMA}"
# The same shape as the API's ``ErrorOut`` model, for a document where no route named it.
_ERROR_COMPONENT: dict[str, Any] = {
    "title": ERROR_SCHEMA,
    "type": "object",
    "description": "Every error: a stable catalogue ``code`` and a message in the request's language.",
    "properties": {
        "code": {"title": "Code", "type": "string"},
        "message": {"title": "Message", "type": "string"},
    },
    "required": ["code", "message"],
}
_INVALID_INPUT = "`INVALID_INPUT`"
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# FastAPI's validation error schemas, dropped once no response refers to them (outer one first).
_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI) -> None:
    """Serve the tidied document from ``app.openapi()`` (and so from the OpenAPI URL and the docs)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = tidy_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise it


def tidy_errors(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with 422 replaced by 400 ``INVALID_INPUT`` and ``ErrorOut`` on every 4xx."""
    tidied = copy.deepcopy(document)
    schemas = tidied.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_SCHEMA, copy.deepcopy(_ERROR_COMPONENT))
    for path_item in tidied.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in _METHODS:
                _tidy_operation(operation.setdefault("responses", {}))
    for name in _VALIDATION_SCHEMAS:
        if f'"#/components/schemas/{name}"' not in json.dumps(tidied):
            schemas.pop(name, None)
    return tidied


def _tidy_operation(responses: dict[str, Any]) -> None:
    if responses.pop("422", None) is not None:
        invalid = responses.setdefault("400", {"description": "Error codes: " + _INVALID_INPUT})
        description = str(invalid.get("description", ""))
        if _INVALID_INPUT not in description:
            invalid["description"] = f"{description}, {_INVALID_INPUT}" if description else _INVALID_INPUT
    for status, response in responses.items():
        if str(status).startswith("4"):
            response["content"] = {"application/json": {"schema": {"$ref": _ERROR_REF}}}
