"""Counting failed logins per client address, in-process or in Redis for several API processes."""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Protocol

from redis.asyncio import Redis


class LoginThrottle(Protocol):
    """Remembers failures per key within a window; `retry_after` says how long a key must wait."""

    async def retry_after(self, key: str) -> int: ...

    async def record_failure(self, key: str) -> None: ...


class MemoryLoginThrottle:
    """For the all-in-one mode: one process, so a dict of recent failure times is the truth."""

    def __init__(self, max_attempts: int, window_seconds: int, max_keys: int = 100_000) -> None:
        self._max = max_attempts
        self._window = window_seconds
        self._max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    async def retry_after(self, key: str) -> int:
        times = self._recent(key)
        if len(times) < self._max:
            return 0
        return max(1, math.ceil(times[0] + self._window - time.monotonic()))

    async def record_failure(self, key: str) -> None:
        if len(self._failures) >= self._max_keys:
            # An address flood must not grow memory without bound: forget the quietest keys.
            for stale in [k for k in list(self._failures) if not self._recent(k)]:
                self._failures.pop(stale, None)
        self._failures.setdefault(key, deque()).append(time.monotonic())

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.get(key, deque())
        cutoff = time.monotonic() - self._window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times


class RedisLoginThrottle:
    """For several API processes: a fixed window counter per key in Redis."""

    def __init__(self, redis: Redis, max_attempts: int, window_seconds: int) -> None:
        self._redis = redis
        self._max = max_attempts
        self._window = window_seconds

    async def retry_after(self, key: str) -> int:
        name = self._name(key)
        count = await self._redis.get(name)
        if count is None or int(count) < self._max:
            return 0
        ttl = await self._redis.ttl(name)
        return max(1, int(ttl))

    async def record_failure(self, key: str) -> None:
        name = self._name(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, self._window, nx=True)
            await pipe.execute()

    @staticmethod
    def _name(key: str) -> str:
        return f"pushnest:login-failures:{key}"
