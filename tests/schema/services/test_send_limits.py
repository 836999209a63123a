"""Exact sliding windows per channel account, in process and shared through Redis."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from schema.channels.base import RateLimit
from schema.services.send_limits import EDGE_GUARD_SECONDS, MemoryRateLimiter, RedisRateLimiter
from tests.fakes.redis_server import PrivateRedis

Limiter = MemoryRateLimiter | RedisRateLimiter


@pytest.fixture
async def redis(private_redis: PrivateRedis) -> AsyncIterator[Redis]:
    client = Redis.from_url(private_redis.url(7))
    yield client
    await client.aclose()


def key() -> str:
    return f"test:{secrets.token_hex(4)}"


async def never_more_than_count_in_a_window(limiter: Limiter) -> None:
    # 3 per second: the 4th waits until the first send leaves the window — most of the window,
    # not a third of it as a token bucket refilling at 3/s would allow.
    account, window = key(), (RateLimit(3, 1),)
    assert await limiter.acquire(account, window) == 0.0
    await asyncio.sleep(0.3)
    assert [await limiter.acquire(account, window) for _ in range(2)] == [0.0] * 2
    wait = await limiter.acquire(account, window)
    assert 0.6 <= wait <= 1.0 + EDGE_GUARD_SECONDS - 0.3 + 0.05
    assert await limiter.next_free(account, window) > 0.5  # looking takes nothing
    await asyncio.sleep(wait + 0.02)
    assert await limiter.next_free(account, window) == 0.0
    assert await limiter.acquire(account, window) == 0.0
    assert await limiter.acquire(account, window) > 0  # the 2nd and 3rd send are still inside


async def every_window_counts(limiter: Limiter) -> None:
    # Feishu's shape: a per-second window inside a larger one. A slot is taken in all or in none.
    account, windows = key(), (RateLimit(4, 60), RateLimit(2, 1))
    assert [await limiter.acquire(account, windows) for _ in range(2)] == [0.0, 0.0]
    short = await limiter.acquire(account, windows)
    assert 0 < short <= 1.0 + EDGE_GUARD_SECONDS + 0.05
    await asyncio.sleep(short + 0.02)
    assert [await limiter.acquire(account, windows) for _ in range(2)] == [0.0, 0.0]
    assert await limiter.acquire(account, windows) > 55  # the minute's 4 are used


async def blocked_by_the_vendor(limiter: Limiter) -> None:
    account = key()
    await limiter.block(account, 0.5)
    wait = await limiter.acquire(account, (RateLimit(100, 1),))
    assert 0.3 <= wait <= 0.5
    assert await limiter.next_free(account, (RateLimit(100, 1),)) > 0
    await asyncio.sleep(wait + 0.05)
    assert await limiter.acquire(account, (RateLimit(100, 1),)) == 0.0


async def test_memory_window_is_exact() -> None:
    await never_more_than_count_in_a_window(MemoryRateLimiter())


async def test_memory_every_window_counts() -> None:
    await every_window_counts(MemoryRateLimiter())


async def test_memory_block_holds_every_send() -> None:
    await blocked_by_the_vendor(MemoryRateLimiter())


async def test_memory_keys_are_independent() -> None:
    limiter, window = MemoryRateLimiter(), (RateLimit(2, 60),)
    for _ in range(2):
        assert await limiter.acquire("a", window) == 0.0
    assert await limiter.acquire("a", window) > 0
    assert await limiter.acquire("b", window) == 0.0


async def test_redis_window_is_exact(redis: Redis) -> None:
    await never_more_than_count_in_a_window(RedisRateLimiter(redis))


async def test_redis_every_window_counts(redis: Redis) -> None:
    await every_window_counts(RedisRateLimiter(redis))


async def test_redis_block_holds_every_send(redis: Redis) -> None:
    await blocked_by_the_vendor(RedisRateLimiter(redis))


async def test_redis_budget_is_shared_between_limiters(redis: Redis, private_redis: PrivateRedis) -> None:
    # Two workers, one account: together they get the account's window, not twice it.
    account, window = key(), (RateLimit(6, 60),)
    other = Redis.from_url(private_redis.url(7))
    first, second = RedisRateLimiter(redis), RedisRateLimiter(other)
    granted = 0
    try:
        for limiter in (first, second) * 5:
            granted += await limiter.acquire(account, window) == 0.0
    finally:
        await other.aclose()
    assert granted == 6
