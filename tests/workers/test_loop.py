"""The delivery loop on a real database and a real receiver: slot-sized claims, results recorded as
they come, leases extended while a send is in flight, and a lost claim never sent by its old holder."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import cast

import pytest

from schema.bus import LocalEventBus
from schema.models import Delivery, DeliveryAttempt, DeliveryStat
from schema.models.messages import DeliveryStatus
from schema.net.client import OutboundClients
from schema.settings import Settings
from tests.fakes.webhook_sink import Reply, WebhookSink
from tests.workers.conftest import Rows, arrivals, engine_for, statuses, tuned
from workers import claims
from workers.heartbeat import NoHeartbeat
from workers.loop import DeliveryLoop, Holder


class LapsedHeartbeat:
    """A worker that named itself on its claims, then could not renew its heartbeat."""

    name = "w-lapsed"

    def holder(self) -> str:
        return self.name

    def fresh(self) -> bool:
        return False


@asynccontextmanager
async def running(
    settings: Settings,
    http: OutboundClients,
    heartbeat: Holder | None = None,
    idle_poll: float = 0.2,
    events: LocalEventBus | None = None,
) -> AsyncIterator[DeliveryLoop]:
    events = events or LocalEventBus()
    loop = DeliveryLoop(
        settings, engine_for(settings, http, events), events, heartbeat or NoHeartbeat(), idle_poll=idle_poll
    )
    await loop.start()
    try:
        yield loop
    finally:
        await loop.stop(grace=10)


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_claims_fit_the_free_slots_and_results_are_recorded_as_they_come(
    rows: Rows, sink: WebhookSink, settings: Settings, http: OutboundClients
) -> None:
    sink.script("/loop-slow", Reply(delay=2.0))
    sink.script("/loop-busy", Reply(delay=0.3))
    slow = await rows.due(await rows.channel("/loop-slow"), 2, age_seconds=60)
    busy = await rows.due(await rows.channel("/loop-busy"), 10)
    events = LocalEventBus()
    async with running(tuned(settings, concurrency=4, send_timeout_seconds=5), http, events=events):
        started = time.monotonic()
        await until(lambda: _all(busy, "succeeded"))
        # The busy rows went through the two free slots and were recorded one by one, while the
        # slow rows of the same first claim were still in flight.
        assert time.monotonic() - started < 1.9
        assert set((await statuses([d.id for d in slow])).values()) == {"sending"}
        await until(lambda: _all(slow, "succeeded"))
    # A row is claimed only when a slot is free for it: it goes out right after its claim.
    claimed = {
        e.delivery_id: e.at for _, e in await events.delivery_history("0-0", lambda e: e.status == "sending")
    }
    waited = [
        r.at - claimed[int(json.loads(r.body)["data"]["delivery_id"])] for r in sink.received["/loop-busy"]
    ]
    assert len(waited) == 10 and max(waited) < 0.2, waited


async def test_a_send_that_outlasts_its_lease_is_not_handed_on_and_sent_twice(
    rows: Rows, sink: WebhookSink, settings: Settings, http: OutboundClients
) -> None:
    sink.script("/loop-lease", Reply(delay=3.0))
    made = await rows.due(await rows.channel("/loop-lease"), 6)
    slow = tuned(settings, concurrency=3, lease_seconds=2, send_timeout_seconds=6)
    sweeping = asyncio.create_task(_sweep_every(0.2))
    try:
        # Two workers and a sweeper: a lease that ran out mid-send would be handed to the other one.
        async with running(slow, http), running(slow, http):
            await until(lambda: _all(made, "succeeded"), timeout=30)
    finally:
        sweeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeping
    assert Counter(arrivals(sink, "/loop-lease")) == Counter(d.id for d in made)
    assert await DeliveryAttempt.filter(delivery_id__in=[d.id for d in made]).count() == 6
    sent = sum(cast(list[int], await DeliveryStat.filter(task_id=-1).values_list("sent", flat=True)))
    assert sent == 6


async def test_a_row_whose_claim_may_be_lost_is_never_sent_by_its_old_holder(
    rows: Rows, sink: WebhookSink, settings: Settings, http: OutboundClients
) -> None:
    made = await rows.due(await rows.channel("/loop-lapsed"), 3)
    async with running(settings, http, heartbeat=LapsedHeartbeat()):
        await until(lambda: _all(made, "sending"))
        await asyncio.sleep(0.5)
    assert sink.received["/loop-lapsed"] == []
    # Given back on stop, due again for whoever holds a live claim.
    assert set((await statuses([d.id for d in made])).values()) == {"queued"}
    assert await DeliveryAttempt.filter(delivery_id__in=[d.id for d in made]).count() == 0


async def test_stop_gives_back_rows_whose_send_did_not_finish(
    rows: Rows, sink: WebhookSink, settings: Settings, http: OutboundClients
) -> None:
    sink.script("/loop-hang", Reply(delay=5.0))
    (made,) = await rows.due(await rows.channel("/loop-hang"), 1)
    events = LocalEventBus()
    loop = DeliveryLoop(
        tuned(settings, send_timeout_seconds=8), engine_for(settings, http, events), events, NoHeartbeat()
    )
    await loop.start()
    await sink.wait_for("/loop-hang", 1)
    await loop.stop(grace=0.2)
    row = await Delivery.get(id=made.id)
    assert row.status is DeliveryStatus.QUEUED and row.claimed_by == ""


async def test_the_loop_wakes_itself_for_its_own_retries(
    rows: Rows, sink: WebhookSink, settings: Settings, http: OutboundClients
) -> None:
    sink.script("/loop-retry", Reply(status=500), Reply())
    (made,) = await rows.due(await rows.channel("/loop-retry"), 1)
    # No wake-ups and a poll far away: only the retry the loop scheduled itself can bring it back.
    async with running(settings, http, idle_poll=60):
        await until(lambda: _all([made], "succeeded"), timeout=10)
    assert [a.outcome for a in await DeliveryAttempt.filter(delivery_id=made.id).order_by("number")] == [
        "retrying",
        "succeeded",
    ]


async def _all(made: list[Delivery], status: str) -> bool:
    return set((await statuses([d.id for d in made])).values()) == {status}


async def _sweep_every(seconds: float) -> None:
    while True:
        await claims.release_expired()
        await asyncio.sleep(seconds)


async def test_the_loop_says_it_is_alive_only_while_its_tasks_run(
    settings: Settings, http: OutboundClients, caplog: pytest.LogCaptureFixture
) -> None:
    events = LocalEventBus()
    loop = DeliveryLoop(settings, engine_for(settings, http, events), events, NoHeartbeat())
    assert not loop.alive  # not started
    async with running(settings, http) as started:
        assert started.alive
        # A loop task that ended (as a bug in it would end it) is what `/readyz` must report.
        started._tasks[0].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await started._tasks[0]
        assert not started.alive
    assert "the delivery loop's pushnest-delivery-loop task ended" in caplog.text
