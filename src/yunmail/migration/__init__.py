"""Mailbox migration from other providers (coming with the migration issue)."""

__all__: list[str] = []
