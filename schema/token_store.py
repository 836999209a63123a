"""Vendor access tokens, cached once for all workers (Redis) or for the one process (memory)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

_LOCK_SECONDS = 30


class RedisTokenStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(_name(key))
        return value.decode() if isinstance(value, bytes) else value

    async def put(self, key: str, value: str, ttl_seconds: float) -> None:
        await self._redis.set(_name(key), value, px=max(1, int(ttl_seconds * 1000)))

    async def drop(self, key: str) -> None:
        await self._redis.delete(_name(key))

    @asynccontextmanager
    async def refresh_lock(self, key: str) -> AsyncIterator[None]:
        # Expires by itself, so a worker killed while refreshing does not block the others for long.
        async with self._redis.lock(
            f"{_name(key)}:refresh", timeout=_LOCK_SECONDS, blocking_timeout=_LOCK_SECONDS
        ):
            yield


class MemoryTokenStore:
    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, key: str) -> str | None:
        entry = self._values.get(key)
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    async def put(self, key: str, value: str, ttl_seconds: float) -> None:
        self._values[key] = (value, time.monotonic() + ttl_seconds)

    async def drop(self, key: str) -> None:
        self._values.pop(key, None)

    @asynccontextmanager
    async def refresh_lock(self, key: str) -> AsyncIterator[None]:
        async with self._locks.setdefault(key, asyncio.Lock()):
            yield


def _name(key: str) -> str:
    return f"pushnest:token:{key}"
