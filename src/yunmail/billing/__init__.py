"""Trials, seats, tiered prices and refunds (coming with the subscription issue)."""

__all__: list[str] = []
