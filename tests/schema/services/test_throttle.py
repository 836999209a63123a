"""Login throttles: in-process and Redis; retry_after turns positive after max_attempts failures."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from schema.services.throttle import MemoryLoginThrottle, RedisLoginThrottle
from tests.fakes.redis_server import PrivateRedis


async def test_memory_blocks_after_max_attempts() -> None:
    throttle = MemoryLoginThrottle(max_attempts=3, window_seconds=60)
    assert await throttle.retry_after("1.2.3.4") == 0
    await throttle.record_failure("1.2.3.4")
    await throttle.record_failure("1.2.3.4")
    assert await throttle.retry_after("1.2.3.4") == 0
    await throttle.record_failure("1.2.3.4")
    wait = await throttle.retry_after("1.2.3.4")
    assert 0 < wait <= 60
    assert wait >= 59


async def test_memory_keys_are_independent() -> None:
    throttle = MemoryLoginThrottle(max_attempts=3, window_seconds=60)
    for _ in range(3):
        await throttle.record_failure("a")
    assert await throttle.retry_after("a") > 0
    assert await throttle.retry_after("b") == 0
    await throttle.record_failure("b")
    assert await throttle.retry_after("b") == 0


async def test_memory_window_expires() -> None:
    throttle = MemoryLoginThrottle(max_attempts=3, window_seconds=1)
    for _ in range(3):
        await throttle.record_failure("k")
    assert await throttle.retry_after("k") == 1
    await asyncio.sleep(1.1)
    assert await throttle.retry_after("k") == 0


async def test_memory_key_limit_keeps_recent_keys() -> None:
    throttle = MemoryLoginThrottle(max_attempts=2, window_seconds=60, max_keys=2)
    for key in ("a", "a", "b"):
        await throttle.record_failure(key)
    await throttle.record_failure("c")  # at the limit: nothing is stale, so nothing is forgotten
    assert await throttle.retry_after("a") > 0
    await throttle.record_failure("c")
    assert await throttle.retry_after("c") > 0


async def test_memory_key_limit_forgets_stale_keys() -> None:
    throttle = MemoryLoginThrottle(max_attempts=2, window_seconds=1, max_keys=2)
    await throttle.record_failure("a")
    await throttle.record_failure("b")
    await asyncio.sleep(1.1)
    await throttle.record_failure("c")
    await throttle.record_failure("c")
    assert await throttle.retry_after("c") > 0
    assert await throttle.retry_after("a") == 0


@pytest.fixture
async def redis_client(private_redis: PrivateRedis) -> AsyncIterator[Redis]:
    client = Redis.from_url(private_redis.url())
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def redis_keys(redis_client: Redis) -> AsyncIterator[list[str]]:
    """Unique throttle keys for the test; their Redis entries are deleted afterwards."""
    keys: list[str] = []
    yield keys
    if keys:
        await redis_client.delete(*(f"pushnest:login-failures:{key}" for key in keys))


def _new_key(keys: list[str]) -> str:
    key = f"test-{secrets.token_hex(8)}"
    keys.append(key)
    return key


async def test_redis_blocks_after_max_attempts(redis_client: Redis, redis_keys: list[str]) -> None:
    key = _new_key(redis_keys)
    throttle = RedisLoginThrottle(redis_client, 3, 60)
    assert await throttle.retry_after(key) == 0
    await throttle.record_failure(key)
    await throttle.record_failure(key)
    assert await throttle.retry_after(key) == 0
    await throttle.record_failure(key)
    wait = await throttle.retry_after(key)
    assert 0 < wait <= 60
    assert wait >= 58
    # The key name is the one the cleanup deletes.
    assert int(await redis_client.get(f"pushnest:login-failures:{key}")) == 3


async def test_redis_window_is_not_extended_by_later_failures(
    redis_client: Redis, redis_keys: list[str]
) -> None:
    key = _new_key(redis_keys)
    throttle = RedisLoginThrottle(redis_client, 3, 60)
    await throttle.record_failure(key)
    name = f"pushnest:login-failures:{key}"
    await redis_client.expire(name, 30)
    await throttle.record_failure(key)
    assert 0 < await redis_client.ttl(name) <= 30


async def test_redis_keys_are_independent(redis_client: Redis, redis_keys: list[str]) -> None:
    a, b = _new_key(redis_keys), _new_key(redis_keys)
    throttle = RedisLoginThrottle(redis_client, 3, 60)
    for _ in range(3):
        await throttle.record_failure(a)
    assert await throttle.retry_after(a) > 0
    assert await throttle.retry_after(b) == 0


async def test_redis_window_expires(redis_client: Redis, redis_keys: list[str]) -> None:
    key = _new_key(redis_keys)
    throttle = RedisLoginThrottle(redis_client, 3, 1)
    for _ in range(3):
        await throttle.record_failure(key)
    assert await throttle.retry_after(key) == 1
    await asyncio.sleep(1.1)
    assert await throttle.retry_after(key) == 0
