"""Random sequences of store operations against a pure-Python model, on both backends.

After every step: the store's invariant checker passes, every folder's UIDVALIDITY, UIDNEXT,
counters, messages (UID, MODSEQ, flags, size) and the mailbox usage equal the model's, the mailbox
MODSEQ increased exactly when something changed, and UIDs only ever grow (never reused).

Hypothesis state machines are synchronous, so each machine drives the async store through its own
event loop (``asyncio.Runner``) and its own engine; the test's database and blob directory are
shared by all examples, each example working in a fresh mailbox.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from support.budgets import examples
from support.databases import open_test_database
from support.invariants import store_problems
from support.mailstore import create_mailbox
from yunmail.clock import FakeClock
from yunmail.errors import (
    FolderExists,
    FolderHasChildren,
    FolderNameInvalid,
    FolderProtected,
    QuotaExceeded,
)
from yunmail.events import InProcessBus
from yunmail.mailstore import SEPARATOR, FlagMode, MailStore
from yunmail.storage import FileBlobStore
from yunmail.storage.sql.schema import mailboxes

T = TypeVar("T")

QUOTA = 12_000
BODIES = [f"Subject: body {i}\r\n\r\n".encode() + bytes([65 + i]) * (700 * (i + 1)) for i in range(4)]
PROTECTED = {"INBOX", "Drafts", "Sent", "Junk", "Trash", "Virus"}
NAMES = ["A", "B", "A/C", "B/D", "E", "A/C/F"]
FLAG_CHOICES = ["\\Seen", "\\Flagged", "\\Deleted", "$Work", "$Later"]


@dataclass
class ModelMessage:
    body: int
    flags: frozenset[str]
    modseq: int

    @property
    def size(self) -> int:
        return len(BODIES[self.body])


@dataclass
class ModelFolder:
    uidvalidity: int
    uidnext: int = 1
    messages: dict[int, ModelMessage] = field(default_factory=dict)
    vanished: set[int] = field(default_factory=set)  # expunged or moved-away UIDs (QRESYNC)


class StoreMachine(RuleBasedStateMachine):
    url: str = ""
    blob_dir: Path = Path()

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.db = self.run(open_test_database(self.url))
        self.blobs = FileBlobStore(self.blob_dir)
        self.clock = FakeClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        self.store = MailStore(self.db, self.blobs, InProcessBus(), self.clock)
        self.mailbox = self.run(create_mailbox(self.db, quota_bytes=QUOTA))
        self.run(self.store.provision(self.mailbox))
        self.folders = {
            f.name: ModelFolder(f.uidvalidity) for f in self.run(self.store.list_folders(self.mailbox))
        }
        self.max_uidvalidity = max(f.uidvalidity for f in self.folders.values())
        self.modseq = self.read_modseq()
        self.changed = False

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    def teardown(self) -> None:
        self.run(self.db.dispose())
        self.runner.close()

    def read_modseq(self) -> int:
        async def read() -> int:
            async with self.db.read() as conn:
                return int(
                    (
                        await conn.execute(select(mailboxes.c.modseq).where(mailboxes.c.id == self.mailbox))
                    ).scalar_one()
                )

        return self.run(read())

    # --- helpers ---------------------------------------------------------------------------------

    def pick(self, index: int, names: list[str]) -> str:
        return sorted(names)[index % len(names)]

    def used(self) -> int:
        return sum(m.size for f in self.folders.values() for m in f.messages.values())

    def selection(self, folder: ModelFolder, picks: list[int]) -> list[int]:
        uids = sorted(folder.messages)
        return sorted({uids[i % len(uids)] for i in picks}) if uids else []

    def expect(self, error: type[Exception], call: Coroutine[Any, Any, Any]) -> None:
        try:
            self.run(call)
        except error:
            return
        raise AssertionError(f"expected {error.__name__}")

    def bump(self) -> int:
        """The MODSEQ the change just made (one more than before); marks the step as a change."""
        self.changed = True
        return self.modseq + 1

    # --- rules -----------------------------------------------------------------------------------

    @rule(
        folder=st.integers(0, 50),
        body=st.integers(0, len(BODIES) - 1),
        flags=st.sets(st.sampled_from(FLAG_CHOICES)),
    )
    def append(self, folder: int, body: int, flags: set[str]) -> None:
        name = self.pick(folder, list(self.folders))
        target = self.folders[name]
        if self.used() + len(BODIES[body]) > QUOTA:
            self.expect(QuotaExceeded, self.store.ingest(self.mailbox, BODIES[body], folder=name))
            return
        result = self.run(self.store.ingest(self.mailbox, BODIES[body], folder=name, flags=sorted(flags)))
        modseq = self.bump()
        assert (result.uid, result.uidvalidity, result.modseq) == (target.uidnext, target.uidvalidity, modseq)
        target.messages[result.uid] = ModelMessage(body, frozenset(flags), modseq)
        target.uidnext += 1

    @rule(src=st.integers(0, 50), dst=st.integers(0, 50), picks=st.lists(st.integers(0, 20), max_size=4))
    def copy(self, src: int, dst: int, picks: list[int]) -> None:
        names = list(self.folders)
        source, target = self.folders[self.pick(src, names)], self.folders[self.pick(dst, names)]
        uids = self.selection(source, picks)
        if not uids:
            return
        extra = sum(source.messages[u].size for u in uids)
        src_name, dst_name = self.pick(src, names), self.pick(dst, names)
        if self.used() + extra > QUOTA:
            self.expect(QuotaExceeded, self.store.copy_messages(self.mailbox, src_name, uids, dst_name))
            return
        result = self.run(self.store.copy_messages(self.mailbox, src_name, uids, dst_name))
        modseq = self.bump()
        expected = tuple((u, target.uidnext + i) for i, u in enumerate(uids))
        assert (result.uid_map, result.uidvalidity) == (expected, target.uidvalidity)
        for old, new in expected:
            original = source.messages[old]
            target.messages[new] = ModelMessage(original.body, original.flags, modseq)
        target.uidnext += len(uids)

    @rule(src=st.integers(0, 50), dst=st.integers(0, 50), picks=st.lists(st.integers(0, 20), max_size=4))
    def move(self, src: int, dst: int, picks: list[int]) -> None:
        names = list(self.folders)
        source, target = self.folders[self.pick(src, names)], self.folders[self.pick(dst, names)]
        uids = self.selection(source, picks)
        if not uids:
            return
        result = self.run(
            self.store.move_messages(self.mailbox, self.pick(src, names), uids, self.pick(dst, names))
        )
        modseq = self.bump()
        expected = tuple((u, target.uidnext + i) for i, u in enumerate(uids))
        assert result.uid_map == expected
        moved = {u: source.messages.pop(u) for u in uids}
        source.vanished.update(uids)
        for old, new in expected:
            target.messages[new] = ModelMessage(moved[old].body, moved[old].flags, modseq)
        target.uidnext += len(uids)

    @rule(
        folder=st.integers(0, 50),
        picks=st.lists(st.integers(0, 20), min_size=1, max_size=4),
        flags=st.sets(st.sampled_from(FLAG_CHOICES), max_size=3),
        mode=st.sampled_from(list(FlagMode)),
    )
    def set_flags(self, folder: int, picks: list[int], flags: set[str], mode: FlagMode) -> None:
        name = self.pick(folder, list(self.folders))
        model = self.folders[name]
        uids = self.selection(model, picks)
        if not uids:
            return
        result = self.run(self.store.set_flags(self.mailbox, name, uids, sorted(flags), mode=mode))
        changed = {}
        for uid in uids:
            current = model.messages[uid].flags
            new = (
                current | flags
                if mode is FlagMode.ADD
                else current - flags
                if mode is FlagMode.REMOVE
                else frozenset(flags)
            )
            if new != current:
                changed[uid] = frozenset(new)
        assert sorted(m.uid for m in result.updated) == sorted(changed)
        if changed:
            modseq = self.bump()
            for uid, new in changed.items():
                model.messages[uid] = ModelMessage(model.messages[uid].body, new, modseq)

    @rule(
        folder=st.integers(0, 50), only_deleted=st.booleans(), picks=st.lists(st.integers(0, 20), max_size=3)
    )
    def expunge(self, folder: int, only_deleted: bool, picks: list[int]) -> None:
        name = self.pick(folder, list(self.folders))
        model = self.folders[name]
        uids = self.selection(model, picks) if picks else None
        result = self.run(self.store.expunge(self.mailbox, name, uids, only_deleted=only_deleted))
        candidates = sorted(model.messages) if uids is None else uids
        gone = [u for u in candidates if not only_deleted or "\\Deleted" in model.messages[u].flags]
        assert list(result.uids) == gone
        if gone:
            self.bump()
            for uid in gone:
                del model.messages[uid]
            model.vanished.update(gone)

    @rule(name=st.sampled_from(NAMES))
    def create_folder(self, name: str) -> None:
        if name in self.folders:
            self.expect(FolderExists, self.store.create_folder(self.mailbox, name))
            return
        self.run(self.store.create_folder(self.mailbox, name))
        self.bump()
        levels = name.split(SEPARATOR)
        for i in range(1, len(levels) + 1):
            path = SEPARATOR.join(levels[:i])
            if path not in self.folders:
                self.folders[path] = ModelFolder(
                    self.run(self.store.get_folder(self.mailbox, path)).uidvalidity
                )
                assert self.folders[path].uidvalidity > self.max_uidvalidity
                self.max_uidvalidity = self.folders[path].uidvalidity

    @rule(src=st.integers(0, 50), new=st.sampled_from(NAMES))
    def rename_folder(self, src: int, new: str) -> None:
        old = self.pick(src, list(self.folders))

        def call() -> Coroutine[Any, Any, object]:
            return self.store.rename_folder(self.mailbox, old, new)

        if old in PROTECTED:
            if old == "INBOX" or new in self.folders:
                return  # INBOX rename has its own unit tests; keep the model simple
            self.expect(FolderProtected, call())
            return
        if new in self.folders:
            self.expect(FolderExists, call())
            return
        if new.startswith(old + SEPARATOR):
            self.expect(FolderNameInvalid, call())
            return
        self.run(call())
        self.bump()
        moving = [n for n in self.folders if n == old or n.startswith(old + SEPARATOR)]
        renamed = {new + n[len(old) :]: self.folders.pop(n) for n in moving}
        self.folders.update(renamed)
        levels = new.split(SEPARATOR)
        for i in range(1, len(levels)):
            path = SEPARATOR.join(levels[:i])
            if path not in self.folders:
                self.folders[path] = ModelFolder(
                    self.run(self.store.get_folder(self.mailbox, path)).uidvalidity
                )
                self.max_uidvalidity = max(self.max_uidvalidity, self.folders[path].uidvalidity)

    @rule(folder=st.integers(0, 50))
    def delete_folder(self, folder: int) -> None:
        name = self.pick(folder, list(self.folders))

        def call() -> Coroutine[Any, Any, None]:
            return self.store.delete_folder(self.mailbox, name)

        if name in PROTECTED:
            self.expect(FolderProtected, call())
            return
        if any(n.startswith(name + SEPARATOR) for n in self.folders):
            self.expect(FolderHasChildren, call())
            return
        self.run(call())
        self.bump()
        del self.folders[name]

    # --- invariants ------------------------------------------------------------------------------

    @invariant()
    def modseq_moves_exactly_on_change(self) -> None:
        modseq = self.read_modseq()
        assert modseq == (self.modseq + 1 if self.changed else self.modseq)
        self.modseq, self.changed = modseq, False

    @invariant()
    def store_matches_model(self) -> None:
        folders = {f.name: f for f in self.run(self.store.list_folders(self.mailbox))}
        assert set(folders) == set(self.folders)
        for name, model in self.folders.items():
            f = folders[name]
            expected = (model.uidvalidity, model.uidnext, len(model.messages))
            assert (f.uidvalidity, f.uidnext, f.messages) == expected, name
            listed = self.run(self.store.list_messages(self.mailbox, f.id))
            assert [(m.uid, m.modseq, m.flags, m.size) for m in listed] == [
                (uid, m.modseq, m.flags, m.size) for uid, m in sorted(model.messages.items())
            ], name
            changes = self.run(self.store.changes_since(self.mailbox, f.id, 0))
            assert changes.vanished == tuple(sorted(model.vanished)), name
            assert [c.uid for c in changes.changed] == sorted(model.messages), name
        usage = self.run(self.store.usage(self.mailbox))
        assert (usage.used_bytes, usage.message_count) == (
            self.used(),
            sum(len(f.messages) for f in self.folders.values()),
        )

    @invariant()
    def store_invariants_hold(self) -> None:
        assert self.run(store_problems(self.db, self.blobs)) == []


def test_store_behaves_like_the_model(database_url: str, tmp_path: Path) -> None:
    machine = type("Machine", (StoreMachine,), {"url": database_url, "blob_dir": tmp_path / "blobs"})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples(25),
            stateful_step_count=examples(30),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
