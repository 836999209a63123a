"""Recording outcomes: one transaction per batch, multi-row statements, stale claims change nothing,
a delivery's end, its message's status and its count commit together, and each end counts once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from schema.models import Delivery, DeliveryAttempt, DeliveryStat, Message
from schema.models.messages import DeliveryStatus, MessageStatus
from schema.services import message_status, stats
from tests.workers.conftest import Rows, statuses
from workers import claims, recording
from workers.contents import Contents, Job
from workers.engine import Outcome


async def claimed_jobs(rows: Rows, count: int) -> list[Job]:
    await rows.due(await rows.channel("/record"), count)
    return await Contents().jobs(await claims.claim(count, 60, "w1"))


def outcome(job: Job, status: DeliveryStatus, **extra: object) -> Outcome:
    return Outcome(job, status, attempted=True, started_at=datetime.now(UTC), latency_ms=12, **extra)  # type: ignore[arg-type]


async def counted() -> tuple[int, int, int]:
    """(sent, succeeded, failed) in the per-channel statistics rows."""
    found = await DeliveryStat.filter(task_id=-1).values_list("sent", "succeeded", "failed")
    return (sum(r[0] for r in found), sum(r[1] for r in found), sum(r[2] for r in found))


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements Tortoise sends meanwhile (its client logs each at DEBUG)."""
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = record.getMessage().lstrip().split(" ", 1)[0].upper()
            if text in ("SELECT", "INSERT", "UPDATE", "DELETE"):
                seen.append(text)

    logger = logging.getLogger("tortoise.db_client")
    handler, level = Collect(level=logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_a_batch_moves_rows_messages_and_statistics_together(rows: Rows) -> None:
    ok, retry, failed = await claimed_jobs(rows, 3)
    applied = await recording.record(
        [
            outcome(ok, DeliveryStatus.SUCCEEDED),
            outcome(retry, DeliveryStatus.RETRYING, error_class="retryable", error="HTTP 500", retry_in=5.0),
            outcome(failed, DeliveryStatus.FAILED, error_class="permanent", error="HTTP 404"),
        ]
    )
    assert len(applied) == 3
    assert await statuses([ok.row.id, retry.row.id, failed.row.id]) == {
        ok.row.id: "succeeded",
        retry.row.id: "retrying",
        failed.row.id: "failed",
    }
    messages = dict(
        await Message.filter(id__in=[j.message.id for j in (ok, retry, failed)]).values_list("id", "status")
    )
    assert messages == {ok.message.id: "succeeded", retry.message.id: "sending", failed.message.id: "failed"}
    assert await counted() == (2, 1, 1), "only final deliveries are counted"
    again = await Delivery.get(id=retry.row.id)
    assert again.claimed_by == "" and again.lease_until is None and again.next_attempt_at is not None
    attempts = await DeliveryAttempt.filter(delivery_id__in=[ok.row.id, retry.row.id, failed.row.id])
    assert len(attempts) == 3
    for attempt in attempts:  # written by hand, read back by the ORM: same stored form
        assert abs((datetime.now(UTC) - attempt.finished_at).total_seconds()) < 60
        assert attempt.started_at <= attempt.finished_at and attempt.number == 1


async def test_a_batch_costs_the_same_statements_for_5_or_50_successes(rows: Rows) -> None:
    jobs = await claimed_jobs(rows, 55)
    with statements() as small:
        await recording.record([outcome(j, DeliveryStatus.SUCCEEDED) for j in jobs[:5]])
    with statements() as large:
        await recording.record([outcome(j, DeliveryStatus.SUCCEEDED) for j in jobs[5:]])
    assert small == large, (small, large)
    assert 3 <= len(large) <= 8, large
    assert await counted() == (55, 55, 0)


async def test_an_outcome_of_a_lost_claim_changes_nothing_and_is_not_counted(rows: Rows) -> None:
    (job,) = await claimed_jobs(rows, 1)
    # The lease ran out and the sweeper handed the row on before this worker's result came in.
    await Delivery.filter(id=job.row.id).update(lease_until=datetime.now(UTC) - timedelta(seconds=1))
    await claims.release_expired()
    assert await recording.record([outcome(job, DeliveryStatus.SUCCEEDED)]) == []
    assert await statuses([job.row.id]) == {job.row.id: "queued"}
    assert await counted() == (0, 0, 0)
    # What went out is still on record, under the attempt number it was sent as.
    assert await DeliveryAttempt.filter(delivery_id=job.row.id, number=1).count() == 1
    # The next holder's result is the one that counts.
    (again,) = await Contents().jobs(await claims.claim(1, 60, "w2"))
    assert again.row.attempts == 2
    assert len(await recording.record([outcome(again, DeliveryStatus.SUCCEEDED)])) == 1
    assert await counted() == (1, 1, 0)


async def test_recording_a_batch_twice_counts_it_once(rows: Rows) -> None:
    jobs = await claimed_jobs(rows, 3)
    batch = [outcome(j, DeliveryStatus.SUCCEEDED) for j in jobs]
    assert len(await recording.record(batch)) == 3
    assert await recording.record(batch) == []
    assert await counted() == (3, 3, 0)
    assert await DeliveryAttempt.filter(delivery_id__in=[j.row.id for j in jobs]).count() == 3


async def test_a_crash_inside_the_batch_leaves_nothing_half_written(
    rows: Rows, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = await claimed_jobs(rows, 2)
    batch = [outcome(j, DeliveryStatus.SUCCEEDED) for j in jobs]

    async def crash(*_: object, **__: object) -> None:
        raise RuntimeError("the process died while counting")

    with monkeypatch.context() as patch:
        patch.setattr(stats, "record_final", crash)
        with pytest.raises(RuntimeError):
            await recording.record(batch)
    # Neither the rows, nor their messages, nor the attempts moved: the batch can simply be retried.
    assert set((await statuses([j.row.id for j in jobs])).values()) == {"sending"}
    assert set(
        cast(
            list[str],
            await Message.filter(id__in=[j.message.id for j in jobs]).values_list("status", flat=True),
        )
    ) == {MessageStatus.QUEUED}
    assert await DeliveryAttempt.filter(delivery_id__in=[j.row.id for j in jobs]).count() == 0
    assert len(await recording.record(batch)) == 2
    assert await counted() == (2, 2, 0)


async def test_the_sweeper_repairs_a_message_left_behind_by_a_crash(rows: Rows) -> None:
    # What an older version could leave after kill -9: deliveries final, the message still queued.
    (delivery,) = await rows.due(await rows.channel("/record"), 1)
    await Delivery.filter(id=delivery.id).update(status=DeliveryStatus.SUCCEEDED)
    assert await message_status.reconcile(older_than_seconds=60) == [], "too recent to judge"
    assert await message_status.reconcile(older_than_seconds=0) == [delivery.message_id]
    message = await Message.get(id=delivery.message_id)
    assert message.status is MessageStatus.SUCCEEDED and message.finished_at is not None
    # Messages still being delivered are left alone.
    (busy,) = await rows.due(await rows.channel("/record"), 1)
    assert await message_status.reconcile(older_than_seconds=0) == []
    assert (await Message.get(id=busy.message_id)).status is MessageStatus.QUEUED


async def test_the_recorder_keeps_outcomes_through_a_database_outage(rows: Rows) -> None:
    jobs = await claimed_jobs(rows, 3)
    failures = 2
    written: list[list[Outcome]] = []

    async def flaky(batch: list[Outcome]) -> list[Outcome]:
        nonlocal failures
        if failures:
            failures -= 1
            raise ConnectionError("the database went away")
        written.append(batch)
        return await recording.record(batch)

    after: list[int] = []

    async def done(batch: list[Outcome], applied: list[Outcome]) -> None:
        after.extend(o.row.id for o in applied)

    recorder = recording.Recorder(done, flaky, linger=0.001, max_pause=0.05)
    recorder.start()
    for job in jobs:
        recorder.add(outcome(job, DeliveryStatus.SUCCEEDED))
    await asyncio.sleep(0.01)
    assert not recorder.healthy, "readiness reports the outage"
    await recorder.close(wait_seconds=5)
    assert recorder.healthy and failures == 0
    assert sorted(after) == sorted(j.row.id for j in jobs)
    assert set((await statuses([j.row.id for j in jobs])).values()) == {"succeeded"}
    assert await counted() == (3, 3, 0)
