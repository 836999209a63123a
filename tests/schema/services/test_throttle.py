"""Sign-in throttles, in-process and in Redis: a slot is reserved before the check, atomically,
so concurrent attempts never get more than `max_attempts` checks; a success gives its slot back."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from schema.errors import TooManyRequests
from schema.services.throttle import AuthThrottles, MemoryThrottle, RedisThrottle, Throttle
from tests.fakes.redis_server import PrivateRedis


@pytest.fixture
async def redis_client(private_redis: PrivateRedis) -> AsyncIterator[Redis]:
    client = Redis.from_url(private_redis.url())
    try:
        yield client
    finally:
        await client.aclose()


def prefix() -> str:
    return f"test-{secrets.token_hex(6)}"


@pytest.fixture(params=["memory", "redis"])
def make(request: pytest.FixtureRequest) -> Any:
    """Builds a throttle of either kind, so every rule below is checked on both."""
    if request.param == "memory":
        return lambda limit, window: MemoryThrottle(limit, window)
    client = request.getfixturevalue("redis_client")
    return lambda limit, window: RedisThrottle(client, prefix(), limit, window)


async def test_refuses_past_max_attempts_with_the_wait(make: Any) -> None:
    throttle: Throttle = make(3, 60)
    assert [await throttle.reserve("1.2.3.4") for _ in range(3)] == [0, 0, 0]
    wait = await throttle.reserve("1.2.3.4")
    assert 58 <= wait <= 60


async def test_concurrent_reservations_never_exceed_the_limit(make: Any) -> None:
    throttle: Throttle = make(5, 60)
    waits = await asyncio.gather(*(throttle.reserve("racer") for _ in range(50)))
    assert waits.count(0) == 5
    assert all(w > 0 for w in waits if w)


async def test_a_released_slot_can_be_taken_again(make: Any) -> None:
    throttle: Throttle = make(2, 60)
    await throttle.reserve("k")
    await throttle.reserve("k")
    assert await throttle.reserve("k") > 0
    await throttle.release("k")  # the attempt turned out good
    assert await throttle.reserve("k") == 0


async def test_keys_are_independent(make: Any) -> None:
    throttle: Throttle = make(1, 60)
    assert await throttle.reserve("a") == 0
    assert await throttle.reserve("a") > 0
    assert await throttle.reserve("b") == 0


async def test_the_window_expires(make: Any) -> None:
    throttle: Throttle = make(2, 1)
    await throttle.reserve("k")
    await throttle.reserve("k")
    assert await throttle.reserve("k") == 1
    await asyncio.sleep(1.1)
    assert await throttle.reserve("k") == 0


async def test_memory_forgets_quiet_keys_when_full() -> None:
    throttle = MemoryThrottle(max_attempts=1, window_seconds=1, max_keys=2)
    await throttle.reserve("a")
    await throttle.reserve("b")
    await asyncio.sleep(1.1)
    await throttle.reserve("c")
    assert set(throttle._taken) == {"c"}


async def test_memory_keeps_busy_keys_when_full() -> None:
    throttle = MemoryThrottle(max_attempts=1, window_seconds=60, max_keys=2)
    await throttle.reserve("a")
    await throttle.reserve("b")
    await throttle.reserve("c")  # at the limit: nothing is stale, so nothing is forgotten
    assert await throttle.reserve("a") > 0


async def test_redis_window_is_not_extended_by_later_attempts(redis_client: Redis) -> None:
    throttle = RedisThrottle(redis_client, prefix(), 3, 60)
    await throttle.reserve("k")
    await redis_client.expire(throttle.name("k"), 30)
    await throttle.reserve("k")
    assert 0 < await redis_client.ttl(throttle.name("k")) <= 30


async def test_redis_release_after_the_window_leaves_no_counter(redis_client: Redis) -> None:
    # A DECR on an expired counter would make one of -1 without a TTL: an extra attempt forever.
    throttle = RedisThrottle(redis_client, prefix(), 1, 1)
    await throttle.reserve("k")
    await redis_client.delete(throttle.name("k"))
    await throttle.release("k")
    assert await redis_client.exists(throttle.name("k")) == 0


class _Settings:
    login_max_attempts = 2
    login_window_seconds = 60
    login_max_attempts_per_user = 3
    api_key_max_failures = 2


async def test_login_takes_a_slot_per_address_and_per_username() -> None:
    throttles = AuthThrottles.in_memory(_Settings())  # type: ignore[arg-type]
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        await throttles.reserve_login(ip, "Alice")
    with pytest.raises(TooManyRequests) as refused:
        await throttles.reserve_login("10.0.0.4", "alice")  # case-folded: the same name
    assert "username" in refused.value.message and refused.value.retry_after > 0
    # The refused attempt took no address slot: 10.0.0.4 still has both of its own.
    await throttles.reserve_login("10.0.0.4", "bob")
    await throttles.reserve_login("10.0.0.4", "carol")
    with pytest.raises(TooManyRequests) as by_address:
        await throttles.reserve_login("10.0.0.4", "dave")
    assert "address" in by_address.value.message


async def test_a_successful_login_gives_both_slots_back() -> None:
    throttles = AuthThrottles.in_memory(_Settings())  # type: ignore[arg-type]
    for _ in range(5):
        reservation = await throttles.reserve_login("10.0.0.9", "erin")
        await reservation.release()
