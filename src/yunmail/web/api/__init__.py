"""REST API v1 under ``/api/v1`` (OpenAPI at ``/api/openapi.json``): one router module per resource.

Authentication: the admin console's session cookie (with the CSRF header for writes) or a
per-administrator API token (``Authorization: Bearer ...``); ``enterprises`` also serves the
operator. Errors are ``{"code", "message"}`` from the error catalogue in the request's language
(``web.errors``). Every tenant route is scoped by the caller's enterprise: another enterprise's
ids answer 404, exactly like ids that do not exist.
"""

from yunmail.web.api.portal import router

__all__ = ["router"]
