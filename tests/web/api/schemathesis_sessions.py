"""Schemathesis hooks (``SCHEMATHESIS_HOOKS``) for ``test_schemathesis``: which session each route runs as.

The operator's routes (``/api/v1/enterprises``) get the operator's console cookie, every other route
the administrator's; each with its CSRF header, since a cookie-authenticated change needs one. The
session tokens come from the test through environment variables.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

from yunmail.web.deps import SESSION_COOKIES, Portal, csrf_token_for

OPERATOR_PATHS = "^/api/v1/enterprises"
TOKEN_VARIABLES: dict[Portal, str] = {
    "admin": "YUNMAIL_TEST_ADMIN_SESSION",
    "operator": "YUNMAIL_TEST_OPERATOR_SESSION",
}


def _set_session(case: Any, portal: Portal, token: str) -> None:
    headers = dict(case.headers or {})
    headers["Cookie"] = f"{SESSION_COOKIES[portal]}={token}"
    headers["X-CSRF-Token"] = csrf_token_for(token)
    case.headers = headers


@schemathesis.auth(refresh_interval=None).apply_to(path_regex=OPERATOR_PATHS)
class OperatorSession:
    def get(self, case: Any, context: Any) -> str:
        return os.environ[TOKEN_VARIABLES["operator"]]

    def set(self, case: Any, data: str, context: Any) -> None:
        _set_session(case, "operator", data)


@schemathesis.auth(refresh_interval=None).skip_for(path_regex=OPERATOR_PATHS)
class AdministratorSession:
    def get(self, case: Any, context: Any) -> str:
        return os.environ[TOKEN_VARIABLES["admin"]]

    def set(self, case: Any, data: str, context: Any) -> None:
        _set_session(case, "admin", data)
