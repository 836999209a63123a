"""`pushnest worker`: a delivery process on Redis; any number of them, on any number of machines.

The process owns a long-lived `DeliveryLoop` (workers/loop.py) and takes ARQ jobs as wake-ups:
`deliver` only wakes the loop, `sweep_stuck` hands on rows of vanished workers (lease over, or
heartbeat gone) and re-sends wake-ups that Redis lost, `run_cron_jobs` fires scheduled messages.
All state is in the database. ARQ's own loop ends when Redis goes away; this process then keeps
delivering what the database holds, reports not-ready on its health port, and starts ARQ again
with a growing pause until Redis answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import Worker, func
from redis.asyncio import Redis

from schema.bus import RedisEventBus
from schema.crypto import SecretBox
from schema.db import close_database, open_database
from schema.jobs import DELIVER, PRUNE, QUEUE_NAME, RUN_CRON, SWEEP
from schema.net.client import outbound_clients
from schema.queue import ArqEnqueuer, dumps, loads
from schema.services import message_status
from schema.services.retention import apply_retention
from schema.services.runtime import build_runtime
from schema.services.send_context import send_context
from schema.services.send_limits import RedisRateLimiter
from schema.settings import Settings
from schema.token_store import RedisTokenStore
from workers import claims
from workers.engine import DeliveryEngine
from workers.health import HealthServer
from workers.heartbeat import Heartbeat, living, worker_name
from workers.loop import DeliveryLoop

log = logging.getLogger("pushnest.worker")
# A due row untouched this long has lost its wake-up job (Redis restarted, flushed, evicted).
_OVERDUE_GRACE_SECONDS = 10.0
# Messages whose deliveries all ended this long ago but whose status did not follow are repaired.
_RECONCILE_AFTER_SECONDS = 30.0
_MAX_PAUSE_SECONDS = 30.0
_STOP_GRACE_SECONDS = 20.0


async def deliver(ctx: dict[str, Any], delivery_ids: list[int]) -> int:
    """A wake-up: the loop claims due rows (these and any other) as its send slots allow."""
    loop: DeliveryLoop = ctx["loop"]
    loop.wake()
    return len(delivery_ids)


async def sweep_stuck(ctx: dict[str, Any]) -> int:
    enqueuer: ArqEnqueuer = ctx["enqueuer"]
    expired = await claims.release_expired()
    held_by = await claims.holders()
    gone = held_by - await living(ctx["process_redis"], held_by)
    orphaned = await claims.release_held_by(gone)
    lost = await claims.overdue(_OVERDUE_GRACE_SECONDS)
    repaired = await message_status.reconcile(_RECONCILE_AFTER_SECONDS)
    ids = sorted(set(expired) | set(orphaned) | set(lost))
    if ids:
        log.warning(
            "sweeper: %d lease(s) expired, %d row(s) of %d vanished worker(s), %d due row(s) had no job; waking workers",
            len(expired),
            len(orphaned),
            len(gone),
            len(lost),
        )
        ctx["loop"].wake()
        # A new generation per sweep, so ids whose earlier job still sits in Redis are woken anyway.
        await enqueuer.wake(ids, generation=int(time.time()))
    if repaired:
        log.warning("sweeper: %d message status(es) did not match their deliveries; repaired", len(repaired))
    return len(ids)


async def prune_old(ctx: dict[str, Any]) -> int:
    report = await apply_retention(ctx["settings"])
    return report.total


async def _on_startup(ctx: dict[str, Any]) -> None:
    # ARQ's pool (ctx["redis"]) is new with every start of ARQ's loop; the rest lives with the process.
    enqueuer = ArqEnqueuer(ctx["redis"])
    ctx.update(
        enqueuer=enqueuer, runtime=build_runtime(ctx["settings"], enqueuer=enqueuer, events=ctx["events"])
    )


def build_worker(settings: Settings, ctx: dict[str, Any], burst: bool = False) -> Worker:
    """ARQ's worker, taking jobs only; the process (`WorkerProcess`) owns everything else."""
    if settings.redis_url is None:
        raise ValueError(
            "`pushnest worker` needs PUSHNEST_REDIS_URL; without it `pushnest serve` delivers itself"
        )
    from workers.scheduler import run_cron_jobs

    return Worker(
        functions=[
            func(deliver, name=DELIVER),
            func(sweep_stuck, name=SWEEP),
            func(run_cron_jobs, name=RUN_CRON),
            func(prune_old, name=PRUNE),
        ],
        cron_jobs=[
            cron(
                sweep_stuck,
                name=f"cron:{SWEEP}",
                second=set(range(0, 60, 5)),
                run_at_startup=True,
                unique=True,
            ),
            cron(run_cron_jobs, name=f"cron:{RUN_CRON}", second={0}, unique=True),
            cron(prune_old, name=f"cron:{PRUNE}", minute={17}, second={0}, unique=True),
        ],
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        queue_name=QUEUE_NAME,
        on_startup=_on_startup,
        ctx=ctx,
        burst=burst,
        max_jobs=10,
        # Jobs only wake the loop or sweep: none runs long.
        job_timeout=max(60, settings.lease_seconds),
        keep_result=0,
        poll_delay=0.05,
        max_tries=3,
        job_serializer=dumps,
        job_deserializer=loads,
        handle_signals=False,
    )


class WorkerProcess:
    """Everything `pushnest worker` runs, created once, closed once, whatever Redis does meanwhile."""

    def __init__(self, settings: Settings) -> None:
        if settings.redis_url is None:
            build_worker(settings, {})  # raises the explanation
        self._settings = settings
        self._stop = asyncio.Event()
        self._arq: asyncio.Task[None] | None = None

    def request_stop(self) -> None:
        self._stop.set()
        if self._arq is not None:
            self._arq.cancel()

    async def run(self, burst: bool = False) -> None:
        settings = self._settings
        assert settings.redis_url is not None
        await self._open_database()
        if self._stop.is_set():
            return
        redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=10)
        events = RedisEventBus(redis)
        heartbeat = Heartbeat(redis, worker_name())
        http = outbound_clients(settings)
        engine = DeliveryEngine(
            settings,
            SecretBox(settings.secret_key.get_secret_value()),
            send_context(settings, http, events, RedisTokenStore(redis)),
            RedisRateLimiter(redis),
        )
        loop = DeliveryLoop(settings, engine, events, heartbeat)
        health = self._health_server(loop, heartbeat)
        try:
            if health is not None:
                await health.start()
            await heartbeat.beat()
            heartbeat.start()
            await loop.start()
            ctx = {"settings": settings, "loop": loop, "events": events, "process_redis": redis}
            await self._take_jobs(ctx, burst)
            if burst:
                await loop.idle()
        finally:
            await loop.stop(_STOP_GRACE_SECONDS)
            await heartbeat.stop()
            await http.aclose()
            await redis.aclose()
            if health is not None:
                await health.stop()
            await close_database()

    def _health_server(self, loop: DeliveryLoop, heartbeat: Heartbeat) -> HealthServer | None:
        port = self._settings.worker_metrics_port
        if not port:
            return None
        return HealthServer(
            self._settings.host,
            port,
            lambda: {"database": loop.ready, "redis": heartbeat.answering, "loop": loop.alive},
        )

    async def _open_database(self) -> None:
        pause = 1.0
        while not self._stop.is_set():
            try:
                await open_database(self._settings)
                return
            except Exception as exc:
                log.warning("the database does not answer (%s); trying again in %.0f s", exc, pause)
                await self._wait(pause)
                pause = min(_MAX_PAUSE_SECONDS, pause * 2)

    async def _take_jobs(self, ctx: dict[str, Any], burst: bool) -> None:
        """Run ARQ's loop; when it ends because Redis went away, start it again after a pause."""
        pause = 1.0
        while not self._stop.is_set():
            worker = build_worker(self._settings, ctx, burst)
            started = time.monotonic()
            self._arq = asyncio.create_task(worker.main())
            try:
                await self._arq
                if burst:
                    return
            except asyncio.CancelledError:
                if not self._stop.is_set():
                    raise
            except Exception as exc:
                log.warning(
                    "lost the job queue (%s: %s); delivering on, reconnecting in %.0f s",
                    type(exc).__name__,
                    exc,
                    pause,
                )
            finally:
                self._arq = None
                await _close(worker)
            if time.monotonic() - started > _MAX_PAUSE_SECONDS:
                pause = 1.0
            await self._wait(pause)
            pause = min(_MAX_PAUSE_SECONDS, pause * 2)

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)


async def _close(worker: Worker) -> None:
    """ARQ's own close() needs Redis; this one ends the jobs and drops the pool whatever Redis does."""
    for task in worker.tasks.values():
        task.cancel()
    await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    if worker._pool is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(worker._pool.close(close_connection_pool=True), 5)
        worker._pool = None


def run(settings: Settings, burst: bool = False) -> int:
    """The `pushnest worker` command: runs until SIGTERM/SIGINT (or, with `burst`, until idle)."""
    process = WorkerProcess(settings)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, process.request_stop)
        await process.run(burst)

    asyncio.run(main())
    return 0
