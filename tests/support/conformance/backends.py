"""Where the external backends of the conformance runs live, and whether they answer.

Redis: ``YUNMAIL_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``). PostgreSQL for the bus:
the admin database from ``support.databases`` (LISTEN/NOTIFY needs no schema). Callers skip on a
laptop and fail under ``CI=true`` through ``support.databases.require_or_skip``.
"""

from __future__ import annotations

import asyncio
import os
import secrets

from redis.asyncio import Redis

from support.databases import PG_ADMIN_URL

REDIS_URL = os.environ.get("YUNMAIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_DSN = PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://", 1)


def unique_prefix(base: str, separator: str = ":") -> str:
    """A prefix no other test run uses, so runs sharing one server never see each other's data."""
    return f"{base}{separator}t{secrets.token_hex(6)}{separator}"


async def redis_reachable(url: str = REDIS_URL) -> bool:
    client = Redis.from_url(url)
    try:
        async with asyncio.timeout(5):
            return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


async def delete_redis_prefix(url: str, prefix: str) -> None:
    """Remove every key under ``prefix`` (test clean-up)."""
    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
