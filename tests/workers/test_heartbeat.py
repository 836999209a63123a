"""Heartbeats: a live worker's rows stay with it, a vanished worker's are handed on by the sweeper,
and a worker that cannot reach Redis stops relying on its name at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from arq.connections import RedisSettings, create_pool
from redis.asyncio import Redis

from schema.queue import ArqEnqueuer
from tests.conftest import free_port
from tests.fakes.redis_server import PrivateRedis
from tests.workers.conftest import Rows, statuses
from workers import claims
from workers.arq_worker import sweep_stuck
from workers.heartbeat import Heartbeat, key_of, living


@pytest.fixture
async def redis(private_redis: PrivateRedis) -> AsyncIterator[Redis]:
    client = Redis.from_url(private_redis.url(7))
    yield client
    await client.flushdb()
    await client.aclose()


class Woken:
    def __init__(self) -> None:
        self.times = 0

    def wake(self) -> None:
        self.times += 1


async def test_a_beat_names_the_worker_until_it_stops(redis: Redis) -> None:
    heartbeat = Heartbeat(redis, "w-beat")
    assert heartbeat.holder() == "" and not heartbeat.fresh()
    assert await heartbeat.beat()
    assert heartbeat.holder() == "w-beat" and heartbeat.fresh() and heartbeat.answering
    assert 0 < await redis.pttl(key_of("w-beat")) <= 15_000
    assert await living(redis, ["w-beat", "w-other"]) == {"w-beat"}
    await heartbeat.stop()
    assert await living(redis, ["w-beat"]) == set()


async def test_without_redis_a_worker_does_not_put_its_name_on_rows() -> None:
    unreachable = Redis(port=free_port(), socket_connect_timeout=0.5)
    heartbeat = Heartbeat(unreachable, "w-cut-off")
    try:
        assert not await heartbeat.beat()
        assert heartbeat.holder() == "" and not heartbeat.fresh() and not heartbeat.answering
    finally:
        await unreachable.aclose()


async def test_the_sweeper_hands_on_rows_of_workers_without_a_heartbeat(
    rows: Rows, redis: Redis, private_redis: PrivateRedis
) -> None:
    channel = await rows.channel("/sweep")
    await rows.due(channel, 4)
    alive, dead = Heartbeat(redis, "w-alive"), "w-dead"
    await alive.beat()
    kept = await claims.claim(2, 120, alive.name)
    orphaned = await claims.claim(2, 120, dead)
    pool = await create_pool(RedisSettings.from_dsn(private_redis.url(7)))
    loop = Woken()
    try:
        ctx = {"enqueuer": ArqEnqueuer(pool), "process_redis": redis, "loop": loop}
        assert await sweep_stuck(ctx) == 2
    finally:
        await pool.aclose()
    found = await statuses([c.id for c in kept + orphaned])
    assert [found[c.id] for c in orphaned] == ["queued", "queued"]
    assert [found[c.id] for c in kept] == ["sending", "sending"]
    assert loop.times == 1
