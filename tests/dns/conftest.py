"""Fixtures for the DNS tests: the in-process authoritative server."""

from support.dns_server import dns_zone

__all__ = ["dns_zone"]
