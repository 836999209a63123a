"""Telling ARQ workers that deliveries are due, with ids coalesced into few jobs.

ARQ costs about a millisecond per job; a burst of single-delivery sends would be bound by that.
So the enqueuer gathers the ids that arrive within a few milliseconds into one job. Each job is
only a wake-up: workers claim the rows in the database before sending.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from arq.connections import ArqRedis

from schema.jobs import DELIVER, QUEUE_NAME, deliver_job_id

log = logging.getLogger("pushnest.queue")
_GATHER_SECONDS = 0.002
_MAX_IDS_PER_JOB = 200


def dumps(data: dict[str, Any]) -> bytes:
    # JSON, not ARQ's default pickle: a Redis reachable by others must not be a code-execution path.
    return json.dumps(data, separators=(",", ":"), default=str).encode()


def loads(raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw)
    return data


class ArqEnqueuer:
    """`deliveries_due` returns at once; a background flush enqueues gathered ids as jobs."""

    def __init__(self, pool: ArqRedis) -> None:
        self._pool = pool
        self._pending: list[int] = []
        self._flush: asyncio.Task[None] | None = None

    async def deliveries_due(self, delivery_ids: list[int], defer_seconds: float = 0.0) -> None:
        if not delivery_ids:
            return
        if defer_seconds > 0:
            await self._enqueue(delivery_ids, defer_seconds, generation=0)
            return
        self._pending.extend(delivery_ids)
        if self._flush is None or self._flush.done():
            self._flush = asyncio.create_task(self._flush_soon())

    async def wake(self, delivery_ids: list[int], generation: int) -> None:
        """Wake-up jobs for rows that may have lost theirs; `generation` keeps the ids new."""
        for start in range(0, len(delivery_ids), _MAX_IDS_PER_JOB):
            await self._enqueue(delivery_ids[start : start + _MAX_IDS_PER_JOB], 0.0, generation)

    async def close(self) -> None:
        if self._flush is not None:
            await self._flush
        if self._pending:
            await self._drain()

    async def _flush_soon(self) -> None:
        await asyncio.sleep(_GATHER_SECONDS)
        try:
            await self._drain()
        except Exception as exc:  # Redis away: the rows are committed, the sweeper wakes workers for them
            log.warning(
                "could not enqueue wake-up jobs (%s); the sweeper will find the due rows", type(exc).__name__
            )

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:_MAX_IDS_PER_JOB], self._pending[_MAX_IDS_PER_JOB:]
            await self._enqueue(batch, 0.0, generation=0)

    async def _enqueue(self, ids: list[int], defer_seconds: float, generation: int) -> None:
        await self._pool.enqueue_job(
            DELIVER,
            ids,
            _job_id=deliver_job_id(ids, generation),
            _queue_name=QUEUE_NAME,
            _defer_by=defer_seconds or None,
        )
