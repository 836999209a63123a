"""The accept path directly, no uvicorn: once committed, a send is answered accepted whatever Redis
does; `sync` waits on delivery events, not on the database."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from schema.bus import LocalEventBus, RedisEventBus
from schema.events import DeliveryEvent
from schema.models import Binding, Channel, Delivery, Message, Task, User
from schema.models.messages import DeliveryStatus, MessageStatus
from schema.services.messages import wait_for_outcome
from schema.services.principal import Principal
from schema.services.runtime import build_runtime
from schema.services.sending import accept_send
from schema.settings import Settings
from tests.fakes.redis_server import PrivateRedis
from tests.workers.conftest import db  # noqa: F401  (the fixture: a database of this test's own)


@pytest.fixture
async def task(db: None) -> Task:  # noqa: F811
    owner = await User.create(username=f"u-{secrets.token_hex(4)}", password_hash="-")
    channel = await Channel.create(
        owner_id=owner.id, name="hook", type="webhook", config={"url": "http://127.0.0.1:9/x"}
    )
    task = await Task.create(owner_id=owner.id, name="alerts")
    await Binding.create(task_id=task.id, channel_id=channel.id, format="text")
    await task.fetch_related("owner")
    return task


@pytest.fixture
async def stopped_redis() -> AsyncIterator[Redis]:
    if not PrivateRedis.available():
        pytest.skip("redis-server is not installed")
    server = PrivateRedis().start()
    url = server.url(0)
    server.stop()
    client = Redis.from_url(url)
    yield client
    await client.aclose()


async def test_a_committed_send_is_accepted_when_redis_is_down(
    settings: Settings, task: Task, stopped_redis: Redis
) -> None:
    runtime = build_runtime(settings, events=RedisEventBus(stopped_redis))
    result = await accept_send(runtime, Principal(user=task.owner), {"task_id": task.id, "text": "disk full"})
    assert result.message.status == MessageStatus.QUEUED
    stored = [d.status for d in await Delivery.filter(message_id=result.message.id)]
    assert stored == [DeliveryStatus.QUEUED]  # due: the sweeper wakes a worker for it


@pytest.mark.timeout(30)  # the wait below is 60 s: only the final event can end it sooner
async def test_sync_ends_on_the_final_event_without_reading_the_database_again(
    settings: Settings, task: Task
) -> None:
    bus = LocalEventBus()
    runtime = build_runtime(settings, events=bus, feed=bus)
    result = await accept_send(runtime, Principal(user=task.owner), {"task_id": task.id, "text": "disk full"})
    [delivery] = result.deliveries
    waiting = asyncio.create_task(wait_for_outcome(runtime, result.message, [delivery.id], 60))
    while not len(bus.deliveries):  # subscribed
        await asyncio.sleep(0)
    # The event alone: the message row still says queued, so a poll of the database would wait on.
    final = DeliveryEvent.about(
        result.message, delivery, status="succeeded", attempt=1, at=datetime.now(UTC).timestamp()
    )
    await bus.publish_deliveries([final])
    message = await waiting
    assert message.id == result.message.id
    assert len(bus.deliveries) == 0  # unsubscribed


@pytest.mark.timeout(30)
async def test_sync_returns_at_once_when_the_deliveries_ended_before_it_subscribed(
    settings: Settings, task: Task
) -> None:
    bus = LocalEventBus()
    runtime = build_runtime(settings, events=bus, feed=bus)
    result = await accept_send(runtime, Principal(user=task.owner), {"task_id": task.id, "text": "disk full"})
    await Delivery.filter(message_id=result.message.id).update(status=DeliveryStatus.FAILED)
    await Message.filter(id=result.message.id).update(status=MessageStatus.FAILED)
    message = await wait_for_outcome(runtime, result.message, [d.id for d in result.deliveries], 60)
    assert message.status == MessageStatus.FAILED
