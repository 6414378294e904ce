"""IMAP server fixtures: a real `ImapServer` on loopback port 0 over the test's backend, with test users.

``imap`` runs the server with STARTTLS (``imap``) and implicit TLS (``imaps``) listeners, a fake
authenticator (the auth service is not wired yet) and a provisioned mailbox for ``alice``. At
teardown it asserts that no session hit an unhandled exception (mox ``metrics.Panics``) and that
the store's invariants hold. ``actor`` and ``observer`` are two logged-in sessions on the same
mailbox (DESIGN §8). ``untrusted`` refuses plaintext login from loopback; ``impatient`` logs
idle sessions out after a fraction of a second; ``crowded`` allows one session per mailbox.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support.imap import ImapEnv, ImapTestClient, start_env, stop_env
from yunmail.clock import FakeClock
from yunmail.events import InProcessBus
from yunmail.net import NetLimits
from yunmail.storage import Database, FileBlobStore


@pytest.fixture
async def imap(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[ImapEnv]:
    env = await start_env(tmp_path, db, blobs, bus, clock)
    try:
        yield env
    finally:
        await stop_env(env, db, blobs)


@pytest.fixture
async def untrusted(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[ImapEnv]:
    env = await start_env(tmp_path, db, blobs, bus, clock, overrides={"trusted_networks": []})
    try:
        yield env
    finally:
        await stop_env(env, db, blobs)


@pytest.fixture
async def impatient(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[ImapEnv]:
    limits = dataclasses.replace(NetLimits(), imap_idle_seconds=0.2, drain_seconds=1.0)
    env = await start_env(tmp_path, db, blobs, bus, clock, limits=limits)
    try:
        yield env
    finally:
        await stop_env(env, db, blobs)


@pytest.fixture
async def crowded(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[ImapEnv]:
    env = await start_env(tmp_path, db, blobs, bus, clock, max_sessions_per_mailbox=1)
    try:
        yield env
    finally:
        await stop_env(env, db, blobs)


@pytest.fixture
async def actor(imap: ImapEnv) -> AsyncIterator[ImapTestClient]:
    client = await imap.client()
    yield client
    await client.close()


@pytest.fixture
async def observer(imap: ImapEnv) -> AsyncIterator[ImapTestClient]:
    client = await imap.client()
    yield client
    await client.close()
