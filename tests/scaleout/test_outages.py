"""Workers ride out Redis and database outages, and take over a killed worker's rows before their
lease ends.

Each test has its own redis-server (one stops and restarts it) and its own database; the database
outage is a proxy between one worker and MariaDB that the test cuts, so the shared server stays up.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from redis.asyncio import Redis

from tests.conftest import MYSQL_ROOT, free_port
from tests.fakes.redis_server import PrivateRedis
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.webhook_sink import Reply
from tests.scaleout.conftest import delivery_ids_at, running_cluster
from tests.scaleout.test_workers import send_many, wait_all_final


@pytest.fixture
async def own_redis() -> AsyncIterator[PrivateRedis]:
    if not PrivateRedis.available():
        pytest.skip("redis-server is not installed")
    server = PrivateRedis().start()
    try:
        yield server
    finally:
        server.stop()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.2)


async def readiness(port: int) -> int:
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            return (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code
    except httpx.TransportError:
        return 0


async def test_a_worker_rides_out_a_redis_outage(
    tmp_path_factory: pytest.TempPathFactory, own_redis: PrivateRedis
) -> None:
    async with running_cluster(tmp_path_factory, own_redis.url(0)) as cluster:
        port = free_port()
        worker = cluster.start_worker({"PUSHNEST_WORKER_METRICS_PORT": str(port)})
        await eventually(lambda: _is(readiness(port), 200), 60, "the worker never became ready")
        async with httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http:
            task_id, key = await cluster.webhook_task(http, "/outage")
            await send_many(cluster, http, key, task_id, 20, concurrency=5)
            await wait_all_final(cluster, 20, timeout=60)

            own_redis.stop()
            await eventually(lambda: _is(readiness(port), 503), 20, "readiness did not report the outage")
            await asyncio.sleep(5)  # ARQ's own loop has given up by now
            assert worker.poll() is None, "the worker exited when Redis went away"

            own_redis.start()
            await eventually(lambda: _is(readiness(port), 200), 30, "the worker did not recover")
            # ARQ's loop started again: its health-check key is back in the new, empty Redis.
            redis = Redis.from_url(own_redis.url(0))
            try:
                await eventually(
                    lambda: _truthy(redis.exists("pushnest:queue:health-check")), 60, "ARQ did not reconnect"
                )
            finally:
                await redis.aclose()
            await send_many(cluster, http, key, task_id, 20, concurrency=5)
            counts = await wait_all_final(cluster, 40, timeout=60)
        assert counts.get("succeeded") == 40
        assert worker.poll() is None


async def test_a_worker_rides_out_a_database_outage(
    tmp_path_factory: pytest.TempPathFactory, own_redis: PrivateRedis
) -> None:
    async with running_cluster(tmp_path_factory, own_redis.url(0)) as cluster:
        proxy = TcpProxy("127.0.0.1", 3306)
        await proxy.start()
        through_proxy = cluster.env["PUSHNEST_DATABASE_URL"].replace(
            MYSQL_ROOT, f"mysql://root:@127.0.0.1:{proxy.port}"
        )
        port = free_port()
        worker = cluster.start_worker(
            {"PUSHNEST_DATABASE_URL": through_proxy, "PUSHNEST_WORKER_METRICS_PORT": str(port)}
        )
        try:
            await eventually(lambda: _is(readiness(port), 200), 60, "the worker never became ready")
            async with httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http:
                task_id, key = await cluster.webhook_task(http, "/db-outage")
                await send_many(cluster, http, key, task_id, 20, concurrency=5)
                await wait_all_final(cluster, 20, timeout=60)

                await proxy.cut()
                # The API still reaches the database: these are accepted while the worker cannot claim.
                await send_many(cluster, http, key, task_id, 20, concurrency=5)
                await eventually(lambda: _is(readiness(port), 503), 30, "readiness did not report the outage")
                await asyncio.sleep(3)
                assert worker.poll() is None, "the worker exited when the database went away"

                await proxy.restore()
                counts = await wait_all_final(cluster, 40, timeout=90)
                await eventually(lambda: _is(readiness(port), 200), 30, "the worker did not recover")
        finally:
            await proxy.stop()
        assert counts.get("succeeded") == 40
        assert sorted(Counter(delivery_ids_at(cluster.sink, "/db-outage")).values()) == [1] * 40
        assert worker.poll() is None


async def test_a_killed_workers_rows_are_taken_over_before_their_lease_ends(
    tmp_path_factory: pytest.TempPathFactory, own_redis: PrivateRedis
) -> None:
    lease = {"PUSHNEST_LEASE_SECONDS": "120", "PUSHNEST_SEND_TIMEOUT_SECONDS": "10"}
    async with running_cluster(tmp_path_factory, own_redis.url(0), lease) as cluster:
        cluster.sink.script("/takeover", Reply(delay=2.0))
        worker = cluster.start_worker()
        async with httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http:
            task_id, key = await cluster.webhook_task(http, "/takeover")
            await send_many(cluster, http, key, task_id, 30, concurrency=5)
            await cluster.sink.wait_for("/takeover", 5, timeout=60)
            cluster.kill_worker(worker)
            killed_at = time.monotonic()
            in_flight = (await cluster.sql("SELECT COUNT(*) FROM deliveries WHERE status = 'sending'"))[0][0]
            assert in_flight > 0
            cluster.start_worker()
            counts = await wait_all_final(cluster, 30, timeout=90)
        taken_over_in = time.monotonic() - killed_at
        assert taken_over_in < 60, f"{taken_over_in:.0f} s: the rows waited for their 120 s lease"
        assert counts.get("succeeded") == 30
        arrived = Counter(delivery_ids_at(cluster.sink, "/takeover"))
        assert len(arrived) == 30
        assert sum(arrived.values()) - len(arrived) <= in_flight


async def _is(status: Awaitable[int], wanted: int) -> bool:
    return await status == wanted


async def _truthy(value: Awaitable[int]) -> bool:
    try:
        return bool(await value)
    except Exception:
        return False


async def test_a_send_while_redis_is_down_is_accepted_and_delivered_once_it_is_back(
    tmp_path_factory: pytest.TempPathFactory, own_redis: PrivateRedis
) -> None:
    """The message is committed before Redis is needed: the caller must hear "accepted", not an
    error that makes a retrying client send it twice; the sweeper delivers it when Redis is back."""
    async with running_cluster(tmp_path_factory, own_redis.url(0)) as cluster:
        port = free_port()
        cluster.start_worker({"PUSHNEST_WORKER_METRICS_PORT": str(port)})
        await eventually(lambda: _is(readiness(port), 200), 60, "the worker never became ready")
        async with httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http:
            task_id, key = await cluster.webhook_task(http, "/redis-down")
            own_redis.stop()
            answer = await http.post(
                "/graphql",
                json={
                    "query": SEND_ONE,
                    "variables": {"i": {"taskId": task_id, "text": "while Redis is down"}},
                },
                headers={"Authorization": f"Bearer {key}"},
            )
            body = answer.json()
            assert answer.status_code == 200, body
            assert not body.get("errors"), body
            assert body["data"]["sendMessage"]["message"]["status"] == "QUEUED"
            own_redis.start()
            arrived = await cluster.sink.wait_for("/redis-down", 1, timeout=90)
        assert len(arrived) == 1
        [delivery_id] = delivery_ids_at(cluster.sink, "/redis-down")
        rows = await cluster.sql(f"SELECT message_id FROM deliveries WHERE id = {delivery_id}")
        assert rows == [(int(body["data"]["sendMessage"]["message"]["id"]),)]


SEND_ONE = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id status } } }"
