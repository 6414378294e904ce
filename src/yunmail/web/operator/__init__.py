"""The operator portal: page routes (one module per area), templates under ``templates/`` and UI strings."""

from yunmail.web.operator.portal import STRINGS, router

__all__ = ["STRINGS", "router"]
