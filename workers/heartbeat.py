"""A worker's heartbeat: a Redis key with a short expiry, renewed every few seconds.

Rows a worker claims name it (`deliveries.claimed_by`) while its heartbeat is fresh, so when the
key has expired the sweeper knows the worker is gone and hands its rows on at once instead of
waiting out their lease. A worker that cannot renew its key must not rely on it: after
`ATTRIBUTE_FOR` seconds without a renewal it stops naming itself on new claims and lease
extensions (its rows are then protected by their lease alone), and after `TRUST_FOR` seconds it
stops sending rows that still name it, well before the key expires and a sweeper may release them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Iterable

from redis.asyncio import Redis

log = logging.getLogger("pushnest.worker")
TTL_SECONDS = 15.0
BEAT_EVERY = 3.0
ATTRIBUTE_FOR = 5.0
TRUST_FOR = 12.0
_COMMAND_TIMEOUT = 2.0


def worker_name() -> str:
    """Unique per process start, readable in the database: host, pid, a random suffix."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def key_of(worker: str) -> str:
    return f"pushnest:worker:{worker}"


class Heartbeat:
    def __init__(self, redis: Redis, name: str) -> None:
        self.name = name
        self._redis = redis
        self._last_ok = float("-inf")
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    def holder(self) -> str:
        """The name to put on rows claimed or extended now ("" when the heartbeat is not current)."""
        return self.name if time.monotonic() < self._last_ok + ATTRIBUTE_FOR else ""

    def fresh(self) -> bool:
        """Rows naming this worker are surely still its own (no sweeper can have taken them)."""
        return time.monotonic() < self._last_ok + TRUST_FOR

    @property
    def answering(self) -> bool:
        """The last beat reached Redis (what readiness reports)."""
        return not self._failing and self._last_ok > float("-inf")

    async def beat(self) -> bool:
        started = time.monotonic()
        try:
            await asyncio.wait_for(
                self._redis.set(key_of(self.name), "1", px=int(TTL_SECONDS * 1000)), _COMMAND_TIMEOUT
            )
        except Exception as exc:
            if not self._failing:
                log.warning("heartbeat: Redis does not answer (%s); retrying", type(exc).__name__)
            self._failing = True
            return False
        if self._failing:
            log.warning("heartbeat: Redis answers again")
        self._failing, self._last_ok = False, started
        return True

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pushnest-heartbeat")

    async def stop(self) -> None:
        """Stop beating and delete the key: this worker's rows need not wait for it to expire."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._redis.delete(key_of(self.name)), _COMMAND_TIMEOUT)

    async def _run(self) -> None:
        while True:
            await self.beat()
            await asyncio.sleep(BEAT_EVERY)


class NoHeartbeat:
    """The all-in-one mode: one process, which releases every row on start; rows name nobody."""

    name = ""

    def holder(self) -> str:
        return ""

    def fresh(self) -> bool:
        return False


async def living(redis: Redis, workers: Iterable[str]) -> set[str]:
    """Which of these workers have a heartbeat key now."""
    names = sorted(set(workers))
    if not names:
        return set()
    async with redis.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.exists(key_of(name))
        found = await pipe.execute()
    return {name for name, exists in zip(names, found, strict=True) if exists}
