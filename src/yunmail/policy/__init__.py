"""Sending limits and rate counters (coming with the SMTP issue)."""

__all__: list[str] = []
