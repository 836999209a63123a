"""The all-in-one mode: no Redis; the database's due rows are the queue, drained in this process.

`EmbeddedWorker` is the `Enqueuer` the API uses in this mode: being told that rows are due only
wakes the delivery loop (the same `DeliveryLoop` as `pushnest worker`'s). The loop also polls every
second and wakes for its own retries; a sweep makes expired leases due again and repairs message
statuses, so a restart resumes whatever was pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from typing import IO

from schema.channels.base import TokenStore
from schema.crypto import SecretBox
from schema.files import open_private, private_dir
from schema.net.client import outbound_clients
from schema.ports import EventBus, RateLimiter
from schema.services import message_status
from schema.services.retention import apply_retention
from schema.services.runtime import Runtime
from schema.services.send_context import send_context
from schema.services.send_limits import MemoryRateLimiter
from schema.settings import Settings
from workers.claims import release_expired
from workers.engine import DeliveryEngine
from workers.heartbeat import NoHeartbeat
from workers.loop import DeliveryLoop
from workers.scheduler import cron_loop

log = logging.getLogger("pushnest.embedded")
_SWEEP_EVERY_SECONDS = 15.0
_RECONCILE_AFTER_SECONDS = 30.0
_PRUNE_EVERY_SECONDS = 3600.0
_FIRST_PRUNE_SECONDS = 60.0
_STOP_GRACE_SECONDS = 20.0


class AlreadyRunning(RuntimeError):
    """Another all-in-one process holds this data dir."""


def hold_single_process_lock(settings: Settings) -> IO[str]:
    """The all-in-one mode's lock on its data dir, held as long as the returned file stays open."""
    handle = open_private(private_dir(settings.data_dir) / "all-in-one.lock")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyRunning(
            f"another `pushnest serve` without Redis runs on {settings.data_dir}; the all-in-one mode "
            "is one process only (set PUSHNEST_REDIS_URL and run `pushnest worker` to scale out)"
        ) from None
    return handle


class EmbeddedWorker:
    def __init__(
        self,
        settings: Settings,
        events: EventBus,
        tokens: TokenStore,
        limiter: RateLimiter | None = None,
        lock: IO[str] | None = None,
    ) -> None:
        """`lock`: the data dir's lock if the caller took it already (the CLI does, to refuse in
        one line before anything starts); otherwise it is taken in start()."""
        self._settings = settings
        self._events = events
        self._http = outbound_clients(settings)
        engine = DeliveryEngine(
            settings,
            SecretBox(settings.secret_key.get_secret_value()),
            send_context(settings, self._http, events, tokens),
            limiter or MemoryRateLimiter(),
        )
        self._loop = DeliveryLoop(settings, engine, events, NoHeartbeat())
        self._sweep_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._stopped = asyncio.Event()
        self._cron_task: asyncio.Task[None] | None = None
        self._prune_task: asyncio.Task[None] | None = None
        self._lock_file = lock

    async def deliveries_due(self, delivery_ids: list[int], defer_seconds: float = 0.0) -> None:
        if defer_seconds <= 0:
            self._loop.wake()

    async def start(self, runtime: Runtime) -> None:
        if self._lock_file is None:
            self._lock_file = hold_single_process_lock(self._settings)
        # This is the only sender, so whatever is still `sending` was cut off by the last stop.
        await release_expired(expired_only=False)
        await self._loop.start()
        self._sweep_task = asyncio.create_task(self._sweep_loop(), name="pushnest-sweeper")
        self._cron_task = asyncio.create_task(cron_loop(runtime, self._stopped), name="pushnest-cron")
        self._prune_task = asyncio.create_task(self._prune_loop(), name="pushnest-retention")

    async def stop(self) -> None:
        """Let batches in flight finish (up to a grace period), so their outcomes are recorded."""
        self._stopping = True
        self._stopped.set()
        if self._cron_task is not None:
            await self._cron_task
        for task in (self._prune_task, self._sweep_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._loop.stop(_STOP_GRACE_SECONDS)
        await self._http.aclose()
        if self._lock_file is not None:
            self._lock_file.close()

    async def _sweep_loop(self) -> None:
        """Expired leases (a send cut off by a stop that outlasted the grace) and stale message statuses."""
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), _SWEEP_EVERY_SECONDS)
            if self._stopping:
                return
            try:
                if await release_expired():
                    self._loop.wake()
                await message_status.reconcile(_RECONCILE_AFTER_SECONDS)
            except Exception:
                log.exception("sweep failed; trying again in %.0f s", _SWEEP_EVERY_SECONDS)

    async def _prune_loop(self) -> None:
        """Retention: shortly after start (restarts may come more often than hourly), then hourly."""
        wait = _FIRST_PRUNE_SECONDS
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), wait)
            if self._stopping:
                return
            wait = _PRUNE_EVERY_SECONDS
            try:
                await apply_retention(self._settings)
            except Exception:
                log.exception("retention prune failed; trying again in an hour")
