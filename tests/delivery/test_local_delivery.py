"""Local delivery: filter verdicts recorded and routed, per-recipient dedupe, group commit across callers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from support.factories import ACTOR
from support.smtp import SmtpEnv, SmtpUser, message, start_smtp_env, stop_smtp_env
from yunmail.clock import FakeClock
from yunmail.delivery import FilterAction, FilterVerdict, LocalDelivery, LocalMessage
from yunmail.errors import ContentRejected, QuotaExceeded
from yunmail.events import InProcessBus
from yunmail.mailstore import IngestResult, SpecialUse
from yunmail.storage import Database, FileBlobStore


@pytest.fixture
async def env(
    tmp_path: Path, db: Database, blobs: FileBlobStore, bus: InProcessBus, clock: FakeClock
) -> AsyncIterator[SmtpEnv]:
    environment = await start_smtp_env(tmp_path, db, blobs, bus, clock)
    try:
        yield environment
    finally:
        await stop_smtp_env(environment)


@pytest.fixture
async def ann(env: SmtpEnv) -> SmtpUser:
    return await env.user(await env.tenant(), "ann")


class Verdict:
    def __init__(self, action: FilterAction, name: str = "test") -> None:
        self.name = name
        self._action = action

    async def check(self, message: LocalMessage) -> FilterVerdict:
        return FilterVerdict(self.name, self._action, f"said {self._action.value}")


def local(mailbox_ids: tuple[int, ...], *, key: str | None = None, body: str = "hi\r\n") -> LocalMessage:
    return LocalMessage(
        data=message("bob@sender.example", "ann@x.example", body=body),
        prefix=b"Received: test\r\n",
        mailbox_ids=mailbox_ids,
        sender="bob@sender.example",
        trace_id="T1",
        dedupe_key=key,
    )


async def test_noop_filter_records_that_nothing_was_scanned(env: SmtpEnv, ann: SmtpUser) -> None:
    (result,) = await env.flow.local.deliver(local((ann.mailbox.id,)))
    assert isinstance(result.outcome, IngestResult)
    (info,) = await env.mailstore.fetch_messages(ann.mailbox.id, "INBOX", [result.outcome.uid])
    assert info.meta["filters"] == [
        {"filter": "noop", "action": "deliver", "reason": "no content filter configured"}
    ]
    assert info.meta["trace_id"] == "T1"


@pytest.mark.parametrize(
    ("actions", "folder"),
    [
        ((FilterAction.DELIVER,), SpecialUse.INBOX),
        ((FilterAction.JUNK,), SpecialUse.JUNK),
        ((FilterAction.VIRUS,), SpecialUse.VIRUS),
        ((FilterAction.JUNK, FilterAction.VIRUS), SpecialUse.VIRUS),
    ],
)
async def test_verdicts_choose_the_folder(
    env: SmtpEnv, ann: SmtpUser, actions: tuple[FilterAction, ...], folder: SpecialUse
) -> None:
    delivery = LocalDelivery(env.mailstore, filters=[Verdict(a, f"f{i}") for i, a in enumerate(actions)])
    (result,) = await delivery.deliver(local((ann.mailbox.id,)))
    assert result.folder is folder
    assert len(await env.messages(ann.mailbox, folder)) == 1


async def test_reject_verdict_stores_nothing(env: SmtpEnv, ann: SmtpUser) -> None:
    delivery = LocalDelivery(env.mailstore, filters=[Verdict(FilterAction.REJECT, "antivirus")])
    with pytest.raises(ContentRejected) as refused:
        await delivery.deliver(local((ann.mailbox.id,)))
    assert refused.value.params == {"filter": "antivirus", "reason": "said reject"}
    assert await env.messages(ann.mailbox) == []


async def test_mailbox_reached_twice_gets_one_copy(env: SmtpEnv, ann: SmtpUser) -> None:
    results = await env.flow.local.deliver(local((ann.mailbox.id, ann.mailbox.id)))
    assert len(results) == 1
    assert len(await env.messages(ann.mailbox)) == 1


async def test_same_dedupe_key_again_is_answered_as_a_duplicate(env: SmtpEnv, ann: SmtpUser) -> None:
    await env.flow.local.deliver(local((ann.mailbox.id,), key="smtp:k1"))
    (again,) = await env.flow.local.deliver(local((ann.mailbox.id,), key="smtp:k1"))
    assert isinstance(again.outcome, IngestResult) and again.outcome.duplicate
    assert len(await env.messages(ann.mailbox)) == 1


async def test_full_mailbox_fails_alone(env: SmtpEnv, ann: SmtpUser) -> None:
    ben = await env.user(ann.tenant, "ben")
    await env.directory.mailboxes.set_quota(ann.tenant.enterprise.id, ben.mailbox.id, 10, ACTOR)
    results = await env.flow.local.deliver(local((ann.mailbox.id, ben.mailbox.id)))
    assert [type(r.outcome) for r in results] == [IngestResult, QuotaExceeded]


async def test_concurrent_deliveries_share_one_commit(env: SmtpEnv, ann: SmtpUser) -> None:
    before = env.flow.local.committer.batches
    results = await asyncio.gather(
        *(env.flow.local.deliver(local((ann.mailbox.id,), body=f"m{i}\r\n")) for i in range(20))
    )
    assert all(r.ok for (r,) in results)
    assert env.flow.local.committer.batches - before == 1
    assert len(await env.messages(ann.mailbox)) == 20


async def test_batches_are_capped_in_size(env: SmtpEnv, ann: SmtpUser) -> None:
    delivery = LocalDelivery(env.mailstore, max_batch_items=5)
    await asyncio.gather(*(delivery.deliver(local((ann.mailbox.id,), body=f"m{i}\r\n")) for i in range(12)))
    assert delivery.committer.batches == 3
