"""The hub and `follow`: direct delivery to parked readers, queueing in order, lag and resume."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

import pytest

from schema.bus import LocalEventBus
from schema.events import DeliveryEvent
from schema.hub import DIRECT_SINK, QUEUE_LIMIT, Hub, Published
from schema.services import live

Seen = tuple[str, int, bool]  # position, delivery id, resumed


def event(n: int, task_id: int = 1) -> DeliveryEvent:
    return DeliveryEvent(
        message_id=1,
        delivery_id=n,
        owner_id=1,
        task_id=task_id,
        template_id=None,
        channel_id=1,
        channel_type="webhook",
        status="sending",
        attempt=1,
    )


def seen(item: Published[DeliveryEvent], resumed: bool) -> Seen:
    return item.position, item.event.delivery_id, resumed


class Reader:
    """Follows the bus's delivery hub in its own task, with a direct sink that can be told to decline."""

    def __init__(self, bus: LocalEventBus, after: str | None = None, task_id: int = 1) -> None:
        self.direct: list[Seen] = []
        self.yielded: list[Seen] = []
        self.accept = True
        self.task = asyncio.create_task(self._run(bus, after, task_id))

    def sink(self, node: object) -> bool:
        if self.accept:
            self.direct.append(node)  # type: ignore[arg-type]
        return self.accept

    async def _run(self, bus: LocalEventBus, after: str | None, task_id: int) -> None:
        DIRECT_SINK.set(self.sink)

        def matches(e: DeliveryEvent) -> bool:
            return e.task_id == task_id

        async for item in live.follow(bus.deliveries, bus.delivery_history, matches, after, seen):
            self.yielded.append(item)

    @property
    def all(self) -> list[Seen]:
        return sorted(self.direct + self.yielded, key=lambda s: int(s[0].split("-")[1]))

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_parked_reader_takes_live_events_directly() -> None:
    bus = LocalEventBus()
    reader = Reader(bus)
    await settle()
    await bus.publish_deliveries([event(1), event(2), event(3, task_id=2), event(4)])
    assert [d for _, d, _ in reader.direct] == [1, 2, 4]
    assert reader.yielded == []
    await reader.stop()
    assert len(bus.deliveries) == 0


async def test_declined_events_queue_and_later_ones_wait_behind_them() -> None:
    bus = LocalEventBus()
    reader = Reader(bus)
    await settle()
    reader.accept = False
    await bus.publish_deliveries([event(1)])
    reader.accept = True
    # The reader's task has not run yet: 2 must not overtake 1, which is still queued.
    await bus.publish_deliveries([event(2)])
    assert reader.direct == []
    await settle()
    assert [d for _, d, _ in reader.yielded] == [1, 2]
    # Drained and parked again: direct once more.
    await bus.publish_deliveries([event(3)])
    assert [d for _, d, _ in reader.direct] == [3]
    await reader.stop()


async def test_a_failing_direct_sink_falls_back_to_the_queue() -> None:
    hub: Hub[int] = Hub()
    subscriber = hub.subscribe(lambda e: True)

    def broken(_: Published[int]) -> bool:
        raise RuntimeError("boom")

    subscriber.direct = broken
    hub.publish("0-1", 1)
    assert subscriber.direct is None
    queued = await subscriber.queue.get()
    assert queued is not None and queued.event == 1


async def test_every_subscriber_gets_the_same_published_object() -> None:
    hub: Hub[int] = Hub()
    first, second = hub.subscribe(lambda e: True), hub.subscribe(lambda e: e > 5)
    hub.publish("0-1", 1)
    hub.publish("0-2", 7)
    a1, a7, b7 = await first.queue.get(), await first.queue.get(), await second.queue.get()
    assert a7 is b7 and a1 is not None and a1.event == 1 and len(second.queue) == 0


async def test_lag_catches_up_after_what_went_directly_without_repeats() -> None:
    bus = LocalEventBus(loop_slice=math.inf)  # a batch is published in one go: the reader cannot run
    reader = Reader(bus)
    await settle()
    await bus.publish_deliveries([event(n) for n in range(1, 4)])  # direct
    reader.accept = False
    # More than the queue holds while the reader's task does not run: it lags.
    await bus.publish_deliveries([event(n) for n in range(4, QUEUE_LIMIT + 10)])
    reader.accept = True
    for _ in range(50):
        await asyncio.sleep(0)
        if len(reader.all) == QUEUE_LIMIT + 9:
            break
    ids = [d for _, d, _ in reader.all]
    assert ids == list(range(1, QUEUE_LIMIT + 10))
    assert all(resumed for _, d, resumed in reader.yielded)  # replayed after lagging
    await reader.stop()


async def test_resume_after_a_cursor_then_live() -> None:
    bus = LocalEventBus()
    await bus.publish_deliveries([event(n) for n in range(1, 6)])
    cursor = f"{bus._epoch}-2"
    reader = Reader(bus, after=cursor)
    await settle()
    await bus.publish_deliveries([event(6)])
    assert [d for _, d, _ in reader.yielded] == [3, 4, 5]
    assert [d for _, d, _ in reader.direct] == [6]
    await reader.stop()


async def test_a_long_batch_lets_the_loop_run_between_events() -> None:
    bus = LocalEventBus(loop_slice=-1)  # yields before every event
    reader = Reader(bus)
    await settle()
    reader.accept = False
    await bus.publish_deliveries([event(1), event(2), event(3)])
    # The reader ran between events: each went through its queue and was yielded at once.
    assert [d for _, d, _ in reader.yielded] == [1, 2]
    await settle()
    assert [d for _, d, _ in reader.yielded] == [1, 2, 3]
    await reader.stop()


async def test_without_a_direct_sink_everything_is_yielded() -> None:
    bus = LocalEventBus()
    got: list[Any] = []

    async def run(node: Callable[[Published[DeliveryEvent], bool], Any]) -> None:
        async for item in live.follow(bus.deliveries, bus.delivery_history, lambda e: True, None, node):
            got.append(item)

    task = asyncio.create_task(run(seen))
    await settle()
    await bus.publish_deliveries([event(1), event(2)])
    await settle()
    assert [d for _, d, _ in got] == [1, 2]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
