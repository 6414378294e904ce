"""Conformance suite for the ``BlobStore`` port: content addressing, ranges, deletes, keys, races, batches.

``make_store()`` must return an async context manager yielding an empty ``BlobStore``. What only a
file-backed store can show (temp files, file modes, fsync order) lives in that store's own tests.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

import pytest

from yunmail.storage.blobs.base import BlobStore

MakeStore = Callable[[], AbstractAsyncContextManager[BlobStore]]
BlobConformance = Callable[[MakeStore], Awaitable[None]]

MESSAGE = b"From: a@example.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nhello\r\n"
ABSENT = hashlib.sha256(b"never stored").hexdigest()
BAD_KEYS = (
    "",
    "abc",
    ABSENT.upper(),
    ABSENT[:-1] + "g",
    ABSENT + "0",
    "../../" + ABSENT[6:],
    ABSENT[:2] + "/" + ABSENT[3:],
)


async def check_put_returns_the_sha256_of_the_content(make: MakeStore) -> None:
    async with make() as store:
        assert await store.put(MESSAGE) == hashlib.sha256(MESSAGE).hexdigest()


async def check_get_returns_the_stored_bytes(make: MakeStore) -> None:
    async with make() as store:
        key = await store.put(MESSAGE)
        assert await store.get(key) == MESSAGE


async def check_empty_blob_round_trips(make: MakeStore) -> None:
    async with make() as store:
        key = await store.put(b"")
        assert (key, await store.get(key)) == (hashlib.sha256(b"").hexdigest(), b"")


async def check_get_range_returns_the_slice(make: MakeStore) -> None:
    async with make() as store:
        key = await store.put(MESSAGE)
        slices = [
            await store.get_range(key, 0, 4),
            await store.get_range(key, 6, 20),
            await store.get_range(key, 50),
            await store.get_range(key, len(MESSAGE) - 3, len(MESSAGE) + 100),
            await store.get_range(key, len(MESSAGE) + 10),
            await store.get_range(key, 10, 10),
        ]
        assert slices == [MESSAGE[0:4], MESSAGE[6:20], MESSAGE[50:], MESSAGE[-3:], b"", b""]


async def check_absent_blob_raises_key_error(make: MakeStore) -> None:
    async with make() as store:
        with pytest.raises(KeyError):
            await store.get(ABSENT)
        with pytest.raises(KeyError):
            await store.get_range(ABSENT, 0, 10)


async def check_exists_tells_stored_from_absent(make: MakeStore) -> None:
    async with make() as store:
        key = await store.put(MESSAGE)
        assert (await store.exists(key), await store.exists(ABSENT)) == (True, False)


async def check_delete_removes_the_blob(make: MakeStore) -> None:
    async with make() as store:
        key = await store.put(MESSAGE)
        await store.delete(key)
        assert (await store.exists(key), await store.keys()) == (False, [])
        with pytest.raises(KeyError):
            await store.get(key)


async def check_delete_of_an_absent_blob_is_harmless(make: MakeStore) -> None:
    async with make() as store:
        await store.delete(ABSENT)
        assert await store.keys() == []


async def check_put_after_delete_stores_again(make: MakeStore) -> None:
    async with make() as store:
        key = await store.put(MESSAGE)
        await store.delete(key)
        assert await store.put(MESSAGE) == key
        assert await store.get(key) == MESSAGE


async def check_put_of_the_same_content_is_idempotent(make: MakeStore) -> None:
    async with make() as store:
        first = await store.put(MESSAGE)
        second = await store.put(bytes(MESSAGE))
        assert (first, second, await store.keys()) == (first, first, [first])


async def check_keys_lists_every_stored_blob(make: MakeStore) -> None:
    blobs = [b"one", b"two", b"three", MESSAGE]
    async with make() as store:
        for blob in blobs:
            await store.put(blob)
        assert sorted(await store.keys()) == sorted(hashlib.sha256(b).hexdigest() for b in blobs)


async def check_large_blob_round_trips_and_reads_its_tail(make: MakeStore) -> None:
    data = os.urandom(20 * 1024 * 1024)
    async with make() as store:
        key = await store.put(data)
        assert key == hashlib.sha256(data).hexdigest()
        assert await store.get_range(key, len(data) - 1000) == data[-1000:]
        assert await store.get(key) == data


async def check_concurrent_puts_of_the_same_content_store_one_blob(make: MakeStore) -> None:
    data = os.urandom(256 * 1024)
    async with make() as store:
        # The same object and equal copies: both must be safe to store at once.
        keys = await asyncio.gather(*(store.put(data if i % 2 else bytes(data)) for i in range(16)))
        assert set(keys) == {hashlib.sha256(data).hexdigest()}
        assert (await store.keys(), await store.get(keys[0])) == ([keys[0]], data)


async def check_concurrent_puts_of_different_content_store_each(make: MakeStore) -> None:
    blobs = [os.urandom(4096) for _ in range(20)]
    async with make() as store:
        keys = await asyncio.gather(*(store.put(b) for b in blobs))
        stored = [await store.get(k) for k in keys]
        assert (stored, sorted(await store.keys())) == (blobs, sorted(keys))


async def check_malformed_keys_are_refused_with_key_error(make: MakeStore) -> None:
    async with make() as store:
        await store.put(MESSAGE)
        for bad in BAD_KEYS:
            with pytest.raises(KeyError):
                await store.get(bad)
            with pytest.raises(KeyError):
                await store.get_range(bad, 0, 1)
            with pytest.raises(KeyError):
                await store.delete(bad)


async def check_malformed_keys_never_exist(make: MakeStore) -> None:
    async with make() as store:
        await store.put(MESSAGE)
        assert [await store.exists(bad) for bad in BAD_KEYS] == [False] * len(BAD_KEYS)


async def check_put_many_returns_the_keys_in_order(make: MakeStore) -> None:
    blobs = [b"one", MESSAGE, b"", b"two"]
    async with make() as store:
        assert await store.put_many(blobs) == [hashlib.sha256(b).hexdigest() for b in blobs]


async def check_put_many_stores_every_blob(make: MakeStore) -> None:
    blobs = [os.urandom(4096) for _ in range(12)]
    async with make() as store:
        keys = await store.put_many(blobs)
        assert [await store.get(k) for k in keys] == blobs


async def check_put_many_stores_equal_blobs_once(make: MakeStore) -> None:
    async with make() as store:
        keys = await store.put_many([MESSAGE, b"other", bytes(MESSAGE)])
        assert (keys[0] == keys[2], sorted(await store.keys())) == (True, sorted(set(keys)))


async def check_put_many_of_nothing_stores_nothing(make: MakeStore) -> None:
    async with make() as store:
        assert (await store.put_many([]), await store.keys()) == ([], [])


async def check_put_many_of_stored_content_is_idempotent(make: MakeStore) -> None:
    async with make() as store:
        key = await store.put(MESSAGE)
        assert (await store.put_many([MESSAGE]), await store.keys()) == ([key], [key])


async def check_concurrent_put_many_calls_with_shared_content_store_each_blob_once(
    make: MakeStore,
) -> None:
    shared = os.urandom(64 * 1024)
    own = [os.urandom(1024) for _ in range(8)]
    async with make() as store:
        results = await asyncio.gather(*(store.put_many([shared, blob]) for blob in own))
        expected = sorted({hashlib.sha256(b).hexdigest() for b in [shared, *own]})
        assert (sorted(await store.keys()), {r[0] for r in results}) == (expected, {expected_key(shared)})


def expected_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


BLOB_STORE_CHECKS: tuple[BlobConformance, ...] = (
    check_put_returns_the_sha256_of_the_content,
    check_get_returns_the_stored_bytes,
    check_empty_blob_round_trips,
    check_get_range_returns_the_slice,
    check_absent_blob_raises_key_error,
    check_exists_tells_stored_from_absent,
    check_delete_removes_the_blob,
    check_delete_of_an_absent_blob_is_harmless,
    check_put_after_delete_stores_again,
    check_put_of_the_same_content_is_idempotent,
    check_keys_lists_every_stored_blob,
    check_large_blob_round_trips_and_reads_its_tail,
    check_concurrent_puts_of_the_same_content_store_one_blob,
    check_concurrent_puts_of_different_content_store_each,
    check_malformed_keys_are_refused_with_key_error,
    check_malformed_keys_never_exist,
    check_put_many_returns_the_keys_in_order,
    check_put_many_stores_every_blob,
    check_put_many_stores_equal_blobs_once,
    check_put_many_of_nothing_stores_nothing,
    check_put_many_of_stored_content_is_idempotent,
    check_concurrent_put_many_calls_with_shared_content_store_each_blob_once,
)


async def check_blob_store(make_store: MakeStore) -> None:
    """Run the whole suite against one implementation."""
    for conformance in BLOB_STORE_CHECKS:
        await conformance(make_store)
