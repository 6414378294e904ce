"""HTTP front door: REST API, admin console, operator console and webmail (coming with the web issues)."""

__all__: list[str] = []
