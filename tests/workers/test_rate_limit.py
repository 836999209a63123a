"""Token buckets per channel account, in process and shared through Redis."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.fakes.redis_server import PrivateRedis
from workers.rate_limit import MemoryRateLimiter, RedisRateLimiter


@pytest.fixture
async def redis(private_redis: PrivateRedis) -> AsyncIterator[Redis]:
    client = Redis.from_url(private_redis.url(7))
    yield client
    await client.aclose()


async def burst_then_wait(limiter: MemoryRateLimiter | RedisRateLimiter, key: str) -> None:
    # 5 per second: a burst of 5, then the sixth must wait about 0.2 s.
    waits = [await limiter.acquire(key, 5, 1.0) for _ in range(5)]
    assert waits == [0.0] * 5
    wait = await limiter.acquire(key, 5, 1.0)
    assert 0.1 <= wait <= 0.25
    await asyncio.sleep(wait + 0.02)
    assert await limiter.acquire(key, 5, 1.0) == 0.0


async def blocked_by_the_vendor(limiter: MemoryRateLimiter | RedisRateLimiter, key: str) -> None:
    await limiter.block(key, 0.5)
    wait = await limiter.acquire(key, 100, 1.0)
    assert 0.3 <= wait <= 0.5
    await asyncio.sleep(wait + 0.05)
    assert await limiter.acquire(key, 100, 1.0) == 0.0


async def test_memory_bucket_allows_a_burst_then_paces() -> None:
    await burst_then_wait(MemoryRateLimiter(), "channel:1")


async def test_memory_block_holds_every_send() -> None:
    await blocked_by_the_vendor(MemoryRateLimiter(), "channel:1")


async def test_memory_keys_are_independent() -> None:
    limiter = MemoryRateLimiter()
    for _ in range(2):
        assert await limiter.acquire("a", 2, 60) == 0.0
    assert await limiter.acquire("a", 2, 60) > 0
    assert await limiter.acquire("b", 2, 60) == 0.0


async def test_redis_bucket_allows_a_burst_then_paces(redis: Redis) -> None:
    await burst_then_wait(RedisRateLimiter(redis), f"test:{secrets.token_hex(4)}")


async def test_redis_block_holds_every_send(redis: Redis) -> None:
    await blocked_by_the_vendor(RedisRateLimiter(redis), f"test:{secrets.token_hex(4)}")


async def test_redis_budget_is_shared_between_limiters(redis: Redis, private_redis: PrivateRedis) -> None:
    # Two workers, one account: together they get the account's budget, not twice it.
    key = f"test:{secrets.token_hex(4)}"
    other = Redis.from_url(private_redis.url(7))
    first, second = RedisRateLimiter(redis), RedisRateLimiter(other)
    granted = 0
    try:
        for limiter in (first, second) * 5:
            granted += await limiter.acquire(key, 6, 60) == 0.0
    finally:
        await other.aclose()
    assert granted == 6
