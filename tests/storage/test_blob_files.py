"""FileBlobStore: the BlobStore conformance suite, plus what only files can show.

The durability tests (``put`` and ``put_many``) record ``os.fsync``/``os.replace`` calls to check
the call shape (temp file synced, then renamed, then its directories synced); that is the one place
where patching ``os`` is the point of the test.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from support.conformance import check_id
from support.conformance.blob_store import BLOB_STORE_CHECKS, MESSAGE, BlobConformance
from yunmail.storage import BlobStore, FileBlobStore
from yunmail.storage.blobs.base import blob_key


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("conformance", BLOB_STORE_CHECKS, ids=check_id)
async def test_file_blob_store_conforms(conformance: BlobConformance, tmp_path: Path) -> None:
    count = 0

    @asynccontextmanager
    async def fresh_store() -> AsyncIterator[BlobStore]:
        nonlocal count
        count += 1
        yield FileBlobStore(tmp_path / f"store{count}")

    await conformance(fresh_store)


async def test_blob_is_stored_under_its_fanned_out_key(blobs: FileBlobStore) -> None:
    key = await blobs.put(MESSAGE)
    assert all_files(blobs.root) == [blobs.root / key[:2] / key[2:4] / key]


async def test_blob_file_is_readable_by_its_owner_only(blobs: FileBlobStore) -> None:
    key = await blobs.put(MESSAGE)
    mode = stat.S_IMODE((blobs.root / key[:2] / key[2:4] / key).stat().st_mode)
    assert mode == 0o600


async def test_concurrent_puts_leave_no_temp_files(blobs: FileBlobStore) -> None:
    data = os.urandom(64 * 1024)
    keys = await asyncio.gather(*(blobs.put(data) for _ in range(16)), blobs.put(MESSAGE))
    assert [p.name for p in all_files(blobs.root)] == sorted(set(keys))


async def test_blob_survives_a_new_store_on_the_same_directory(blobs: FileBlobStore) -> None:
    key = await blobs.put(MESSAGE)
    assert await FileBlobStore(blobs.root).get(key) == MESSAGE


@pytest.fixture
def fs_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record (call, path) for every fsync and replace, still performing them."""
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(("replace", os.fspath(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return calls


async def test_put_syncs_file_then_renames_then_syncs_the_directories(
    blobs: FileBlobStore, fs_calls: list[tuple[str, str]]
) -> None:
    key = await blobs.put(MESSAGE)
    leaf = blobs.root.resolve() / key[:2] / key[2:4]
    [(first, temp), *rest] = fs_calls
    assert (first, Path(temp).parent, Path(temp).name.endswith(".tmp")) == ("fsync", leaf, True)
    assert rest == [
        ("replace", str(blobs.root / key[:2] / key[2:4] / key)),
        ("fsync", str(leaf)),
        ("fsync", str(leaf.parent)),
        ("fsync", str(leaf.parent.parent)),
    ]


async def test_file_is_complete_when_put_returns(blobs: FileBlobStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    key = await blobs.put(data)
    assert (blobs.root / key[:2] / key[2:4] / key).read_bytes() == data


async def test_put_of_stored_content_syncs_its_directories_again(
    blobs: FileBlobStore, fs_calls: list[tuple[str, str]]
) -> None:
    # A second writer may return before the first has synced the directory entry; it syncs it too.
    key = await blobs.put(MESSAGE)
    fs_calls.clear()
    await blobs.put(MESSAGE)
    leaf = blobs.root.resolve() / key[:2] / key[2:4]
    assert fs_calls == [("fsync", str(leaf)), ("fsync", str(leaf.parent)), ("fsync", str(leaf.parent.parent))]


async def test_failed_put_leaves_neither_blob_nor_temp_file(
    blobs: FileBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        await blobs.put(MESSAGE)
    assert all_files(blobs.root) == []


def _blobs_sharing_a_prefix(count: int, length: int) -> list[bytes]:
    """Distinct blobs whose keys share their first ``length`` hex digits (found by counting)."""
    by_prefix: dict[str, list[bytes]] = {}
    n = 0
    while True:
        data = f"blob {n}".encode()
        group = by_prefix.setdefault(blob_key(data)[:length], [])
        group.append(data)
        if len(group) == count:
            return group
        n += 1


async def test_put_many_syncs_each_file_before_renaming_it(
    blobs: FileBlobStore, fs_calls: list[tuple[str, str]]
) -> None:
    keys = await blobs.put_many([b"first", b"second", b"third"])
    order = []
    for key in keys:
        renamed = fs_calls.index(("replace", str(blobs.root / key[:2] / key[2:4] / key)))
        temps = [i for i, (call, path) in enumerate(fs_calls) if call == "fsync" and f"/.{key}." in path]
        order.append((len(temps), temps[0] < renamed))
    assert order == [(1, True)] * 3


async def test_put_many_syncs_a_shared_new_parent_and_the_root_once_after_the_renames(
    blobs: FileBlobStore, fs_calls: list[tuple[str, str]]
) -> None:
    keys = await blobs.put_many(_blobs_sharing_a_prefix(3, 2))
    root = blobs.root.resolve()
    synced = [path for call, path in fs_calls if call == "fsync" and Path(path).is_dir()]
    leaves = sorted({str(root / k[:2] / k[2:4]) for k in keys})
    assert sorted(synced) == sorted([*leaves, str(root / keys[0][:2]), str(root)])
    last_rename = max(i for i, (call, _) in enumerate(fs_calls) if call == "replace")
    first_parent_sync = min(
        i for i, (_, path) in enumerate(fs_calls) if path in (str(root), str(root / keys[0][:2]))
    )
    assert first_parent_sync > last_rename


async def test_put_many_into_an_existing_leaf_directory_syncs_only_that_directory(
    blobs: FileBlobStore, fs_calls: list[tuple[str, str]]
) -> None:
    first, second = _blobs_sharing_a_prefix(2, 4)
    await blobs.put(first)
    fs_calls.clear()
    (key,) = await blobs.put_many([second])
    synced = [path for call, path in fs_calls if call == "fsync" and Path(path).is_dir()]
    assert synced == [str(blobs.root.resolve() / key[:2] / key[2:4])]


async def test_failed_put_many_leaves_no_temp_files(
    blobs: FileBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        await blobs.put_many([b"one", b"two", MESSAGE])
    assert all_files(blobs.root) == []
