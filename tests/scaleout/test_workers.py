"""Scale-out mode: API and ARQ workers in separate processes; nothing is lost when things break."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
from redis.asyncio import Redis

from tests.scaleout.conftest import Cluster, delivery_ids_at

SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"


async def send_many(
    cluster: Cluster, http: httpx.AsyncClient, key: str, task_id: int, count: int, concurrency: int = 50
) -> None:
    queue = iter(range(count))

    async def sender() -> None:
        for n in queue:
            await cluster.gql(http, SEND, {"i": {"taskId": task_id, "text": f"message {n}"}}, token=key)

    await asyncio.gather(*(sender() for _ in range(concurrency)))


async def wait_all_final(cluster: Cluster, total: int, timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        counts = await cluster.final_counts()
        if sum(counts.get(s, 0) for s in ("succeeded", "failed", "unknown")) >= total:
            return counts
        assert time.monotonic() < deadline, f"not every delivery finished: {counts}"
        await asyncio.sleep(0.5)


async def test_workers_deliver_what_the_api_accepts(cluster: Cluster) -> None:
    worker = cluster.start_worker()
    async with httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http:
        task_id, key = await cluster.webhook_task(http, "/basic")
        await send_many(cluster, http, key, task_id, 100, concurrency=10)
        counts = await wait_all_final(cluster, 100, timeout=60)
    assert counts.get("succeeded") == 100
    assert sorted(Counter(delivery_ids_at(cluster.sink, "/basic")).values()) == [1] * 100
    cluster.kill_worker(worker)


async def test_a_killed_worker_loses_nothing(cluster: Cluster) -> None:
    before = sum((await cluster.final_counts()).values())
    worker = cluster.start_worker()
    async with httpx.AsyncClient(base_url=cluster.api_url, timeout=60) as http:
        task_id, key = await cluster.webhook_task(http, "/kill")
        sending = asyncio.create_task(send_many(cluster, http, key, task_id, 5000))
        await cluster.sink.wait_for("/kill", 1000, timeout=120)
        cluster.kill_worker(worker)
        in_flight = (await cluster.sql("SELECT COUNT(*) FROM deliveries WHERE status = 'sending'"))[0][0]
        await sending
        cluster.start_worker()
        counts = await wait_all_final(cluster, before + 5000, timeout=240)
    arrived = Counter(delivery_ids_at(cluster.sink, "/kill"))
    assert len(arrived) == 5000, "every delivery reached the sink"
    duplicates = sum(arrived.values()) - len(arrived)
    assert duplicates <= in_flight, (duplicates, in_flight)
    assert counts.get("failed", 0) == 0 and counts.get("unknown", 0) == 0


async def test_redis_flushall_during_a_burst_loses_nothing(cluster: Cluster) -> None:
    before = sum((await cluster.final_counts()).values())
    if not cluster.workers:
        cluster.start_worker()
    redis = Redis.from_url(cluster.env["PUSHNEST_REDIS_URL"])
    async with httpx.AsyncClient(base_url=cluster.api_url, timeout=60) as http:
        task_id, key = await cluster.webhook_task(http, "/flush")
        sending = asyncio.create_task(send_many(cluster, http, key, task_id, 2000))
        await cluster.sink.wait_for("/flush", 300, timeout=120)
        in_flight = (await cluster.sql("SELECT COUNT(*) FROM deliveries WHERE status = 'sending'"))[0][0]
        await redis.flushall()
        await sending
        counts = await wait_all_final(cluster, before + 2000, timeout=180)
    await redis.aclose()
    arrived = Counter(delivery_ids_at(cluster.sink, "/flush"))
    assert len(arrived) == 2000
    assert sum(arrived.values()) - len(arrived) <= in_flight
    assert counts.get("failed", 0) == 0 and counts.get("unknown", 0) == 0
