"""Per-channel-account send budgets: token buckets, shared through Redis or kept in process.

A bucket holds `count` tokens and refills at count/per_seconds, so a vendor limit like 20/min
allows a burst of 20 and then one every 3 s. When a vendor answers with its throttle code the
account is blocked outright for the wait it asked for, for every worker at once.
"""

from __future__ import annotations

import math
import time

from redis.asyncio import Redis

# Uses the Redis server's clock, so workers on machines with skewed clocks agree.
_ACQUIRE = """
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return blocked end
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2]) / capacity
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) / per_ms)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * per_ms) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 2))
return wait
"""


class RedisRateLimiter:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._acquire = redis.register_script(_ACQUIRE)

    async def acquire(self, key: str, count: int, per_seconds: float) -> float:
        wait_ms = await self._acquire(keys=[_bucket(key), _block(key)], args=[count, int(per_seconds * 1000)])
        return int(wait_ms) / 1000

    async def block(self, key: str, seconds: float) -> None:
        await self._redis.set(_block(key), "1", px=max(1, int(seconds * 1000)))


class MemoryRateLimiter:
    """The same buckets for the all-in-one mode, where one process is the only sender."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._blocked_until: dict[str, float] = {}

    async def acquire(self, key: str, count: int, per_seconds: float) -> float:
        now = time.monotonic()
        blocked = self._blocked_until.get(key, 0.0) - now
        if blocked > 0:
            return blocked
        per_token = per_seconds / count
        tokens, at = self._buckets.get(key, (float(count), now))
        tokens = min(float(count), tokens + (now - at) / per_token)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return math.ceil((1 - tokens) * per_token * 1000) / 1000

    async def block(self, key: str, seconds: float) -> None:
        self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), time.monotonic() + seconds)


def _bucket(key: str) -> str:
    return f"pushnest:rate:{key}"


def _block(key: str) -> str:
    return f"pushnest:rate-block:{key}"
