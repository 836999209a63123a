"""`pushnest worker`: ARQ workers on Redis; any number of them, on any number of machines.

Jobs are thin: `deliver` claims the rows it names (and helps with other due rows while it is
at it), `sweep_stuck` makes rows of vanished workers due again and re-sends wake-ups that Redis
lost, `run_cron_jobs` fires scheduled messages. All state is in the database.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from arq import cron
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker

from schema.bus import RedisEventBus
from schema.crypto import SecretBox
from schema.db import close_database, open_database
from schema.jobs import DELIVER, PRUNE, QUEUE_NAME, RUN_CRON, SWEEP
from schema.net.client import outbound_clients
from schema.queue import ArqEnqueuer, dumps, loads
from schema.services.retention import apply_retention
from schema.services.runtime import build_runtime
from schema.services.send_context import send_context
from schema.settings import Settings
from schema.token_store import RedisTokenStore
from workers.claims import overdue, release_expired
from workers.engine import DeliveryEngine
from workers.rate_limit import RedisRateLimiter

log = logging.getLogger("pushnest.worker")
# A job claims what it was sent for, then helps with other due rows for a few more batches.
_EXTRA_BATCHES = 4
# A due row untouched this long has lost its wake-up job (Redis restarted, flushed, evicted).
_OVERDUE_GRACE_SECONDS = 10.0


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    redis: ArqRedis = ctx["redis"]
    await open_database(settings)
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        ctx["metrics_server"], _ = start_http_server(settings.worker_metrics_port, addr=settings.host)
    events = RedisEventBus(redis)
    enqueuer = ArqEnqueuer(redis)
    http = outbound_clients(settings)
    ctx.update(
        http=http,
        enqueuer=enqueuer,
        runtime=build_runtime(settings, enqueuer=enqueuer, events=events),
        engine=DeliveryEngine(
            settings,
            SecretBox(settings.secret_key.get_secret_value()),
            send_context(settings, http, events, RedisTokenStore(redis)),
            RedisRateLimiter(redis),
            events,
            enqueuer.retry_later,
        ),
    )


async def shutdown(ctx: dict[str, Any]) -> None:
    if "http" in ctx:
        await ctx["http"].aclose()
    if "metrics_server" in ctx:
        ctx["metrics_server"].shutdown()
    await close_database()


async def deliver(ctx: dict[str, Any], delivery_ids: list[int]) -> int:
    engine: DeliveryEngine = ctx["engine"]
    settings: Settings = ctx["settings"]
    total = await engine.run(delivery_ids, limit=len(delivery_ids))
    # Help with other due rows only while there clearly are some (full batches); when traffic is
    # light, an empty claim would cost three round trips per job for nothing.
    claimed, rounds = total, 0
    while claimed >= len(delivery_ids) and rounds < _EXTRA_BATCHES:
        claimed = await engine.run(limit=settings.concurrency)
        total += claimed
        rounds += 1
        if claimed < settings.concurrency:
            break
    return total


async def sweep_stuck(ctx: dict[str, Any]) -> int:
    enqueuer: ArqEnqueuer = ctx["enqueuer"]
    released = await release_expired()
    lost = await overdue(_OVERDUE_GRACE_SECONDS)
    ids = sorted(set(released) | set(lost))
    if ids:
        log.warning(
            "sweeper: %d lease(s) expired, %d due row(s) had no job; waking workers", len(released), len(lost)
        )
        # A new generation per sweep, so ids whose earlier job still sits in Redis are woken anyway.
        await enqueuer.wake(ids, generation=int(time.time()))
    return len(ids)


async def prune_old(ctx: dict[str, Any]) -> int:
    report = await apply_retention(ctx["settings"])
    return report.total


def build_worker(settings: Settings, burst: bool = False) -> Worker:
    if settings.redis_url is None:
        raise ValueError(
            "`pushnest worker` needs PUSHNEST_REDIS_URL; without it `pushnest serve` delivers itself"
        )
    from workers.scheduler import run_cron_jobs

    return Worker(
        functions=[
            _named(deliver, DELIVER),
            _named(sweep_stuck, SWEEP),
            _named(run_cron_jobs, RUN_CRON),
            _named(prune_old, PRUNE),
        ],
        cron_jobs=[
            cron(sweep_stuck, name=f"cron:{SWEEP}", second={0, 15, 30, 45}, run_at_startup=True, unique=True),
            cron(run_cron_jobs, name=f"cron:{RUN_CRON}", second={0}, unique=True),
            cron(prune_old, name=f"cron:{PRUNE}", minute={17}, second={0}, unique=True),
        ],
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        queue_name=QUEUE_NAME,
        on_startup=startup,
        on_shutdown=shutdown,
        ctx={"settings": settings},
        burst=burst,
        max_jobs=max(10, settings.concurrency // 4),
        # A job delivers its own batch and a few more; each batch is bounded by the lease.
        job_timeout=settings.lease_seconds * (_EXTRA_BATCHES + 1),
        keep_result=0,
        poll_delay=0.05,
        max_tries=3,
        job_serializer=dumps,
        job_deserializer=loads,
        handle_signals=True,
    )


def _named(function: Any, name: str) -> Any:
    from arq.worker import func

    return func(function, name=name)
